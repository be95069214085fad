/**
 * Word documents (.docx): mammoth turns the document into semantic HTML (Word's heading styles
 * become h1–h6, lists become ul/ol, tables stay tables), and the HTML walker turns that into
 * sections under their heading paths — the same shape a web page gets.
 */
import mammoth from 'mammoth';
import { htmlFragmentSections } from './html';
import type { ExtractedDocument } from './types';
import { ExtractionError } from './types';

// Word's built-in "Title" style is the document's name; mammoth's default map leaves it a paragraph.
const STYLE_MAP = ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => p:fresh"];

// Pictures carry no searchable text; embedding them as data: URIs would only cost memory.
const dropImages = mammoth.images.imgElement(() => Promise.resolve({ src: '' }));

export async function extractDocx(bytes: Uint8Array): Promise<ExtractedDocument> {
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      { styleMap: STYLE_MAP, convertImage: dropImages, externalFileAccess: false },
    );
    html = result.value;
  } catch (err) {
    throw new ExtractionError('corrupt', `The Word document could not be read: ${(err as Error).message}`, { cause: err });
  }
  const { sections, firstH1 } = htmlFragmentSections(html);
  return { format: 'docx', ...(firstH1 ? { title: firstH1 } : {}), sections };
}

/**
 * Document extraction for knowledge ingestion: uploaded bytes in, plain-text sections out.
 * The size limit is checked first, the format is sniffed from the content (never the name), and
 * every failure is an `ExtractionError` whose code the dashboard shows as a translated reason.
 */
import { extractCsv } from './csv';
import { extractDocx } from './docx';
import { extractHtml } from './html';
import { extractPdf } from './pdf';
import { sniffDocument } from './sniff';
import { extractMarkdown, extractTxt } from './text';
import type { ExtractedDocument } from './types';
import { ExtractionError } from './types';

export * from './types';
export { sniffFormat, sniffDocument, decodeText, type SniffResult } from './sniff';
export { extractHtml, htmlLinks } from './html';
export { MAX_CSV_ROWS } from './csv';

export interface ExtractOptions {
  /** The uploaded file's name: only a tie-breaker between md, txt and csv. */
  name?: string;
  /** Upload limit in bytes (the workspace's configured limit; 10 MB by default). */
  maxBytes: number;
}

const megabytes = (bytes: number) => {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
};

async function dispatch(bytes: Uint8Array, name: string | undefined): Promise<ExtractedDocument> {
  const { format, text = '' } = sniffDocument(bytes, name);
  switch (format) {
    case 'pdf':
      return extractPdf(bytes);
    case 'docx':
      return extractDocx(bytes);
    case 'html':
      return extractHtml(text);
    case 'csv':
      return extractCsv(text);
    case 'md':
      return extractMarkdown(text);
    case 'txt':
      return extractTxt(text);
  }
}

/**
 * Extracts an uploaded document. Throws `ExtractionError` with code `too_large`,
 * `unsupported_type`, `encrypted`, `no_text`, `empty` or `corrupt`.
 */
export async function extractDocument(bytes: Uint8Array, opts: ExtractOptions): Promise<ExtractedDocument> {
  if (!Number.isFinite(opts.maxBytes) || opts.maxBytes <= 0) {
    throw new RangeError(`maxBytes must be a positive number, got ${opts.maxBytes}`);
  }
  if (bytes.byteLength > opts.maxBytes) {
    throw new ExtractionError('too_large', `The file is ${megabytes(bytes.byteLength)}; the limit is ${megabytes(opts.maxBytes)}.`);
  }
  let doc: ExtractedDocument;
  try {
    doc = await dispatch(bytes, opts.name);
  } catch (err) {
    if (err instanceof ExtractionError) throw err;
    // A parser tripping over malformed input: the file is damaged, not the code.
    throw new ExtractionError('corrupt', `The ${opts.name ?? 'file'} could not be read: ${(err as Error)?.message ?? err}`, { cause: err });
  }
  const sections = doc.sections.filter((s) => s.text.trim() !== '');
  if (!sections.length) {
    throw new ExtractionError('no_text', `The ${doc.format.toUpperCase()} file contains no readable text.`);
  }
  return { ...doc, sections };
}

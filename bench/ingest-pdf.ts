/**
 * Knowledge ingestion of a long PDF without a database: a 200-page manual (testkit's `largePdf`)
 * through extract → chunk → local embedding, as the ingestion activity does it, in pages per
 * second; and extraction alone, which is most of the work for a PDF.
 */
import { DEFAULT_RETRIEVAL_SETTINGS } from '@sapa/shared/ai/settings';
import { largePdf } from '@sapa/testkit/samples';
import { chunkDocument } from '../workflows/src/rag/chunk';
import { embeddingText } from '../workflows/src/rag/in-memory';
import { createLocalEmbeddings } from '../workflows/src/rag/embed/local';
import { extractDocument } from '../workflows/src/rag/extract';

const PAGES = 200;
/** Runs of each measurement; the median is reported so one noisy moment does not decide it. */
const ROUNDS = 3;
/** The default upload limit (`KNOWLEDGE_MAX_UPLOAD_BYTES`). */
const MAX_BYTES = 10 * 1024 * 1024;
/** Texts per embedding call, as in the ingestion activity. */
const EMBED_BATCH = 64;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

async function timed<T>(task: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await task();
  return { ms: performance.now() - t0, value };
}

export async function benchIngestPdf() {
  const pdf = new Uint8Array(await largePdf(PAGES));
  const embedder = createLocalEmbeddings();
  const options = { chunkTokens: DEFAULT_RETRIEVAL_SETTINGS.chunkTokens, overlapTokens: DEFAULT_RETRIEVAL_SETTINGS.chunkOverlap };
  // One unmeasured pass: module loading and the JIT are not what a long upload waits on.
  await extractDocument(pdf, { name: 'panduan.pdf', maxBytes: MAX_BYTES });

  const extractMs: number[] = [];
  const pipelineMs: number[] = [];
  const chunkMs: number[] = [];
  const embedMs: number[] = [];
  let chunks = 0;
  let sections = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const extracted = await timed(() => extractDocument(pdf, { name: 'panduan.pdf', maxBytes: MAX_BYTES }));
    extractMs.push(extracted.ms);

    const t0 = performance.now();
    const document = await extractDocument(pdf, { name: 'panduan.pdf', maxBytes: MAX_BYTES });
    const t1 = performance.now();
    const pieces = chunkDocument(document.sections, options);
    const t2 = performance.now();
    for (let i = 0; i < pieces.length; i += EMBED_BATCH) {
      const batch = pieces.slice(i, i + EMBED_BATCH).map((c) => embeddingText({ title: 'panduan.pdf', heading: c.heading, text: c.text }));
      await embedder.embed(batch, 'document');
    }
    const t3 = performance.now();
    pipelineMs.push(t3 - t0);
    chunkMs.push(t2 - t1);
    embedMs.push(t3 - t2);
    chunks = pieces.length;
    sections = document.sections.length;
  }
  return {
    pages: PAGES,
    pdfBytes: pdf.byteLength,
    sections,
    chunks,
    chunkSettings: options,
    extractOnly: { ms: Math.round(median(extractMs)), pagesPerSecond: round((PAGES * 1000) / median(extractMs)) },
    pipeline: {
      ms: Math.round(median(pipelineMs)),
      pagesPerSecond: round((PAGES * 1000) / median(pipelineMs)),
      chunksPerSecond: round((chunks * 1000) / median(pipelineMs)),
      chunkMs: round(median(chunkMs)),
      embedMs: round(median(embedMs)),
    },
  };
}

/**
 * Retrieval evaluation: how well the embedded default (local embeddings + BM25, in process) finds
 * the passage that answers a customer's question. A question set names knowledge files and, for
 * each question, the file(s) whose chunks answer it; every file goes through the same pipeline as
 * ingestion (extract → chunk → embed), the chunks are indexed in memory, and each question is
 * asked through `retrieve`. Nothing here touches a database, so a test can run it too.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_RETRIEVAL_SETTINGS, type RetrievalSettings } from '@sapa/shared/ai/settings';
import { extractDocument } from '../workflows/src/rag/extract';
import { chunkInputs, inMemoryRag, type InMemoryDocument } from '../workflows/src/rag/in-memory';
import { WorkspaceIndex, type ChunkInput } from '../workflows/src/rag/knowledge-index';
import { retrieve, type RetrievalDeps, type RetrievedPassage } from '../workflows/src/rag/retrieve';

/** A passage counts as a hit when it is within this many of the top results. */
export const EVAL_TOP_K = 5;
/** Misses listed in the report; the rest are only counted. */
const MAX_LISTED_MISSES = 20;
/** The default upload limit (`KNOWLEDGE_MAX_UPLOAD_BYTES`): the eval reads no environment. */
const MAX_BYTES = 10 * 1024 * 1024;
const WORKSPACE_ID = 'eval-workspace';
const CHATBOT_ID = 'eval-chatbot';

export const evalSetSchema = z
  .object({
    name: z.string().trim().min(1),
    knowledge: z
      .array(z.object({ file: z.string().trim().min(1), name: z.string().trim().min(1) }))
      .min(1),
    questions: z
      .array(
        z.object({
          q: z.string().trim().min(1),
          expect: z.array(z.string().trim().min(1)).min(1),
          lang: z.string().optional(),
        }),
      )
      .min(1),
  })
  .superRefine((set, ctx) => {
    const files = new Set(set.knowledge.map((k) => k.file));
    if (files.size !== set.knowledge.length) ctx.addIssue({ code: 'custom', path: ['knowledge'], message: 'a knowledge file is listed twice' });
    set.questions.forEach((question, i) => {
      for (const file of question.expect) {
        if (!files.has(file)) ctx.addIssue({ code: 'custom', path: ['questions', i, 'expect'], message: `"${file}" is not one of the knowledge files` });
      }
    });
  });
export type EvalSet = z.infer<typeof evalSetSchema>;

/** A question set with its knowledge files read. */
export interface LoadedEvalSet extends EvalSet {
  /** Bytes of each knowledge file, by its `file` entry. */
  files: Map<string, Uint8Array>;
}

export interface EvalMiss {
  q: string;
  expect: string[];
  /** Knowledge files of the top 3 passages retrieved. */
  got: string[];
}

export interface EvalReport {
  set: string;
  questions: number;
  chunks: number;
  'recall@5': number;
  mrr: number;
  'recall@1': number;
  /** Questions whose best passage reaches the default `minScore`: the ones the bot would answer. */
  answered_above_threshold: number;
  misses: EvalMiss[];
}

/** Reads and validates a question set; knowledge paths are relative to the set file. */
export async function loadEvalSet(setPath: string): Promise<LoadedEvalSet> {
  const raw: unknown = JSON.parse(await readFile(setPath, 'utf8'));
  const parsed = evalSetSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${setPath} is not a valid question set:\n${z.prettifyError(parsed.error)}`);
  const dir = path.dirname(setPath);
  const files = new Map<string, Uint8Array>();
  for (const k of parsed.data.knowledge) files.set(k.file, await readFile(path.resolve(dir, k.file)));
  return { ...parsed.data, files };
}

/**
 * The chunks ingestion would store for the set's files, each with its local embedding, as index
 * inputs. A chunk's `sourceId` is its knowledge file's `file` entry, so a hit is read off it.
 */
export async function evalChunks(
  set: LoadedEvalSet,
  settings: Pick<RetrievalSettings, 'chunkTokens' | 'chunkOverlap'> = DEFAULT_RETRIEVAL_SETTINGS,
): Promise<ChunkInput[]> {
  const documents: InMemoryDocument[] = [];
  for (const k of set.knowledge) {
    const document = await extractDocument(set.files.get(k.file)!, { name: path.basename(k.file), maxBytes: MAX_BYTES }).catch((err: unknown) => {
      throw new Error(`${k.file} could not be extracted: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
    // An uploaded file's chunks carry the source's name as their title (see the knowledge activities).
    documents.push({ sourceId: k.file, title: k.name, chatbotIds: [CHATBOT_ID], document });
  }
  return chunkInputs(documents, settings);
}

export function inMemoryRetrieval(index: WorkspaceIndex): RetrievalDeps {
  const rag = inMemoryRag(index);
  return { indexes: rag.indexes, store: rag.store, embedder: rag.embedderFor(DEFAULT_RETRIEVAL_SETTINGS) };
}

/** Top-`EVAL_TOP_K` passages for a question, with no score threshold (recall is about ranking). */
export function askIndex(deps: RetrievalDeps, question: string): Promise<RetrievedPassage[]> {
  return retrieve(deps, { workspaceId: WORKSPACE_ID, chatbotId: CHATBOT_ID, query: question, settings: { topK: EVAL_TOP_K, minScore: 0 } });
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export async function runEval(set: LoadedEvalSet): Promise<EvalReport> {
  const chunks = await evalChunks(set);
  const deps = inMemoryRetrieval(new WorkspaceIndex(chunks));
  let hits = 0;
  let firstHits = 0;
  let reciprocalRanks = 0;
  let answered = 0;
  const misses: EvalMiss[] = [];
  for (const question of set.questions) {
    const passages = await askIndex(deps, question.q);
    const expected = new Set(question.expect);
    const rank = passages.findIndex((p) => expected.has(p.sourceId));
    if (rank >= 0) {
      hits++;
      reciprocalRanks += 1 / (rank + 1);
      if (rank === 0) firstHits++;
    } else {
      misses.push({ q: question.q, expect: question.expect, got: passages.slice(0, 3).map((p) => p.sourceId) });
    }
    if ((passages[0]?.score ?? 0) >= DEFAULT_RETRIEVAL_SETTINGS.minScore) answered++;
  }
  const n = set.questions.length;
  return {
    set: set.name,
    questions: n,
    chunks: chunks.length,
    'recall@5': round(hits / n),
    mrr: round(reciprocalRanks / n),
    'recall@1': round(firstHits / n),
    answered_above_threshold: answered,
    misses: misses.slice(0, MAX_LISTED_MISSES),
  };
}

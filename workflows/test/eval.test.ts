/**
 * Retrieval quality gate: the demo shop's question set (informal Indonesian, English and mixed
 * questions over Markdown, CSV, HTML and TXT knowledge) run through the embedded default engine
 * by `eval/lib.ts`, the same code as `npm run eval`. Quality, not timing, is asserted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { evalChunks, loadEvalSet, runEval } from '../../eval/lib';

const DEMO_SET = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../eval/demo/set.json');

describe('retrieval evaluation on the demo set', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sapa-eval-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('finds an answering passage in the top 5 for at least 90% of the questions', async () => {
    const report = await runEval(await loadEvalSet(DEMO_SET));
    expect(report.questions).toBeGreaterThanOrEqual(60);
    expect(report['recall@5'], JSON.stringify(report.misses, null, 2)).toBeGreaterThanOrEqual(0.9);
    // Sanity of the measures themselves: recall@1 ≤ MRR ≤ recall@5.
    expect(report['recall@1']).toBeLessThanOrEqual(report.mrr);
    expect(report.mrr).toBeLessThanOrEqual(report['recall@5']);
    expect(report.misses.length).toBeLessThanOrEqual(20);
  });

  it('ingests every knowledge file of the set, whatever its format', async () => {
    const set = await loadEvalSet(DEMO_SET);
    const chunks = await evalChunks(set);
    const files = new Set(chunks.map((c) => c.sourceId));
    expect([...files].sort()).toEqual(set.knowledge.map((k) => k.file).sort());
    // Each CSV row is its own chunk, headed by its first cell: a price question can land on one product.
    const csvRows = chunks.filter((c) => c.sourceId.endsWith('.csv'));
    expect(csvRows.length).toBeGreaterThan(20);
    expect(csvRows.some((c) => c.heading === 'Moka Pot' && c.text.includes('Rp295.000'))).toBe(true);
    for (const chunk of chunks) expect(chunk.vector?.length).toBe(256);
  });

  it('rejects a set whose expected file is not one of its knowledge files', async () => {
    const setPath = path.join(tmp, 'bad-set.json');
    writeFileSync(path.join(tmp, 'a.md'), '# A\n\nIsi.\n');
    writeFileSync(
      setPath,
      JSON.stringify({ name: 'bad', knowledge: [{ file: 'a.md', name: 'A' }], questions: [{ q: 'apa?', expect: ['b.md'] }] }),
    );
    await expect(loadEvalSet(setPath)).rejects.toThrow(/"b\.md" is not one of the knowledge files/);
  });
});

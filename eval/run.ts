/**
 * `npm run eval [-- --set FILE] [-- --min-recall 0.9]`: runs a retrieval question set (the demo
 * shop's by default) through the embedded default engine and prints one JSON report. With
 * `--min-recall`, exits 1 when recall@5 is below it, so CI can use it as a quality gate.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadEvalSet, runEval } from './lib';

const DEFAULT_SET = path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo', 'set.json');

const { values } = parseArgs({
  options: { set: { type: 'string' }, 'min-recall': { type: 'string' } },
  allowPositionals: true,
});
const minRecall = values['min-recall'] === undefined ? undefined : Number(values['min-recall']);
if (minRecall !== undefined && !(minRecall >= 0 && minRecall <= 1)) {
  process.stderr.write(`--min-recall must be a number from 0 to 1, got "${values['min-recall']}"\n`);
  process.exit(2);
}

const set = await loadEvalSet(path.resolve(values.set ?? DEFAULT_SET)).catch((err: unknown) => {
  // A missing file or a malformed set is the user's input: say what is wrong, without a stack.
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
const report = await runEval(set);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
if (minRecall !== undefined && report['recall@5'] < minRecall) {
  process.stderr.write(`recall@5 ${report['recall@5']} is below --min-recall ${minRecall}\n`);
  process.exit(1);
}

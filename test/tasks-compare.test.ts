// The bars of the forecast and classify tasks, checked on every run in their quick form: scripts/tasks/compare.mjs
// --quick trains lstm-ts' forecaster on the built-in births (8 epochs of an LSTM 32) and its classifier on the
// built-in names (3 epochs of a bidirectional LSTM 32), one seed, and holds them against PyTorch's same models on
// the same prepared data, read from the committed record scripts/tasks/torch-reference-quick.json (made by
//   node scripts/tasks/compare.mjs --quick --json-out scripts/tasks/torch-reference-quick.json
// with /usr/bin/python3's torch). The bars: both beat the naive forecast and lstm-ts' test MAE is within 25% of
// PyTorch's; both classifiers are 15 points above the majority class and within 5 points of each other. The full
// comparison (5 seeds, the defaults, 5% and 1.5 points) is the same script without --quick. And the check can fail:
// the same run at a twentieth of the learning rate misses both bars.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './helpers/cli.js';

interface Record {
  forecast: { verdict: { met: boolean; lstmTsMaeMean: number; torchMaeMean: number; seasonalNaiveMae: number } };
  classify: { verdict: { met: boolean; lstmTsAccuracyMean: number; torchAccuracyMean: number; majorityAccuracy: number } };
  table: string;
}

async function compare(extra: string[]): Promise<{ code: number | null; record: Record }> {
  const dir = mkdtempSync(join(tmpdir(), 'lstm-tasks-quick-'));
  try {
    const out = join(dir, 'run.json');
    const r = await run(process.execPath, ['scripts/tasks/compare.mjs', '--quick', '--torch-reference', 'scripts/tasks/torch-reference-quick.json', '--json-out', out, '--quiet', ...extra]);
    assert.ok(r.code === 0 || r.code === 1, `compare.mjs failed:\n${r.stdout}\n${r.stderr}`);
    return { code: r.code, record: JSON.parse(readFileSync(out, 'utf8')) as Record };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('forecast and classify --quick: lstm-ts trains as PyTorch does on the same data, and a run at a twentieth of the rate does not', { timeout: 600_000 }, async (t) => {
  const [good, off] = await Promise.all([compare([]), compare(['--lstm-args=--lr 0.0002'])]);
  for (const line of good.record.table.split("\n")) t.diagnostic(line);
  assert.equal(good.code, 0, `the quick bars were missed:\n${good.record.table}`);
  const f = good.record.forecast.verdict;
  assert.ok(f.lstmTsMaeMean < f.seasonalNaiveMae, 'even the quick forecaster beats seasonal-naive');
  assert.equal(off.code, 1, `a run at lr 0.0002 passed:\n${off.record.table}`);
  assert.equal(off.record.forecast.verdict.met, false);
  assert.equal(off.record.classify.verdict.met, false);
});

// `lstm bench`: a tiny run prints well-formed JSON rows (the keys scripts rely on, positive numbers) and a
// summary line; bad flags fail with one `lstm: error: ...` line and exit code 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { trainingStepFlops } from '../src/bench/flops.js';
import { lstm } from './helpers/cli.js';




const REQUIRED = ['cell', 'hidden', 'trainTokensPerSec', 'generateCharsPerSec', 'sgemmGflops', 'threads'] as const;

test('lstm bench --json prints one row per (cell, hidden) with positive numbers, then a summary', { skip: probeWasm().simd ? false : 'needs WebAssembly SIMD', timeout: 30_000 }, async () => {
  const r = await lstm(['bench', '--json', '--cells', 'lstm,gru', '--hidden', '32', '--seconds', '0.2', '--length', '50']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 3);
  const rows = lines.slice(0, 2);
  assert.deepEqual(rows.map((row) => [row.cell, row.hidden]), [['lstm', 32], ['gru', 32]]);
  for (const row of rows) {
    for (const k of REQUIRED) assert.ok(k in row, `row lacks ${k}: ${JSON.stringify(row)}`);
    for (const k of ['trainTokensPerSec', 'generateCharsPerSec', 'sgemmGflops', 'threads', 'trainGflops', 'peakFraction', 'sgemmGflops1Thread', 'simdPeakGflops', 'maxRssMB'] as const) {
      const v = row[k];
      assert.ok(typeof v === 'number' && Number.isFinite(v) && v > 0, `${k} should be a positive number, got ${JSON.stringify(v)}`);
    }
    assert.ok(Number.isInteger(row.threads));
    assert.equal(row.engine, 'fused');
    assert.equal(row.trainFlopsPerStep, trainingStepFlops({ cell: row.cell as 'lstm', hidden: 32, batch: 32, steps: 35, vocab: 28 }).total);
    assert.ok(Math.abs((row.lastLoss as number) - Math.log(28)) < 0.5, `random tokens: loss near ln 28, got ${row.lastLoss}`);
  }
  const summary = lines[2]!.summary as Record<string, unknown>;
  assert.ok(summary !== undefined && typeof summary.maxRssMB === 'number' && summary.maxRssMB > 0);
  assert.ok(typeof summary.simdPeakGflops === 'number' && summary.simdPeakGflops > 0);
  // The sgemm variants were timed at start-up: which ran, and every variant's rate, are in the summary and rows.
  const gemm = summary.gemm as { tile: string; rowTile: string; how: string; gflops: Record<string, number> };
  assert.equal(gemm.how, 'measured');
  assert.ok(gemm.gflops[gemm.tile]! > 0 && gemm.gflops[gemm.rowTile]! > 0, JSON.stringify(gemm));
  for (const row of rows) assert.deepEqual([row.gemmTile, row.gemmRowTile], [gemm.tile, gemm.rowTile]);
  const split = summary.split as { minParallelMacs: number; how: string };
  assert.ok(split.minParallelMacs > 0 && ['measured', 'default'].includes(split.how), JSON.stringify(split));
});

test('the human table has a header, one line per row, the peak and the sgemm variants named by --gemm', { skip: probeWasm().simd ? false : 'needs WebAssembly SIMD', timeout: 30_000 }, async () => {
  const r = await lstm(['bench', '--cells', 'rnn', '--hidden', '16', '--seconds', '0.1', '--length', '20', '--parts', 'train,sgemm', '--threads', '1', '--gemm', '4x8,row32']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[1]!, /^128-bit SIMD peak: [\d.]+ GFLOP\/s per thread/);
  assert.match(lines[2]!, /^cell\s+hidden\s+train tok\/s/);
  assert.match(lines[3]!, /^rnn\s+16\s+[\d,]+\s/);
  assert.match(r.stdout, /peak resident memory: \d+ MiB/);
  assert.match(r.stdout, /^sgemm: tile 4x8, row tile row32 \(set\); products under [\d,]+ multiply-adds on one thread/m);
});

test('lstm bench --task forecast|classify --json: steps per second of the task models on the fused engine, then a summary', { skip: probeWasm().simd ? false : 'needs WebAssembly SIMD', timeout: 60_000 }, async () => {
  const runs = await Promise.all([
    lstm(['bench', '--task', 'forecast', '--json', '--hidden', '8,16', '--seconds', '0.1', '--threads', '1']),
    lstm(['bench', '--task', 'classify', '--json', '--hidden', '8', '--seconds', '0.1', '--threads', '1']),
  ]);
  for (const [r, task, hidden] of [[runs[0]!, 'forecast', [8, 16]], [runs[1]!, 'classify', [8]]] as const) {
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const rows = lines.slice(0, -1);
    assert.deepEqual(rows.map((row) => [row.task, row.hidden]), hidden.map((h) => [task, h]));
    for (const row of rows) {
      for (const k of ['trainStepsPerSec', 'trainStepsPerSecMedian', 'sequencesPerSec', 'maxRssMB', 'meanLength'] as const) {
        assert.ok(typeof row[k] === 'number' && (row[k] as number) > 0, `${task} ${k}: ${JSON.stringify(row[k])}`);
      }
      assert.equal(row.engine, 'fused');
      assert.equal(row.backend, 'wasm');
      assert.equal(row.batch, task === 'forecast' ? 64 : 32);
      // The classifier's lengths are spread over 20..200 (mean 110 over a whole period of 181 rows).
      if (task === 'classify') assert.ok(Math.abs((row.meanLength as number) - 110) < 10, `mean length ${row.meanLength}`);
    }
    const summary = lines[lines.length - 1]!.summary as Record<string, unknown>;
    assert.equal(summary.task, task);
    assert.ok(typeof summary.maxRssMB === 'number' && summary.maxRssMB > 0);
  }
});

test('one-step FLOP count: 6·B·T·H·(G·H + V)', () => {
  assert.equal(trainingStepFlops({ cell: 'lstm', hidden: 256, batch: 32, steps: 35, vocab: 28 }).total, 6 * 1120 * 256 * (1024 + 28));
  assert.equal(trainingStepFlops({ cell: 'gru', hidden: 128, batch: 32, steps: 35, vocab: 28 }).total, 6 * 1120 * 128 * (384 + 28));
  assert.equal(trainingStepFlops({ cell: 'rnn', hidden: 64, batch: 2, steps: 3, vocab: 5 }).total, 6 * 6 * 64 * (64 + 5));
});

const BAD: Array<[string, string[], RegExp]> = [
  ['unknown cell', ['--cells', 'lstm,transformer'], /option '--cells <list>' argument 'lstm,transformer' is invalid\..*'transformer' is not one/],
  ['hidden 0', ['--hidden', '128,0'], /'--hidden <list>' argument '128,0' is invalid/],
  ['empty list item', ['--hidden', '128,'], /'--hidden <list>' argument '128,' is invalid/],
  ['threads 0', ['--threads', '0'], /'--threads <n>' argument '0' is invalid\. must be a positive integer/],
  ['seconds -1', ['--seconds', '-1'], /'--seconds <s>' argument '-1' is invalid/],
  ['unknown part', ['--parts', 'train,fly'], /'--parts <list>' argument 'train,fly' is invalid/],
  ['unknown flag', ['--fast'], /unknown option '--fast'/],
  ['unknown task', ['--task', 'translate'], /option '--task <task>' argument 'translate' is invalid/],
  ['unknown sgemm variant', ['--gemm', '2x16,9x9'], /--gemm: unknown kernelVariant "9x9"; available: 2x16, /],
];

test('lstm bench with a bad flag fails with one line naming it', async () => {
  // All at once: each is a separate process, and this keeps the file fast.
  const runs = await Promise.all(BAD.map(([, args]) => lstm(['bench', ...args])));
  BAD.forEach(([what, , message], i) => {
    const r = runs[i]!;
    assert.equal(r.code, 1, what);
    assert.equal(r.stdout, '', what);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `${what}: ${r.stderr}`);
    assert.match(lines[0]!, /^lstm: error: /, what);
    assert.match(lines[0]!, message, what);
  });
});

// The fused sequence engine on the WebAssembly time loops, on 1, 2 and 3 threads: the runtime is initialised on
// that many threads and the pool's workers waited for before anything runs (through `init`, so the autograd path's
// first product does not initialise the runtime again with the default threads, replacing the pool mid-test), every product is split whatever its size (threshold 0) and the pool does not
// fall back to one thread on a busy machine, and each case asserts that every time loop ran whole in wasm, split
// over all the threads. Each run is held to the autograd path (within float32 rounding, as in
// engine-sequence.test.ts), and the numbers must be the same bits on every thread count: rows of a recurrent layer
// never meet, each row's sums run in the same order whichever thread takes it. Batches have rows of different
// lengths in no order, rows shorter than T, an odd hidden size and both directions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../src/core/random.js';
import { createWasmBackend } from '../src/kernels/wasm/engine-backend.js';
import { initWasmSync } from '../src/kernels/wasm/backend.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { threadPool } from '../src/kernels/wasm/threads.js';
import { init } from '../src/kernels/runtime.js';
import { ensureSplitChoice } from '../src/kernels/wasm/split-choice.js';
import type { Backend } from '../src/kernels/backend.js';
import { SequenceClassifier, SequenceRegressor } from '../src/nn/index.js';
import { compare, denseBatch, idsBatch, type Model } from './helpers/sequence-engine.js';
import type { SequenceBatch, SequenceLossOptions } from '../src/engine/index.js';

const support = probeWasm();
const skip = support.simd && support.sharedMemory ? false : 'needs WebAssembly SIMD and shared memory';
const [B, T] = [8, 7];
const LENGTHS = [7, 3, 1, 5, 5, 2, 6, 4];
const SHORT = [4, 3, 1, 5, 5, 2, 2, 4]; // no row takes the last two steps

interface Case {
  name: string;
  make: () => Model;
  batches: (random: Random) => SequenceBatch[];
  options: SequenceLossOptions;
  /** Time loops per training step: layers · directions, forward and backward. */
  loops: number;
}

const CASES: Case[] = [
  {
    name: 'LSTM classifier, 2 bidirectional layers, embedding, mean pool, dropout, class weights',
    make: () => new SequenceClassifier({ vocabSize: 11, numClasses: 3, embeddingDim: 5, hiddenSize: 9, numLayers: 2, bidirectional: true, pool: 'mean', dropout: 0.2, seed: 3 }),
    batches: (r) => [idsBatch(r, B, T, 11, 3, LENGTHS), idsBatch(r, B, T, 11, 3, SHORT)],
    options: { classWeights: [1, 0.5, 2] },
    loops: 8,
  },
  {
    name: 'GRU forecaster, 2 bidirectional layers, dense input, Huber',
    make: () => new SequenceRegressor({ cell: 'gru', inputSize: 4, hiddenSize: 9, numLayers: 2, bidirectional: true, horizon: 3, seed: 4 }),
    batches: (r) => [denseBatch(r, B, T, 4, 3, 1, LENGTHS), denseBatch(r, B, T, 4, 3, 1)],
    options: { loss: 'huber' },
    loops: 8,
  },
  {
    name: 'RNN classifier, 1 bidirectional layer, one-hot, last step',
    make: () => new SequenceClassifier({ cell: 'rnn', vocabSize: 6, numClasses: 4, hiddenSize: 9, bidirectional: true, seed: 5 }),
    batches: (r) => [idsBatch(r, B, T, 6, 4, SHORT), idsBatch(r, B, T, 6, 4, LENGTHS)],
    options: {},
    loops: 4,
  },
];

type Loops = { wasm: number; split: number; byStep: number };
const loopsOf = (be: Backend): Loops => ({ ...(be as unknown as { loops: Loops }).loops });

const results = new Map<string, Float32Array[]>();

for (const threads of [1, 2, 3]) {
  test(`fused sequence engine on the wasm time loops, ${threads} thread(s): equals autograd, says which path ran, the same bits on every thread count`, { skip }, async (t) => {
    t.after(() => init());
    await init({ backend: 'wasm', threads });
    const pool = threadPool(initWasmSync());
    pool.adaptive = false;
    assert.equal(await pool.ready(10_000), threads, 'every worker started before the first kernel runs');
    ensureSplitChoice(initWasmSync(), pool); // timed now, so it does not reset the threshold below on first use
    const timed = pool.minParallelMacs;
    pool.minParallelMacs = 0; // every product split over the threads, however small
    try {
      for (const c of CASES) {
        const backend = createWasmBackend();
        const before = loopsOf(backend);
        const numbers = compare(`${c.name}, ${threads} thread(s)`, c.make, c.batches(new Random(21)), c.options, backend);
        const after = loopsOf(backend);
        const ran = { wasm: after.wasm - before.wasm, split: after.split - before.split, byStep: after.byStep - before.byStep };
        const perRun = 2 * c.loops; // two steps
        assert.deepEqual(ran, { wasm: perRun, split: threads > 1 ? perRun : 0, byStep: 0 }, `${c.name}: path taken`);
        const first = results.get(c.name);
        if (first === undefined) results.set(c.name, numbers);
        else assert.deepEqual(numbers, first, `${c.name}: ${threads} thread(s) give the bits 1 thread gave`);
      }
      // Two rows of different lengths, both directions: fewer than two rows per thread, so with products worth
      // splitting the loops go step by step (the reference loops on the wasm kernels, each product split by columns).
      const make = (): Model => new SequenceClassifier({ cell: 'gru', vocabSize: 6, numClasses: 3, embeddingDim: 4, hiddenSize: 9, bidirectional: true, pool: 'mean', seed: 6 });
      const batches = (r: Random): SequenceBatch[] => [idsBatch(r, 2, T, 6, 3, [7, 3]), idsBatch(r, 2, T, 6, 3, [2, 5])];
      const backend = createWasmBackend();
      const numbers = compare(`two rows, ${threads} thread(s)`, make, batches(new Random(5)), {}, backend);
      assert.deepEqual(loopsOf(backend), threads > 1 ? { wasm: 0, split: 0, byStep: 8 } : { wasm: 8, split: 0, byStep: 0 }, 'two rows: path taken');
      const first = results.get('two rows');
      if (first === undefined) results.set('two rows', numbers);
      else assert.deepEqual(numbers, first, `two rows: ${threads} thread(s), step by step, give the bits 1 thread gave in wasm`);
    } finally {
      pool.minParallelMacs = timed;
      pool.adaptive = true;
    }
  });
}

test('time-loop bands: equal rows (even sizes) without work, equal shares of work with it', async () => {
  const { bandEnds } = await import('../src/kernels/wasm/threads.js');
  assert.deepEqual(bandEnds(8, 2), [4, 8]);
  assert.deepEqual(bandEnds(7, 2), [4, 7]);
  assert.deepEqual(bandEnds(3, 3), [1, 2, 3], 'one row each: no even rounding below two rows');
  assert.deepEqual(bandEnds(8, 1, [9, 1, 1, 1, 1, 1, 1, 1]), [8]);
  // Sorted longest first: the first band takes fewer, longer rows (sums 10, 8, 8 of 26).
  assert.deepEqual(bandEnds(8, 3, [5, 5, 4, 4, 3, 2, 2, 1]), [2, 4, 8]);
  const lengths = Array.from({ length: 32 }, (_, b) => 200 - 5 * b);
  const [end] = bandEnds(32, 2, lengths);
  const first = lengths.slice(0, end).reduce((a, b) => a + b, 0);
  const total = lengths.reduce((a, b) => a + b, 0);
  assert.ok(end! % 2 === 0 && Math.abs(first / total - 0.5) < 0.05, `first band ${end} rows, ${first} of ${total}`);
});

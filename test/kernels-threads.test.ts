// Threads split a product into column bands (a time loop into row bands); every element is still summed in the same
// order, so results must be bit-identical whatever the thread count, for products of every shape the engine issues,
// and for a training step. Also the policy that runs jobs on one thread while the workers lag (a busy machine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../src/core/random.js';
import { initWasmSync } from '../src/kernels/wasm/backend.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { LagMonitor, ThreadPool, threadPool } from '../src/kernels/wasm/threads.js';
import type { Recurrent } from '../src/nn/recurrent.js';

const support = probeWasm();

function fill(view: Float32Array, random: Random): void {
  for (let k = 0; k < view.length; k++) view[k] = random.uniform(-1, 1);
}

test('a product split over threads equals the single-threaded product bit for bit', { skip: support.simd && support.sharedMemory ? false : 'needs WebAssembly SIMD and shared memory' }, async () => {
  const inst = initWasmSync();
  const ex = inst.exports;
  const pools = [new ThreadPool(inst, 1), new ThreadPool(inst, 2), new ThreadPool(inst, 3)];
  // Workers start asynchronously; wait until each pool has all of its threads.
  await Promise.all(pools.map((p) => p.ready()));
  assert.deepEqual(pools.map((p) => p.active), [1, 2, 3]);
  const random = new Random(5);
  const shapes: Array<[number, number, number, boolean, boolean]> = [
    [32, 1024, 256, false, false], // the step product h U at H = 256
    [32, 256, 1024, false, true], // dh = dG Uᵀ
    [256, 1024, 1120, true, false], // dU = Σ h_{t-1}ᵀ dG
    [1120, 28, 256, false, false], // the decoder's logits: narrow, split by rows
    [1121, 28, 64, false, true], // narrow with an odd row count
    [28, 256, 1120, true, false], // the decoder's weight gradient, transposed
    [37, 333, 129, false, false], // ragged edges
    [64, 48, 500, true, true],
  ];
  for (const [m, n, k, transA, transB] of shapes) {
    for (const beta of [0, 1]) {
      const a = ex.alloc(m * k * 4);
      const b = ex.alloc(k * n * 4);
      const cs = pools.map(() => ex.alloc(m * n * 4));
      const f32 = () => new Float32Array(inst.memory.buffer);
      fill(new Float32Array(inst.memory.buffer, a, m * k), random);
      fill(new Float32Array(inst.memory.buffer, b, k * n), random);
      const c0 = new Float32Array(m * n);
      fill(c0, random);
      const results = pools.map((pool, p) => {
        f32().set(c0, cs[p]! / 4);
        pool.gemm(m, n, k, a, b, cs[p]!, transA ? 1 : 0, transB ? 1 : 0, beta);
        return new Float32Array(inst.memory.buffer, cs[p]!, m * n).slice();
      });
      assert.deepEqual(results[1], results[0], `${m}x${n}x${k} tA=${transA} tB=${transB} beta=${beta}: 2 threads`);
      assert.deepEqual(results[2], results[0], `${m}x${n}x${k} tA=${transA} tB=${transB} beta=${beta}: 3 threads`);
    }
  }
  for (const p of pools) p.close();
});

test('a fused training step on two threads equals one thread bit for bit (LSTM, GRU, RNN; time loops split by rows, even and odd batches)', { skip: support.simd && support.sharedMemory ? false : 'needs WebAssembly SIMD and shared memory' }, async () => {
  const { setThreads } = await import('../src/kernels/wasm/threads.js');
  const { createWasmBackend } = await import('../src/kernels/wasm/engine-backend.js');
  const { FusedLanguageModel } = await import('../src/engine/language-model.js');
  const { LSTM, GRU, RNN, RNNModel } = await import('../src/nn/index.js');
  const [V, H, T] = [11, 160, 4];
  const random = new Random(9);
  const makers: Array<() => Recurrent> = [
    () => new LSTM({ inputSize: V, hiddenSize: H, numLayers: 2, seed: 4 }),
    () => new GRU({ inputSize: V, hiddenSize: H, seed: 4 }),
    () => new RNN({ inputSize: V, hiddenSize: H, seed: 4 }),
  ];
  for (const [make, B] of makers.flatMap((m) => [[m, 32], [m, 7]] as const)) {
    const x = Int32Array.from({ length: B * T }, () => random.int(V));
    const y = Int32Array.from({ length: B * T }, () => random.int(V));
    const results: Array<{ loss: number; grads: Float32Array[] }> = [];
    for (const threads of [1, 2]) {
      setThreads(threads);
      const model = new RNNModel(make(), V, { seed: 5 }); // seeded: unseeded layers draw from the global generator
      const engine = new FusedLanguageModel(model, createWasmBackend());
      // Let the pool's worker finish starting, so the step really runs on `threads` threads.
      await threadPool(initWasmSync()).ready();
      assert.equal((engine.backend as unknown as { threads: number }).threads, threads);
      const step = engine.lossAndGrad(x, y, B, T);
      results.push({ loss: step.loss, grads: model.parameters().map((p) => Float32Array.from(p.grad!)) });
    }
    assert.equal(results[1]!.loss, results[0]!.loss);
    results[0]!.grads.forEach((g, k) => assert.deepEqual(results[1]!.grads[k], g, `parameter ${k}`));
  }
  setThreads((await import("../src/kernels/wasm/threads.js")).availableCores());
});

test('lag policy: jobs stay split while the workers keep up, go solo for a stretch after a window of long waits', () => {
  const lag = new LagMonitor();
  const splits = (n: number): boolean[] => Array.from({ length: n }, () => lag.split());
  // Workers a little late on every job, and once very late on a tiny job: the window's waits stay under its work.
  for (let j = 0; j < LagMonitor.WINDOW; j++) lag.record(j === 5 ? 0.01 : 2, j === 5 ? 0.5 : 0.4);
  assert.ok(splits(LagMonitor.SOLO + 1).every((s) => s), 'split while the workers keep up');
  // A window in which the waits exceed the own shares: the next SOLO jobs run on one thread, then split again.
  for (let j = 0; j < LagMonitor.WINDOW; j++) lag.record(1, 1.5);
  const after = splits(LagMonitor.SOLO + 2);
  assert.deepEqual(after.slice(0, LagMonitor.SOLO), Array(LagMonitor.SOLO).fill(false));
  assert.deepEqual(after.slice(LagMonitor.SOLO), [true, true]);
  // A window is judged only when full: WINDOW - 1 late jobs decide nothing yet.
  for (let j = 0; j < LagMonitor.WINDOW - 1; j++) lag.record(1, 5);
  assert.equal(lag.split(), true);
  lag.record(1, 5);
  assert.equal(lag.split(), false);
});

test('the split threshold is timed once the workers are up, and lands between its bounds', { skip: support.simd && support.sharedMemory ? false : 'needs WebAssembly SIMD and shared memory' }, async () => {
  const { splitChoice, ensureSplitChoice } = await import('../src/kernels/wasm/split-choice.js');
  const inst = initWasmSync();
  const pool = new ThreadPool(inst, 2);
  assert.equal(splitChoice(pool).how, 'default');
  await pool.ready();
  assert.equal(ensureSplitChoice(inst, pool), true);
  const choice = splitChoice(pool);
  assert.equal(choice.how, 'measured');
  assert.equal(choice.threads, 2);
  assert.equal(pool.minParallelMacs, choice.minParallelMacs);
  assert.ok(choice.minParallelMacs >= 1 << 14 && choice.minParallelMacs <= 1 << 26, `threshold ${choice.minParallelMacs}`);
  assert.ok(choice.overheadUs >= 0 && choice.soloGflops > 0, JSON.stringify(choice));
  assert.equal(pool.adaptive, true, 'the lag policy is back on');
  assert.equal(ensureSplitChoice(inst, pool), true);
  assert.equal(splitChoice(pool), choice, 'timed once');
  pool.close();
});

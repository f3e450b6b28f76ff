// Weights living in WebAssembly memory (issue #15): the fused engine moves the parameters it trains, their
// gradients and the optimizer's buffers into the engine's memory, and the tensors become views of it. The same
// numbers, bit for bit, whether the weights are kept there or copied in and out, on a shared memory or a non-shared
// one whose growth detaches every view (helpers/resident-run.ts); the Tensor contract unchanged for them (grads,
// zeroGrad, detach, reshape, state dicts); float64 tensors, the reference backend, the tape and user-written
// cells keep JavaScript arrays; and a dropped model's memory goes back to the pool unless a view of it is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Random } from '../src/core/random.js';
import { Tensor } from '../src/core/tensor.js';
import { reshape } from '../src/core/ops/index.js';
import { fusedEngineFor, setEngineBackend, useEngine } from '../src/engine/index.js';
import { createRefBackend } from '../src/kernels/backend.js';
import { createEngineBackend } from '../src/kernels/index.js';
import { createWasmKernelsOn, initWasmSync } from '../src/kernels/wasm/backend.js';
import { regionPool } from '../src/kernels/wasm/memory-pool.js';
import { createWasmOptimKernelsOn } from '../src/kernels/wasm/optim.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { placeInWasm, storageOf, WasmStorage } from '../src/kernels/wasm/storage.js';
import { Adam } from '../src/optim/adam.js';
import { buildModel } from '../src/train/model-config.js';
import { lossAndGrad } from '../src/train/step.js';
import { run } from './helpers/cli.js';

const skip = probeWasm().simd ? false : 'WebAssembly SIMD is not available here';

const x = Int32Array.from({ length: 4 * 6 }, (_, k) => (k * 7) % 28);
const batch = { x, y: x.map((v) => (v + 1) % 28), batchSize: 4, numSteps: 6 };
const lm = (seed: number, cell: 'lstm' | 'gru' | 'rnn' = 'lstm') => buildModel({ cell, hiddenSize: 16, numLayers: 1, dropout: 0, vocabSize: 28, seed });

test('the same losses, weights and optimizer buffers with weights kept in wasm memory or copied, on shared and non-shared memory', { skip, timeout: 240_000 }, async () => {
  const runs = [];
  for (const args of [['resident'], ['copy'], ['resident', 'unshared'], ['copy', 'unshared']]) {
    const r = await run(process.execPath, ['--import', 'tsx', 'test/helpers/resident-run.ts', ...args]);
    assert.equal(r.code, 0, r.stderr);
    runs.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as { mode: string; shared: boolean; threads: number; detached: number; losses: number[]; hash: string });
  }
  const [resident, copy, residentUnshared, copyUnshared] = runs as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
  assert.deepEqual([resident.shared, residentUnshared.shared, residentUnshared.threads], [true, false, 1]);
  // On a non-shared memory (a page that is not cross-origin isolated) growth would detach views of wasm memory, and a
  // `.data` array a user kept would read as empty: there the weights stay in JavaScript arrays, whatever is asked.
  assert.equal(residentUnshared.detached, 0, 'a non-shared memory keeps the weights in JavaScript arrays, which no growth detaches');
  assert.equal(copyUnshared.detached, 0, 'copied weights are JavaScript arrays, which no growth detaches');
  for (const other of [copy, residentUnshared, copyUnshared]) {
    assert.deepEqual(other.losses, resident.losses, `${other.mode}${other.shared ? '' : ', unshared'}: losses`);
    assert.equal(other.hash, resident.hash, `${other.mode}${other.shared ? '' : ', unshared'}: weights and optimizer buffers`);
  }
});

test('a tensor in wasm memory keeps the Tensor contract: values, grad null until set, gradBuffer, zeroGrad, assignment, detach, reshape', { skip }, () => {
  const inst = initWasmSync();
  const t = new Tensor(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3], { requiresGrad: true });
  const f64 = Tensor.zeros([2], { dtype: 'float64' });
  assert.equal(placeInWasm(inst, [t, t, f64, Tensor.zeros([0])], true), 1, 'float64, empty and repeated tensors do not move');
  assert.ok(t.storage instanceof WasmStorage && t.gradStorage instanceof WasmStorage);
  assert.equal(f64.storage, null);
  assert.equal(storageOf(t.data), t.storage, 'data is a view of the storage');
  assert.deepEqual([...t.data], [1, 2, 3, 4, 5, 6]);
  assert.equal(t.grad, null);
  t.gradBuffer()[1] = 7;
  assert.deepEqual([...t.grad!], [0, 7, 0, 0, 0, 0], 'a fresh gradient buffer starts at zero');
  t.zeroGrad(false);
  assert.deepEqual([...t.grad!], [0, 0, 0, 0, 0, 0]);
  t.zeroGrad();
  assert.equal(t.grad, null);
  const assigned = Float32Array.of(6, 5, 4, 3, 2, 1);
  t.grad = assigned;
  assert.notEqual(t.grad, assigned, 'an assigned gradient is copied into the storage');
  assert.deepEqual([...t.grad], [6, 5, 4, 3, 2, 1]);
  assert.equal(t.claimGradStorage(), true);
  t.grad = null;
  assert.equal(t.claimGradStorage(), false, 'claiming a gradient that was not there says so, and marks it present');
  // Views that share the values: writes through one show in the other.
  const d = t.detach();
  const r = reshape(t, [3, 2]);
  assert.equal(d.storage, t.storage);
  assert.equal(r.storage, t.storage);
  d.data[0] = 9;
  assert.equal(t.data[0], 9);
  assert.equal(r.data[0], 9);
  // Assigning data brings the tensor back to JavaScript arrays, its gradient with it.
  t.grad = Float32Array.of(1, 1, 1, 1, 1, 1);
  const back = new Float64Array(6).fill(0.5);
  t.data = back;
  assert.equal(t.data, back);
  assert.equal(t.storage, null);
  assert.equal(t.gradStorage, null);
  assert.deepEqual([...t.grad], [1, 1, 1, 1, 1, 1]);
  assert.equal(storageOf(t.grad), undefined);
});

test('the fused engine on wasm moves a model into wasm memory; the reference backend, the tape, float64 and user-written cells keep arrays', { skip }, () => {
  const onWasm = lm(1);
  lossAndGrad(onWasm, batch, undefined);
  for (const [name, p] of onWasm.namedParameters()) assert.ok(p.storage !== null && p.grad !== null && storageOf(p.grad) !== undefined, name);

  setEngineBackend(createRefBackend);
  try {
    const onRef = lm(1);
    lossAndGrad(onRef, batch, undefined);
    assert.ok(onRef.parameters().every((p) => p.storage === null && p.grad !== null), 'reference backend');
  } finally {
    setEngineBackend(createEngineBackend);
  }
  useEngine('autograd');
  try {
    const onTape = lm(1);
    lossAndGrad(onTape, batch, undefined);
    assert.ok(onTape.parameters().every((p) => p.storage === null), 'the tape');
  } finally {
    useEngine('auto');
  }
  const f64 = lm(1);
  for (const p of f64.parameters()) p.data = Float64Array.from(p.data);
  assert.equal(fusedEngineFor(f64), null);
  assert.ok(f64.parameters().every((p) => p.storage === null), 'float64');
});

test('a checkpoint loaded into a model in wasm memory is what its engine trains on; state dicts read the same numbers', { skip }, () => {
  const a = lm(2, 'gru');
  const optA = new Adam(a.parameters(), { lr: 0.01 });
  for (let k = 0; k < 2; k++) {
    optA.zeroGrad(false);
    lossAndGrad(a, batch, undefined);
    optA.step();
  }
  const b = lm(3, 'gru');
  const optB = new Adam(b.parameters(), { lr: 0.01 });
  lossAndGrad(b, batch, undefined); // its engine moves it into wasm memory
  b.loadStateDict(a.stateDict());
  optB.loadStateDict(optA.stateDict());
  assert.ok(b.parameters().every((p) => p.storage !== null));
  for (const [opt, model] of [[optA, a], [optB, b]] as const) {
    opt.zeroGrad(false);
    lossAndGrad(model, batch, undefined);
    opt.step();
  }
  const [sa, sb] = [a.stateDict(), b.stateDict()];
  for (const name of Object.keys(sa)) assert.deepEqual(sb[name]!.data, sa[name]!.data, name);
  assert.deepEqual(optB.stateDict().buffers, optA.stateDict().buffers);
  assert.ok(Object.values(sa).every((t) => storageOf(t.data) === undefined), 'a state dict holds copies, in JavaScript arrays');
});

test('a dropped model gives its wasm memory back to the pool, but not while a view of it is still held', { skip }, async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const collect = async (): Promise<void> => {
    for (let k = 0; k < 4; k++) {
      gc();
      await new Promise((r) => setTimeout(r, 5)); // finalizers run after a collection, on a later task
    }
  };
  const inst = initWasmSync();
  const pool = regionPool(inst);
  await collect(); // what earlier tests dropped
  let t: Tensor | null = new Tensor(new Float32Array(1 << 18).fill(3), [1 << 18]); // 1 MiB
  placeInWasm(inst, [t], false);
  const region = (t.storage as WasmStorage).region;
  let kept: Float32Array | null = t.data as Float32Array;
  t = null;
  const free = pool.freeBytes;
  await collect();
  assert.equal(pool.freeBytes, free, 'a view still held keeps its block');
  assert.equal(kept![5], 3);
  kept = null;
  await collect();
  assert.equal(pool.freeBytes, free + region.bytes, 'once nothing can read it, the block is back in the pool');
});

test('optimizer, clipping and product kernels run in place on arrays in wasm memory: nothing allocated, the same bits as through copies', { skip }, () => {
  const inst = initWasmSync();
  const ex = inst.exports;
  const n = 100_003; // more than six chunks of the copy path, and a SIMD tail
  const random = new Random(21);
  const values = (): Float32Array => Float32Array.from({ length: n }, () => random.uniform(-1, 1));
  const [p0, g0, m0, v0] = [values(), values(), values(), values().map(Math.abs)];
  const tensors = [p0, g0, m0, v0].map((a) => new Tensor(a.slice(), [n]));
  placeInWasm(inst, tensors, false);
  const [p, g, m, v] = tensors.map((t) => t.data as Float32Array) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const copies = [p0, g0, m0, v0].map((a) => a.slice()) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const kernels = createWasmOptimKernelsOn(inst);
  const hyper = { stepSize: 1e-3, sqrtBc2: 0.3, beta1: 0.9, beta2: 0.999, eps: 1e-8, shrink: 1, l2: 0.01 };
  // The allocator's top a kilobyte short of the memory's end: any scratch would grow the memory.
  const bytes = inst.memory.buffer.byteLength;
  const top = ex.mark();
  ex.alloc(bytes - top - 1024);
  let results: number[];
  try {
    results = [kernels.sumSquares(g), kernels.adamUpdate(p, g, m, v, hyper), kernels.sgdUpdate(p, g, m, { lr: 0.1, momentum: 0.9, weightDecay: 0, nesterov: true })];
    kernels.scaleInPlace(g, 0.5);
    assert.equal(inst.memory.buffer.byteLength, bytes, 'no scratch was taken: the kernels ran where the arrays are');
  } finally {
    ex.release(top);
  }
  const [cp, cg, cm, cv] = copies;
  const want = [kernels.sumSquares(cg), kernels.adamUpdate(cp, cg, cm, cv, hyper), kernels.sgdUpdate(cp, cg, cm, { lr: 0.1, momentum: 0.9, weightDecay: 0, nesterov: true })];
  kernels.scaleInPlace(cg, 0.5);
  assert.deepEqual(results, want, 'sums and bound ratios');
  tensors.forEach((t, k) => assert.deepEqual(t.data, copies[k], `array ${k}`));

  // A product whose B and C are in wasm memory: passed where they are, the same bits as the all-copies product.
  const b = new Tensor(values().subarray(0, 40 * 30), [40, 30]);
  const c = new Tensor(values().subarray(0, 20 * 30), [20, 30]);
  const [b0, c0] = [b.data.slice(), c.data.slice()];
  placeInWasm(inst, [b, c], false);
  const a = values().subarray(0, 20 * 40);
  const wasmGemm = createWasmKernelsOn(inst).gemm;
  wasmGemm({ m: 20, n: 30, k: 40, a, b: b.data, c: c.data, beta: 1 });
  wasmGemm({ m: 20, n: 30, k: 40, a, b: b0, c: c0, beta: 1 });
  assert.deepEqual(c.data, c0);
});

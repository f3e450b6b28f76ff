// The wasm SIMD sgemm against the reference gemm: many shapes (edges of the 2x16 tile, the KC/MC blocking, the
// m = 1 / n = 1 gemv paths), all four transpose combinations, beta 0 and 1 on a non-zero C; the feature probe;
// the float64 fallback; and the dispatcher switch, with the matmul op and its gradients on both backends.
// Shapes: op(A) (M, K), op(B) (K, N), C (M, N); A stored (K, M) if transA, B stored (N, K) if transB.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Tensor, type Data } from '../src/core/tensor.js';
import { Random } from '../src/core/random.js';
import { gradcheck } from '../src/core/gradcheck.js';
import { matmul, mul, sum } from '../src/core/ops/index.js';
import { gemm as refGemm, type GemmArgs } from '../src/kernels/ref/gemm.js';
import { availableBackends, initSync, kernels, runtimeInfo, useBackend, type Kernels } from '../src/kernels/index.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { createWasmKernels, wasmInstance } from '../src/kernels/wasm/backend.js';

const support = probeWasm();
const skip = support.simd ? false : 'WebAssembly SIMD is not available in this runtime';

function randomArray(len: number, rng: Random, Kind: typeof Float32Array | typeof Float64Array = Float32Array): Data {
  const out = new Kind(len);
  for (let i = 0; i < len; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

/** max |actual - expected| <= tol * max(1, max |expected|): 1e-5 relative to the size of C. */
function assertGemmClose(actual: Data, expected: Data, what: string, tol = 1e-5): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 1;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    if (!(err <= tol * scale)) assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (|C| up to ${scale})`);
  }
}

/** Runs one gemm case on both backends, from the same random A, B and starting C. */
function checkCase(wasm: Kernels, rng: Random, m: number, n: number, k: number, transA: boolean, transB: boolean, beta: 0 | 1): void {
  const a = randomArray(m * k, rng), b = randomArray(k * n, rng), c0 = randomArray(m * n, rng);
  const expected = c0.slice(), actual = c0.slice();
  const args = { m, n, k, a, b, transA, transB, beta } satisfies Omit<GemmArgs, 'c'>;
  refGemm({ ...args, c: expected });
  wasm.gemm({ ...args, c: actual });
  assertGemmClose(actual, expected, `gemm m=${m} n=${n} k=${k} transA=${transA} transB=${transB} beta=${beta}`);
}

const SIZES = [1, 2, 3, 5, 16, 17, 31, 32, 33, 64, 100];

test('probe: WebAssembly SIMD and shared memory are detected', (t) => {
  assert.equal(support.wasm, true, 'WebAssembly is available in Node');
  if (skip !== false) {
    t.skip(skip);
    return;
  }
  assert.equal(support.simd, true);
  assert.equal(support.sharedMemory, true, 'Node 20 supports shared WebAssembly memory');
});

test('wasm sgemm matches the reference gemm on a sparse cross of shapes', { skip }, () => {
  const wasm = createWasmKernels();
  const rng = new Random(1);
  let cases = 0;
  for (let i = 0; i < SIZES.length; i++) {
    for (const [dj, dk] of [[0, 0], [3, 7], [5, 2], [9, 4]] as const) {
      const m = SIZES[i]!, n = SIZES[(i + dj) % SIZES.length]!, k = SIZES[(i + dk) % SIZES.length]!;
      for (const transA of [false, true]) for (const transB of [false, true]) for (const beta of [0, 1] as const) {
        checkCase(wasm, rng, m, n, k, transA, transB, beta);
        cases++;
      }
    }
  }
  assert.equal(cases, SIZES.length * 4 * 8);
});

test('wasm sgemm matches the reference on LSTM-sized and blocking-edge shapes', { skip }, () => {
  const wasm = createWasmKernels();
  const rng = new Random(2);
  // [m, n, k]: the step product at hidden 256 / batch 32; m > MC (128) and k > KC (256) with ragged edges;
  // batch-1 generation (m = 1) and a column (n = 1); a product big enough to grow wasm memory past 2 MiB.
  const shapes = [[32, 1024, 256], [200, 33, 300], [129, 47, 513], [1, 1024, 256], [1, 37, 515], [100, 1, 300], [301, 520, 1030]];
  for (const [m, n, k] of shapes) {
    for (const transA of [false, true]) for (const transB of [false, true]) {
      checkCase(wasm, rng, m!, n!, k!, transA, transB, 0);
      if (m! * n! * k! < 5e7) checkCase(wasm, rng, m!, n!, k!, transA, transB, 1);
    }
  }
  assert.equal(wasmInstance()!.exports.used(), 0, 'gemm releases its scratch allocations');
});

test('wasm sgemm: k = 0 clears C for beta 0 and keeps it for beta 1; float64 falls back to the reference', { skip }, () => {
  const wasm = createWasmKernels();
  const c = Float32Array.from([1, 2, 3, 4]);
  wasm.gemm({ m: 2, n: 2, k: 0, a: new Float32Array(0), b: new Float32Array(0), c, beta: 1 });
  assert.deepEqual([...c], [1, 2, 3, 4]);
  wasm.gemm({ m: 2, n: 2, k: 0, a: new Float32Array(0), b: new Float32Array(0), c });
  assert.deepEqual([...c], [0, 0, 0, 0]);

  const rng = new Random(3);
  const a = randomArray(5 * 7, rng, Float64Array), b = randomArray(7 * 3, rng, Float64Array);
  const expected = randomArray(5 * 3, rng, Float64Array), actual = expected.slice();
  refGemm({ m: 5, n: 3, k: 7, a, b, c: expected, transA: true, beta: 1 });
  wasm.gemm({ m: 5, n: 3, k: 7, a, b, c: actual, transA: true, beta: 1 });
  assert.deepEqual([...actual], [...expected], 'float64 data goes through the reference gemm, bit for bit');
});

test('dispatcher: wasm is the default where SIMD is; matmul and its gradients agree on both backends', { skip }, () => {
  assert.throws(() => useBackend('nope'), /unknown backend/);
  assert.equal(kernels().name, 'wasm', 'the autograd products default to wasm');
  assert.equal(runtimeInfo().backend, 'wasm');
  assert.deepEqual(availableBackends().sort(), ['ref', 'wasm']);

  const run = (backend: string) => {
    useBackend(backend);
    assert.equal(kernels().name, backend);
    const rng = new Random(4);
    const a = new Tensor(randomArray(33 * 70, rng), [33, 70], { requiresGrad: true });
    const b = new Tensor(randomArray(70 * 45, rng), [70, 45], { requiresGrad: true });
    const w = new Tensor(randomArray(33 * 45, rng), [33, 45]);
    const c = matmul(a, b);
    sum(mul(c, w)).backward();
    return { c: c.data, da: a.grad!, db: b.grad! };
  };
  try {
    const ref = run('ref');
    const wasm = run('wasm');
    assertGemmClose(wasm.c, ref.c, 'matmul forward');
    assertGemmClose(wasm.da, ref.da, 'matmul dA');
    assertGemmClose(wasm.db, ref.db, 'matmul dB');

    // gradcheck runs in float64, which the wasm table hands to the reference gemm.
    const rng = new Random(5);
    const a = new Tensor(randomArray(4 * 6, rng), [4, 6]);
    const b = new Tensor(randomArray(6 * 3, rng), [6, 3]);
    const result = gradcheck(() => matmul(a, b), [a, b]);
    assert.ok(result.ok, result.failure);
  } finally {
    initSync();
  }
});

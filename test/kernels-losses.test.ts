// The head losses of the fused engine (src/kernels/ref/losses.ts and wasm/assembly/losses.ts): the reference
// against the autograd losses (crossEntropy with class weights, mseLoss, l1Loss, huberLoss, whose values and
// gradients are held to PyTorch fixtures in losses.test.ts), and the WebAssembly kernels against the reference.
// The kernels return Σ (weighted) per-row losses and the gradient of scale·Σ; with scale = 1/Σw (1/n) they are the
// mean losses. Tolerance: float32 values summed in another order, 1e-6 relative.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../src/core/random.js';
import { Tensor } from '../src/core/tensor.js';
import { crossEntropy, huberLoss, l1Loss, mseLoss } from '../src/core/ops/index.js';
import { createRefBackend, type Backend } from '../src/kernels/backend.js';
import { createWasmBackend } from '../src/kernels/wasm/engine-backend.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { assertClose } from './helpers/fixtures.js';

const skip = probeWasm().simd ? false : 'WebAssembly SIMD is not available here';
const [LOGITS, TARGETS, WEIGHTS, DLOGITS] = [0, 4096, 4600, 5000];

function backends(): Backend[] {
  return probeWasm().simd ? [createRefBackend(), createWasmBackend()] : [createRefBackend()];
}

/** n rows of C logits, class ids (a few rows all on one class) and positive weights, laid into each heap. */
function classification(be: Backend, n: number, C: number, seed: number): { logits: Float32Array; targets: Int32Array; weights: Float32Array } {
  const random = new Random(seed);
  const logits = Float32Array.from({ length: n * C }, () => random.uniform(-4, 4));
  const targets = Int32Array.from({ length: n }, (_, r) => (r < 2 ? C - 1 : random.int(C)));
  const weights = Float32Array.from({ length: C }, () => random.uniform(0.2, 3));
  be.reserve(1 << 14);
  be.f32.set(logits, LOGITS);
  be.i32.set(targets, TARGETS);
  be.f32.set(weights, WEIGHTS);
  return { logits, targets, weights };
}

for (const [n, C] of [[7, 3], [32, 10], [5, 29]] as const) {
  for (const weighted of [false, true]) {
    test(`softmax cross-entropy kernel (${n}x${C}${weighted ? ', class weights' : ''}) equals crossEntropy, on every backend`, () => {
      const out: Float32Array[] = [];
      for (const be of backends()) {
        const { logits, targets, weights } = classification(be, n, C, n + C);
        const x = new Tensor(logits.slice(), [n, C], { requiresGrad: true });
        const loss = crossEntropy(x, targets, weighted ? { weight: weights } : {});
        loss.backward();
        let denominator = 0;
        for (const t of targets) denominator += weighted ? weights[t]! : 1;
        const sum = be.softmaxCrossEntropy(n, C, LOGITS, TARGETS, weighted ? WEIGHTS : -1, DLOGITS, 1 / denominator);
        assertClose(Float64Array.of(sum / denominator), Float64Array.of(loss.item()), `${be.name}: loss`, 1e-6, 1e-7);
        assertClose(be.f32.subarray(DLOGITS, DLOGITS + n * C), x.grad!, `${be.name}: dLogits`, 1e-5, 1e-7);
        out.push(be.f32.slice(DLOGITS, DLOGITS + n * C));
      }
      if (out.length === 2) assertClose(out[1]!, out[0]!, 'wasm vs ref dLogits', 1e-5, 1e-7);
    });
  }
}

const REGRESSION = [
  ['mse', 0, (x: Tensor, y: Tensor) => mseLoss(x, y)],
  ['mae', 1, (x: Tensor, y: Tensor) => l1Loss(x, y)],
  ['huber', 2, (x: Tensor, y: Tensor) => huberLoss(x, y, { delta: 0.7 })],
] as const;

for (const [name, kind, loss] of REGRESSION) {
  test(`${name} kernel equals the autograd loss (value and gradient), on every backend`, () => {
    const n = 23;
    const random = new Random(kind + 3);
    const pred = Float32Array.from({ length: n }, () => random.uniform(-2, 2));
    const target = Float32Array.from({ length: n }, (_, k) => (k === 0 ? pred[0]! : random.uniform(-2, 2))); // d = 0 once
    const x = new Tensor(pred.slice(), [n], { requiresGrad: true });
    const l = loss(x, new Tensor(target.slice(), [n]));
    l.backward();
    const out: Float32Array[] = [];
    for (const be of backends()) {
      be.reserve(1 << 12);
      be.f32.set(pred, 0);
      be.f32.set(target, 100);
      const sum = be.regressionLoss(n, kind, 0.7, 0, 100, 200, 1 / n);
      assertClose(Float64Array.of(sum / n), Float64Array.of(l.item()), `${be.name}: loss`, 1e-6, 1e-7);
      assertClose(be.f32.subarray(200, 200 + n), x.grad!, `${be.name}: dPred`, 1e-6, 1e-7);
      out.push(be.f32.slice(200, 200 + n));
    }
    if (out.length === 2) assert.deepEqual(out[1], out[0], 'wasm and ref give the same bits');
  });
}

test('the unweighted cross-entropy kernel on wasm still gives the language model\'s sums', { skip }, () => {
  // Weights given as all ones change nothing but the code path: the same loss to rounding.
  const [ref, wasm] = [createRefBackend(), createWasmBackend()];
  for (const be of [ref, wasm]) {
    classification(be, 9, 6, 1);
    be.f32.fill(1, WEIGHTS, WEIGHTS + 6);
  }
  const plain = wasm.softmaxCrossEntropy(9, 6, LOGITS, TARGETS, -1, DLOGITS, 1 / 9);
  const ones = wasm.softmaxCrossEntropy(9, 6, LOGITS, TARGETS, WEIGHTS, DLOGITS + 100, 1 / 9);
  assert.equal(ones, plain);
  assert.deepEqual(wasm.f32.slice(DLOGITS + 100, DLOGITS + 154), wasm.f32.slice(DLOGITS, DLOGITS + 54));
});

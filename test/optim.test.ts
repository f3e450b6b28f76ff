// Tests for src/optim: SGD (momentum, Nesterov), Adam and AdamW trajectories and gradient clipping against PyTorch
// (test/fixtures/torch/optim.safetensors, from scripts/fixtures/make_optim_fixtures.py: params (3,4) and (4,),
// 5 steps of fixed gradients, all float64), hand-worked steps, state-dict resume, validation and schedules.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Tensor, type Data } from '../src/core/tensor.js';
import { readSafetensors } from '../src/io/safetensors.js';
import {
  Adam, SGD, type Optimizer, applySchedule, clipGradNorm, constantLR, cosineLR, gradNorm, hasNonFinite, stepLR,
} from '../src/optim/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/torch/optim.safetensors', import.meta.url));
const STEPS = 5;
const N_PARAMS = 2;
const fixture = await readSafetensors(FIXTURE);

function fx(name: string): Data {
  const t = fixture[name];
  if (t === undefined) throw new Error(`fixture has no tensor '${name}'`);
  assert.ok(t.data instanceof Float64Array, `${name} should be F64`);
  return t.data;
}

/** Fresh float64 copies of the fixture's initial parameters. */
function initialParams(): Tensor[] {
  return Array.from({ length: N_PARAMS }, (_, i) => new Tensor(fx(`param.${i}`).slice(), fixture[`param.${i}`]!.shape));
}

function setGrads(params: Tensor[], t: number): void {
  params.forEach((p, i) => (p.grad = fx(`grad.${t}.${i}`).slice()));
}

/** |a − b| ≤ 1e-6·|b| (+1e-12 so exact zeros compare), element by element, naming the first mismatch. */
function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = 1e-6): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let j = 0; j < want.length; j++) {
    const err = Math.abs(got[j]! - want[j]!);
    if (!(err <= rtol * Math.abs(want[j]!) + 1e-12)) assert.fail(`${what}[${j}]: got ${got[j]}, want ${want[j]} (|err| ${err})`);
  }
}

// Mirrors OPTIMIZERS in make_optim_fixtures.py.
const CASES: Record<string, (params: Tensor[]) => Optimizer> = {
  sgd_momentum: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }),
  sgd_nesterov: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true }),
  adam: (ps) => new Adam(ps, { lr: 0.01, weightDecay: 0.01 }),
  adamw: (ps) => new Adam(ps, { lr: 0.01, weightDecay: 0.1, decoupled: true }),
};

for (const [name, make] of Object.entries(CASES)) {
  test(`${name}: 5-step trajectory equals PyTorch, updating .data in place`, () => {
    const params = initialParams();
    const arrays = params.map((p) => p.data);
    const opt = make(params);
    for (let t = 0; t < STEPS; t++) {
      setGrads(params, t);
      opt.step();
      params.forEach((p, i) => assertClose(p.data, fx(`${name}.${t}.${i}`), `${name} step ${t} param ${i}`));
    }
    params.forEach((p, i) => assert.equal(p.data, arrays[i], `param ${i}'s array was replaced`));
    assert.equal(opt.stepCount, STEPS);
  });
}

test('clipGradNorm equals torch clip_grad_norm_ (scaled and untouched steps); gradNorm is the pre-clip norm', () => {
  const norms = fx('clip.norm');
  let clipped = 0;
  for (let t = 0; t < STEPS; t++) {
    const params = initialParams();
    setGrads(params, t);
    assertClose([gradNorm(params)], [norms[t]!], `gradNorm step ${t}`);
    assertClose([clipGradNorm(params, 1.0)], [norms[t]!], `clipGradNorm return step ${t}`);
    params.forEach((p, i) => assertClose(p.grad!, fx(`clip.grad.${t}.${i}`), `clipped grad step ${t} param ${i}`));
    if (norms[t]! > 1) {
      clipped++;
      assertClose([gradNorm(params)], [1], `norm after clipping step ${t}`, 1e-5);
    }
  }
  assert.ok(clipped > 0 && clipped < STEPS, 'fixture should cover both branches');
});

test('gradNorm/clipGradNorm: null grads count as zero and are left null', () => {
  const a = new Tensor(Float64Array.of(0, 0), [2]);
  const b = new Tensor(Float64Array.of(0, 0, 0), [3]);
  b.grad = Float64Array.of(3, 0, 4);
  assert.equal(gradNorm([a, b]), 5);
  assert.equal(clipGradNorm([a, b], 1), 5);
  assert.equal(a.grad, null);
  assertClose(b.grad, [3 / (5 + 1e-6), 0, 4 / (5 + 1e-6)], 'clipped (with the 1e-6 of PyTorch)', 1e-15);
  assert.throws(() => clipGradNorm([b], 0), /maxNorm/);
});

test('SGD by hand: weight decay, then momentum and Nesterov on a second step', () => {
  // g' = g + 0.1·p = [0.5 + 0.1, 0.5 − 0.2] = [0.6, 0.3];  p ← p − 0.1·g' = [0.94, −2.03]
  const p = new Tensor(Float64Array.of(1, -2), [2]);
  const plain = new SGD([p], { lr: 0.1, weightDecay: 0.1 });
  p.grad = Float64Array.of(0.5, 0.5);
  plain.step();
  assertClose(p.data, [0.94, -2.03], 'plain SGD', 1e-15);

  // momentum 0.5, g = [1, 2] twice: b1 = g, p1 = p0 − 0.1·g;  b2 = 0.5·g + g = 1.5·g, p2 = p1 − 0.15·g
  const q = new Tensor(Float64Array.of(0, 0), [2]);
  const mom = new SGD([q], { lr: 0.1, momentum: 0.5 });
  for (let k = 0; k < 2; k++) { q.grad = Float64Array.of(1, 2); mom.step(); }
  assertClose(q.data, [-0.25, -0.5], 'momentum', 1e-15);

  // Nesterov: d1 = g + 0.5·g = 1.5·g; b2 = 1.5·g, d2 = g + 0.5·1.5·g = 1.75·g  → p = −0.1·(1.5 + 1.75)·g
  const r = new Tensor(Float64Array.of(0, 0), [2]);
  const nes = new SGD([r], { lr: 0.1, momentum: 0.5, nesterov: true });
  for (let k = 0; k < 2; k++) { r.grad = Float64Array.of(1, 2); nes.step(); }
  assertClose(r.data, [-0.325, -0.65], 'nesterov', 1e-15);
});

test('Adam by hand: the first step moves each weight by lr·g/(|g| + eps)', () => {
  // m = (1−β1)g, v = (1−β2)g²  ⇒  (lr/bc1)·m / (√v/√bc2 + ε) = lr·g / (|g| + ε)
  const p = new Tensor(Float64Array.of(1, 1, 1), [3]);
  const opt = new Adam([p], { lr: 0.1, eps: 1e-8 });
  p.grad = Float64Array.of(2, -0.5, 0);
  opt.step();
  assertClose(p.data, [1 - (0.1 * 2) / (2 + 1e-8), 1 + (0.1 * 0.5) / (0.5 + 1e-8), 1], 'adam step 1', 1e-12);
});

test('a parameter with a null grad is skipped, and its Adam bias correction does not advance', () => {
  const [a, b] = initialParams();
  const opt = new Adam([a!, b!], { lr: 0.01 });
  const before = b!.data.slice();
  a!.grad = fx('grad.0.0').slice();
  opt.step(); // b has no grad
  assert.deepEqual(b!.data, before);
  // b's first real step must look like a first step (bc computed with t = 1), whatever a has done.
  const ref = new Tensor(before.slice(), b!.shape);
  const refOpt = new Adam([ref], { lr: 0.01 });
  b!.grad = fx('grad.1.1').slice();
  ref.grad = fx('grad.1.1').slice();
  a!.grad = null;
  opt.step();
  refOpt.step();
  assert.deepEqual(b!.data, ref.data);
});

for (const [name, make] of Object.entries(CASES)) {
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${name} (${dtype}): stateDict after 2 steps resumes identically for 3 more`, () => {
      const cast = (d: Data): Data => (dtype === 'float32' ? Float32Array.from(d) : Float64Array.from(d));
      const params = initialParams().map((p) => new Tensor(cast(p.data), p.shape));
      const opt = make(params);
      for (let t = 0; t < 2; t++) { setGrads(params, t); opt.step(); }
      const saved = opt.stateDict();
      const copies = params.map((p) => new Tensor(p.data.slice(), p.shape));
      // The fresh optimizer is built with a different lr: loading must restore the saved one.
      const fresh = make(copies);
      fresh.lr = 123;
      const snapshot = Object.fromEntries(Object.entries(saved.buffers).map(([k, v]) => [k, v.slice()]));
      fresh.loadStateDict(saved);
      assert.equal(fresh.lr, opt.lr);
      assert.equal(fresh.stepCount, 2);
      for (let t = 2; t < STEPS; t++) {
        setGrads(params, t); setGrads(copies, t);
        opt.step(); fresh.step();
      }
      params.forEach((p, i) => assert.deepEqual(copies[i]!.data, p.data, `param ${i}`));
      // The state dict is a copy on both sides: neither optimizer's later steps changed it.
      assert.equal(saved.step, 2);
      assert.deepEqual(saved.buffers, snapshot);
      assert.notDeepEqual(saved.buffers, opt.stateDict().buffers);
    });
  }
}

test('loadStateDict rejects another kind, wrong buffer sets and wrong buffer sizes, naming both', () => {
  const [a, b] = initialParams();
  const adam = new Adam([a!, b!]);
  assert.throws(() => adam.loadStateDict(new SGD([a!, b!], { lr: 0.1, momentum: 0.9 }).stateDict()), /kind 'sgd', expected 'adam'/);
  assert.throws(() => adam.loadStateDict(new Adam([a!, b!], { decoupled: true }).stateDict()), /kind 'adamw', expected 'adam'/);
  // Saved for one parameter, loaded into two: buffer count differs.
  assert.throws(() => adam.loadStateDict(new Adam([a!]).stateDict()), /got 3 buffers .*expected 5/);
  // Same names, wrong length.
  const wrong = new Adam([new Tensor(new Float64Array(12), [3, 4]), new Tensor(new Float64Array(5), [5])]).stateDict();
  assert.throws(() => adam.loadStateDict(wrong), /'exp_avg.1' has 5 elements, expected 4/);
  // SGD with and without momentum have different buffer sets.
  assert.throws(() => new SGD([a!], { lr: 0.1 }).loadStateDict(new SGD([a!], { lr: 0.1, momentum: 0.9 }).stateDict()), /got 1 buffers \[momentum.0\], expected 0/);
  assert.throws(() => adam.loadStateDict({ ...adam.stateDict(), hyper: { lr: 0.5 } }), /hyperparameters \[lr\], expected \[beta1, beta2, eps, lr, weightDecay\]/);
  // A failed load changes nothing, even the parts that were valid (lr, step, the other buffers).
  a!.grad = fx('grad.0.0').slice(); b!.grad = fx('grad.0.1').slice();
  adam.step();
  const good = adam.stateDict();
  const bad = { ...good, step: 7, hyper: { ...good.hyper, lr: 0.5 }, buffers: { ...good.buffers, 'exp_avg.0': new Float64Array(12).fill(9), 'exp_avg.1': new Float64Array(5) } };
  assert.throws(() => adam.loadStateDict(bad), /'exp_avg.1' has 5 elements, expected 4/);
  assert.deepEqual(adam.stateDict(), good);
});

test('hasNonFinite detects NaN and ±Infinity in grads, not in finite or null grads', () => {
  const a = new Tensor(new Float32Array(3), [3]);
  const b = new Tensor(new Float32Array(2), [2]);
  assert.equal(hasNonFinite([a, b]), false);
  a.grad = Float32Array.of(1, -2, 3e38);
  assert.equal(hasNonFinite([a, b]), false);
  for (const bad of [NaN, Infinity, -Infinity]) {
    b.grad = Float32Array.of(0, bad);
    assert.equal(hasNonFinite([a, b]), true, `${bad}`);
  }
});

test('option validation', () => {
  const [a] = initialParams();
  assert.throws(() => new SGD([a!], { lr: 0.1, nesterov: true }), /nesterov requires momentum/);
  assert.throws(() => new SGD([a!], { lr: -1 }), /lr must be/);
  assert.throws(() => new Adam([a!], { betas: [0.9, 1] }), /beta2/);
  assert.throws(() => new Adam([a!, a!]), /more than once/);
  assert.throws(() => new SGD([], { lr: 0.1 }), /empty/);
});

test('zeroGrad clears every grad', () => {
  const params = initialParams();
  setGrads(params, 0);
  new SGD(params, { lr: 0.1 }).zeroGrad();
  assert.ok(params.every((p) => p.grad === null));
});

test('schedules: constant, step (torch StepLR), cosine (torch CosineAnnealingLR, held at minLr after total)', () => {
  assert.equal(constantLR(0.3)(17), 0.3);
  const s = stepLR(1, 3, 0.5);
  assert.deepEqual([0, 1, 2, 3, 5, 6, 9].map(s), [1, 1, 1, 0.5, 0.5, 0.25, 0.125]);
  const c = cosineLR(1, 10, 0.1);
  assertClose([c(0), c(5), c(10), c(15)], [1, 0.55, 0.1, 0.1], 'cosine', 1e-12);
  assertClose([c(2)], [0.1 + 0.9 * (1 + Math.cos(Math.PI / 5)) / 2], 'cosine t=2', 1e-12);
  const opt = new SGD(initialParams(), { lr: 1 });
  assert.equal(applySchedule(opt, s, 6), 0.25);
  assert.equal(opt.lr, 0.25);
  assert.throws(() => stepLR(1, 0, 0.5), /stepSize/);
});

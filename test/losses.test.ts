// Losses and activations against PyTorch (test/fixtures/torch/losses.safetensors, scripts/fixtures/make_nn_fixtures.py):
// every loss under mean/sum/none, values and gradients of input and target computed here in float32 within 1e-5 of
// PyTorch's float64; then gradcheck in float64, the LM's cross-entropy unchanged, and one-line errors on bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../src/core/tensor.js';
import { gradcheck } from '../src/core/gradcheck.js';
import {
  bceWithLogitsLoss, crossEntropy, huberLoss, l1Loss, logSoftmax, mseLoss, scale, sigmoid, softmax, type Reduction,
} from '../src/core/ops/index.js';
import { assertClose, loadFixture } from './helpers/fixtures.js';
import { randn } from './helpers/random-tensor.js';

const { t: fx } = await loadFixture('losses.safetensors');
const REDUCTIONS: Reduction[] = ['mean', 'sum', 'none'];
const TOL = 1e-5;

/** A float32 leaf copy of a fixture tensor. */
function leaf(name: string, requiresGrad = true): Tensor {
  const src = fx[name]!;
  return new Tensor(Float32Array.from(src.data), src.shape, { requiresGrad });
}

/** Backward of the loss (weighted by the fixture's dloss for 'none'), then loss and gradients against PyTorch's. */
function compare(key: string, loss: Tensor, leaves: Record<string, Tensor>): void {
  assertClose(loss.data, fx[`${key}.loss`]!.data, `${key} loss`, TOL, TOL);
  assert.deepEqual([...loss.shape], [...fx[`${key}.loss`]!.shape], `${key} loss shape`);
  loss.backward(loss.shape.length === 0 ? undefined : fx[`${key}.dloss`]!.data);
  for (const [name, t] of Object.entries(leaves)) assertClose(t.grad!, fx[`${key}.grad.${name}`]!.data, `${key} grad ${name}`, TOL, TOL);
}

const regression = {
  mse: (x: Tensor, y: Tensor, reduction: Reduction) => mseLoss(x, y, { reduction }),
  l1: (x: Tensor, y: Tensor, reduction: Reduction) => l1Loss(x, y, { reduction }),
  huber: (x: Tensor, y: Tensor, reduction: Reduction) => huberLoss(x, y, { reduction }),
  'huber_d0.5': (x: Tensor, y: Tensor, reduction: Reduction) => huberLoss(x, y, { reduction, delta: 0.5 }),
  huber_d2: (x: Tensor, y: Tensor, reduction: Reduction) => huberLoss(x, y, { reduction, delta: 2 }),
};

const bce = {
  bce: {},
  bce_weight: { weight: fx.weight! },
  bce_pos: { posWeight: fx.pos_weight! },
  bce_weight_pos: { weight: fx.weight!, posWeight: fx.pos_weight! },
};

const ce = {
  ce: {},
  ce_weight: { weight: fx.class_weight! },
  ce_smooth: { labelSmoothing: 0.1 },
  ce_weight_smooth: { weight: fx.class_weight!, labelSmoothing: 0.2 },
  ce_ignore: { ignoreIndex: 2 },
  ce_weight_smooth_ignore: { weight: fx.class_weight!, labelSmoothing: 0.3, ignoreIndex: 2 },
};

for (const reduction of REDUCTIONS) {
  test(`mse, l1 and huber (δ 0.5, 1, 2), reduction '${reduction}': values and gradients of input and target match PyTorch`, () => {
    for (const [name, fn] of Object.entries(regression)) {
      const [x, y] = [leaf('input'), leaf('target')];
      compare(`${name}.${reduction}`, fn(x, y, reduction), { input: x, target: y });
    }
  });

  test(`bceWithLogitsLoss (weight, posWeight), reduction '${reduction}': values and gradients match PyTorch`, () => {
    for (const [name, options] of Object.entries(bce)) {
      const [x, y] = [leaf('input'), leaf('binary_target')];
      compare(`${name}.${reduction}`, bceWithLogitsLoss(x, y, { reduction, ...options }), { input: x, target: y });
    }
  });

  test(`crossEntropy (class weights, label smoothing, ignore index), reduction '${reduction}': values and gradients match PyTorch`, () => {
    for (const [name, options] of Object.entries(ce)) {
      const x = leaf('input');
      compare(`${name}.${reduction}`, crossEntropy(x, fx.targets!.data, { reduction, ...options }), { input: x });
    }
  });
}

test('softmax and logSoftmax over the last and a middle axis match PyTorch, values and gradients', () => {
  for (const [name, fn] of [['softmax', softmax], ['log_softmax', logSoftmax]] as const) {
    for (const axis of [-1, 1]) {
      const key = `${name}.dim${axis}`;
      const z = leaf('z');
      const y = fn(z, axis);
      assertClose(y.data, fx[`${key}.output`]!.data, `${key} output`, TOL, TOL);
      y.backward(fx[`${key}.dout`]!.data);
      assertClose(z.grad!, fx[`${key}.grad.z`]!.data, `${key} grad`, TOL, TOL);
    }
  }
});

// ---- gradcheck in float64 -------------------------------------------------------------------------------------

function gradOk(fn: () => Tensor, inputs: Tensor[], what: string): void {
  const r = gradcheck(fn, inputs);
  assert.ok(r.ok, `${what}: ${r.failure}`);
  assert.equal(r.checked, inputs.reduce((n, t) => n + t.size, 0));
}

test('gradcheck: every loss and reduction, input and target (away from the kinks of l1 and huber)', () => {
  for (const reduction of REDUCTIONS) {
    const x = randn([3, 5], 1);
    const y = randn([3, 5], 2);
    // |x - y| stays off 0 (l1) and off δ (huber) by more than the finite-difference step.
    for (let k = 0; k < x.size; k++) {
      const d = x.data[k]! - y.data[k]!;
      if (Math.abs(d) < 0.05 || Math.abs(Math.abs(d) - 0.7) < 0.05) x.data[k]! += 0.2;
    }
    gradOk(() => mseLoss(x, y, { reduction }), [x, y], `mse ${reduction}`);
    gradOk(() => l1Loss(x, y, { reduction }), [x, y], `l1 ${reduction}`);
    gradOk(() => huberLoss(x, y, { reduction, delta: 0.7 }), [x, y], `huber ${reduction}`);
    const soft = sigmoid(randn([3, 5], 3));
    const p = new Tensor(Float32Array.of(0.5, 1, 2, 3, 4), [5]);
    const w = new Tensor(Float32Array.of(2, 0.5, 1), [3, 1]);
    gradOk(() => bceWithLogitsLoss(x, soft, { reduction, posWeight: p, weight: w }), [x, soft], `bce ${reduction}`);
    const logits = randn([4, 5], 4);
    const options = { reduction, weight: [1, 2, 0.5, 3, 1], labelSmoothing: 0.15, ignoreIndex: 1 };
    gradOk(() => crossEntropy(logits, [4, 1, 0, 2], options), [logits], `crossEntropy ${reduction}`);
  }
  const z = randn([2, 3, 4], 5);
  gradOk(() => softmax(z, 1), [z], 'softmax');
  gradOk(() => logSoftmax(z, 0), [z], 'logSoftmax');
});

test('bceWithLogitsLoss stays finite at logits of ±1000 (the stable softplus form)', () => {
  const x = new Tensor(Float32Array.of(1000, -1000, 1000, -1000), [4], { requiresGrad: true });
  const y = new Tensor(Float32Array.of(1, 0, 0, 1), [4]);
  const loss = bceWithLogitsLoss(x, y, { reduction: 'none' });
  assert.deepEqual([...loss.data], [0, 0, 1000, 1000]);
  loss.backward(Float32Array.of(1, 1, 1, 1));
  assert.deepEqual([...x.grad!], [0, 0, 1, -1]);
});

test('crossEntropy with default options is the mean of -log p_t, its gradient (p - e_t)/N, as the LM has always used', () => {
  const logits = randn([6, 5], 7);
  logits.requiresGrad = true;
  const targets = [0, 4, 2, 2, 1, 3];
  const loss = crossEntropy(logits, targets);
  const logp = logSoftmax(logits);
  let total = 0;
  targets.forEach((t, n) => (total -= logp.data[n * 5 + t]!));
  assert.equal(loss.item(), Math.fround(total * (1 / 6)));
  loss.backward();
  for (let n = 0; n < 6; n++)
    for (let j = 0; j < 5; j++) {
      const want = (Math.exp(logp.data[n * 5 + j]!) - (j === targets[n] ? 1 : 0)) / 6;
      assert.ok(Math.abs(logits.grad![n * 5 + j]! - want) < 1e-7, `grad[${n}, ${j}]`);
    }
  // All rows ignored: the mean is 0/0, NaN as in PyTorch.
  assert.ok(Number.isNaN(crossEntropy(randn([2, 3], 1), [-100, -100]).item()));
});

// ---- bad input ------------------------------------------------------------------------------------------------

test('bad input: shapes, reductions and options are one-line errors naming what was expected and what came', () => {
  const x = randn([3, 4], 1);
  assert.throws(() => mseLoss(x, randn([3], 2)), /^Error: mseLoss: target must have the input's shape \(3, 4\), got \(3,\)$/);
  assert.throws(() => l1Loss(x, randn([4, 3], 2)), /^Error: l1Loss: target must have the input's shape \(3, 4\), got \(4, 3\)$/);
  assert.throws(() => huberLoss(x, randn([3, 4, 1], 2)), /huberLoss: target must have the input's shape \(3, 4\), got \(3, 4, 1\)/);
  assert.throws(() => huberLoss(x, x, { delta: 0 }), /huberLoss: delta must be a finite number > 0, got 0/);
  assert.throws(() => bceWithLogitsLoss(x, randn([12], 2)), /bceWithLogitsLoss: target must have the input's shape \(3, 4\), got \(12,\)/);
  assert.throws(() => bceWithLogitsLoss(x, x, { posWeight: [1, 2, 3] }), /bceWithLogitsLoss: posWeight must have 4 values \(the input's last axis\), got 3/);
  assert.throws(() => bceWithLogitsLoss(x, x, { weight: randn([3], 1) }), /bceWithLogitsLoss: weight of shape \(3,\) does not broadcast to the input's shape \(3, 4\)/);
  assert.throws(() => mseLoss(x, x, { reduction: 'avg' as never }), /mseLoss: reduction must be 'mean', 'sum' or 'none', got "avg"/);
  assert.throws(() => crossEntropy(x, [0, 1]), /crossEntropy: expected 3 targets for logits \(3, 4\), got 2/);
  assert.throws(() => crossEntropy(x, [0, 1, 4]), /crossEntropy: target 4 at row 2 is outside \[0, 4\)/);
  assert.throws(() => crossEntropy(x, [0, 1, 2], { weight: [1, 1] }), /crossEntropy: weight must have 4 values \(one per class\), got 2/);
  assert.throws(() => crossEntropy(x, [0, 1, 2], { labelSmoothing: 1.5 }), /crossEntropy: labelSmoothing must be in \[0, 1\], got 1.5/);
  assert.throws(() => crossEntropy(x, new Tensor([0, 1, 2], [3, 1])), /crossEntropy: targets must be \(3,\), got \(3, 1\)/);
  assert.throws(() => softmax(scale(x, 1), 2), /softmax: axis 2 is out of range for a tensor of rank 2/);
});

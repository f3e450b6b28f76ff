// The task models of lanes.md and a Sequential against PyTorch models of the same structure
// (test/fixtures/torch/task_models.safetensors, scripts/fixtures/make_nn_fixtures.py): loaded through their torch
// state dicts under PyTorch's names, their outputs, losses and every parameter's gradient agree in float32 within
// 1e-5. Then their parameter names, gradcheck, and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../src/core/tensor.js';
import { gradcheck } from '../src/core/gradcheck.js';
import { crossEntropy, mseLoss } from '../src/core/ops/index.js';
import {
  Dropout, LSTM, Linear, Sequential, SequenceClassifier, SequenceRegressor,
  type CellKind, type Module, type StateDict, type TorchLayout,
} from '../src/nn/index.js';
import { assertClose, loadFixture, torchGrads } from './helpers/fixtures.js';
import { randn } from './helpers/random-tensor.js';

const { t: fx, config } = await loadFixture('task_models.safetensors');
const TOL = 1e-5;

/** The model's weights in the fixture: `<key>.<torch name>`, leaving its inputs, outputs and gradients out. */
function weightsOf(key: string): StateDict {
  const out: StateDict = {};
  for (const [name, t] of Object.entries(fx)) {
    if (name.startsWith(`${key}.`) && !/\.(grad\.|output$|loss$|target$)/.test(name.slice(key.length))) out[name] = t;
  }
  return out;
}

function layoutOf(rnn: { cells: unknown[][] }): TorchLayout {
  return (rnn.cells[0]![0] as { torchLayout: TorchLayout }).torchLayout;
}

function compareGrads(key: string, model: Module & { torchStateDict(): StateDict }, layout: TorchLayout): void {
  const grads = torchGrads(model, layout);
  assert.ok(Object.keys(grads).length > 0);
  for (const [name, g] of Object.entries(grads)) assertClose(g.data, fx[`${key}.grad.${name}`]!.data, `${key} grad ${name}`, TOL, TOL);
}

const f32 = (t: Tensor): Tensor => new Tensor(Float32Array.from(t.data), t.shape);

for (const [key, [cell, layers, bidirectional]] of Object.entries(config.forecasters as Record<string, [CellKind, number, boolean]>)) {
  test(`SequenceRegressor ${key}: predictions, MSE and gradients match the PyTorch forecaster`, () => {
    const model = new SequenceRegressor({ cell, inputSize: 4, hiddenSize: 5, numLayers: layers, bidirectional, horizon: 2, targets: 2 });
    model.loadTorchStateDict(weightsOf(key), `${key}.`);
    const y = model.forward(f32(fx.series!));
    assert.deepEqual([...y.shape], [3, 2, 2]);
    assertClose(y.data, fx[`${key}.output`]!.data, `${key} output`, TOL, TOL);
    const loss = mseLoss(y, f32(fx.future!));
    assertClose(loss.data, fx[`${key}.loss`]!.data, `${key} loss`, TOL, TOL);
    loss.backward();
    compareGrads(key, model, layoutOf(model.rnn));
  });
}

for (const [key, [cell, embeddingDim, layers, bidirectional, pool]] of Object.entries(
  config.classifiers as Record<string, [CellKind, number | null, number, boolean, 'last' | 'mean']>,
)) {
  test(`SequenceClassifier ${key}: logits over unsorted lengths, weighted cross-entropy and gradients match PyTorch`, () => {
    const model = new SequenceClassifier({
      cell, vocabSize: 7, numClasses: 3, hiddenSize: 5, numLayers: layers, bidirectional, pool, ...(embeddingDim === null ? {} : { embeddingDim }),
    });
    model.loadTorchStateDict(weightsOf(key), `${key}.`);
    const logits = model.forward(fx.ids!, fx.lengths!);
    assertClose(logits.data, fx[`${key}.output`]!.data, `${key} logits`, TOL, TOL);
    const loss = crossEntropy(logits, fx.labels!, { weight: fx.class_weight! });
    assertClose(loss.data, fx[`${key}.loss`]!.data, `${key} loss`, TOL, TOL);
    loss.backward();
    compareGrads(key, model, layoutOf(model.rnn));
  });
}

test("Sequential(LSTM, Dropout, Linear) loads nn.Sequential's names ('0.weight_ih_l0', '2.weight') and matches PyTorch in eval mode", () => {
  const model = new Sequential(new LSTM({ inputSize: 4, hiddenSize: 5, batchFirst: true }), new Dropout(0.3), new Linear(5, 2)).eval();
  model.loadTorchStateDict(weightsOf('sequential'), 'sequential.');
  const y = model.forward(f32(fx.series!));
  assertClose(y.data, fx['sequential.output']!.data, 'output', TOL, TOL);
  const loss = mseLoss(y, f32(fx['sequential.target']!));
  assertClose(loss.data, fx['sequential.loss']!.data, 'loss', TOL, TOL);
  loss.backward();
  compareGrads('sequential', model, layoutOf(model.layers[0] as LSTM));
});

test("parameter names are lanes.md's: rnn.*, embedding.weight, head.weight/bias; PyTorch's rnn.weight_ih_l0, head.weight (out, in)", () => {
  const model = new SequenceClassifier({ vocabSize: 7, numClasses: 3, embeddingDim: 4, hiddenSize: 5, bidirectional: true, seed: 1 });
  const names = model.namedParameters().map(([n]) => n);
  assert.equal(names[0], 'embedding.weight');
  assert.ok(names.includes('rnn.l0.W_i') && names.includes('rnn.l0_reverse.U_a'));
  assert.deepEqual(names.slice(-2), ['head.weight', 'head.bias']);
  const torch = model.torchStateDict();
  assert.deepEqual(Object.keys(torch).sort(), [
    'embedding.weight', 'head.bias', 'head.weight',
    ...['bias_hh_l0', 'bias_hh_l0_reverse', 'bias_ih_l0', 'bias_ih_l0_reverse', 'weight_hh_l0', 'weight_hh_l0_reverse', 'weight_ih_l0', 'weight_ih_l0_reverse'].map((n) => `rnn.${n}`),
  ]);
  assert.deepEqual([...torch['head.weight']!.shape], [3, 10]);
  assert.deepEqual([...torch['rnn.weight_ih_l0']!.shape], [20, 4]);
  const regressor = new SequenceRegressor({ cell: 'gru', inputSize: 4, hiddenSize: 6, horizon: 3, seed: 2 });
  assert.deepEqual(regressor.namedParameters().map(([n]) => n).slice(-2), ['head.weight', 'head.bias']);
  assert.deepEqual([...regressor.torchStateDict()['head.weight']!.shape], [3, 6]);
});

test('gradcheck in float64: the classifier (mean pool, lengths) and the regressor (bidirectional), every parameter', () => {
  const classifier = new SequenceClassifier({ cell: 'gru', vocabSize: 5, numClasses: 3, embeddingDim: 2, hiddenSize: 3, bidirectional: true, pool: 'mean', seed: 3 });
  const ids = new Tensor([1, 4, 0, 2, 3, 3, 1, 0], [2, 4]);
  const r1 = gradcheck(() => crossEntropy(classifier.forward(ids, [3, 4]), [2, 0]), classifier.parameters());
  assert.ok(r1.ok, r1.failure);
  const regressor = new SequenceRegressor({ cell: 'lstm', inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, horizon: 2, seed: 4 });
  const x = randn([2, 3, 2], 5);
  const r2 = gradcheck(() => mseLoss(regressor.forward(x), randn([2, 2, 1], 6)), [...regressor.parameters(), x]);
  assert.ok(r2.ok, r2.failure);
});

test('seeded task models are reproducible; bad options and inputs are one-line errors', () => {
  const make = (): SequenceRegressor => new SequenceRegressor({ inputSize: 3, hiddenSize: 4, seed: 7 });
  assert.deepEqual(make().parameters().map((p) => [...p.data]), make().parameters().map((p) => [...p.data]));
  assert.throws(() => new SequenceRegressor({ inputSize: 3, hiddenSize: 4, horizon: 0 }), /horizon must be an integer >= 1, got 0/);
  assert.throws(() => new SequenceClassifier({ vocabSize: 5, numClasses: 2, hiddenSize: 4, pool: 'max' as never }), /pool must be 'last' or 'mean', got "max"/);
  assert.throws(() => new SequenceClassifier({ vocabSize: 5, numClasses: 2, hiddenSize: 4, cell: 'tcn' as never }), /cell must be 'lstm', 'gru' or 'rnn', got "tcn"/);
  const classifier = new SequenceClassifier({ vocabSize: 5, numClasses: 2, hiddenSize: 4, seed: 1 });
  assert.throws(() => classifier.forward(new Tensor([1, 2, 3], [3])), /SequenceClassifier: ids must be \(B, T\), got \(3,\)/);
  assert.throws(() => classifier.forward(new Tensor([1, 2, 3, 5], [2, 2])), /oneHot: id 5 at position 3 is outside \[0, 5\)/);
  assert.throws(() => classifier.forward(new Tensor([1, 2, 3, 4], [2, 2]), [2, 3]), /lengths\[1\] is 3; each length must be an integer in \[1, T = 2\]/);
  assert.throws(() => new SequenceRegressor({ inputSize: 3, hiddenSize: 4 }).forward(randn([2, 3], 1)), /SequenceRegressor: expected input \(B, T, F\) with F = 3, got \(2, 3\)/);
});

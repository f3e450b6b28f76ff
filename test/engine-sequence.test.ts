// The fused sequence engine against the autograd path it replaces, for SequenceRegressor and SequenceClassifier:
// LSTM, GRU and RNN; one and two layers; one and two directions; no lengths, sorted lengths, unsorted ones (some
// rows shorter than T, steps no row takes); dense, one-hot and embedded input; last-step and mean pools; MSE, MAE
// and Huber heads; cross-entropy with and without class weights; dropout between layers (the same masks); on
// the reference and the WebAssembly kernel tables. Two steps each: the first into empty gradients, the second
// added to kept ones. The loss, the output and every parameter's gradient must agree within float32 rounding:
// 1e-4 relative (1e-6 absolute near zero), because the fused path sums the same terms in another order (the
// input side and the bias in one product, the weight gradients over all steps at once, products blocked by k);
// the differences measured here are below 1e-5. Then bad input is refused with the autograd path's own words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../src/core/random.js';
import { Tensor } from '../src/core/tensor.js';
import { FusedSequenceModel, fusedSequenceEngineFor, useEngine } from '../src/engine/index.js';
import type { RegressionLossKind, SequenceBatch, SequenceLossOptions } from '../src/engine/index.js';
import { createRefBackend, type Backend } from '../src/kernels/backend.js';
import { createWasmBackend } from '../src/kernels/wasm/engine-backend.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { LSTMCell, SequenceClassifier, SequenceRegressor, type CellKind } from '../src/nn/index.js';
import { assertClose, toFloat64 } from './helpers/fixtures.js';
import { autogradStep, compare, denseBatch, idsBatch, type Model } from './helpers/sequence-engine.js';

const backends: Array<[string, () => Backend]> = [['ref', createRefBackend]];
if (probeWasm().simd) backends.push(['wasm', createWasmBackend]);
const CELLS: readonly CellKind[] = ['lstm', 'gru', 'rnn'];
const [B, T] = [5, 6];
/** Lengths: none; sorted (one row all T); unsorted, no row reaching T (the last steps are taken by no row). */
const LENGTHS: ReadonlyArray<readonly number[] | undefined> = [undefined, [6, 5, 5, 3, 1], [2, 4, 1, 4, 3]];

const LOSSES: readonly RegressionLossKind[] = ['mse', 'mae', 'huber'];

for (const [backendName, makeBackend] of backends) {
  for (const cell of CELLS) {
    test(`fused SequenceRegressor (${cell}; 1-2 layers, uni/bi, lengths none/sorted/unsorted, mse/mae/huber, dropout) equals autograd on ${backendName}`, () => {
      let c = 0;
      for (const layers of [1, 2]) for (const bidirectional of [false, true]) for (const lengths of LENGTHS) {
        const loss = LOSSES[c++ % 3]!;
        const dropout = layers === 2 && lengths !== undefined ? 0.25 : 0;
        const make = (): SequenceRegressor => new SequenceRegressor({ cell, inputSize: 3, hiddenSize: 5, numLayers: layers, bidirectional, dropout, horizon: 2, targets: 2, seed: 7 });
        const random = new Random(c);
        const batches = [denseBatch(random, B, T, 3, 2, 2, lengths), denseBatch(random, B, T, 3, 2, 2, lengths)];
        compare(`${layers}L ${bidirectional ? 'bi' : 'uni'} lengths ${lengths ?? 'none'} ${loss}`, make, batches, { loss, delta: 0.6 }, makeBackend());
      }
    });

    test(`fused SequenceClassifier (${cell}; 1-2 layers, uni/bi, one-hot/embedding, last/mean, lengths, class weights) equals autograd on ${backendName}`, () => {
      let c = 0;
      for (const layers of [1, 2]) for (const bidirectional of [false, true]) for (const embed of [false, true]) for (const pool of ['last', 'mean'] as const) {
        for (const lengths of LENGTHS) {
          c++;
          const weighted = c % 2 === 0;
          const make = (): SequenceClassifier =>
            new SequenceClassifier({ cell, vocabSize: 7, numClasses: 4, hiddenSize: 5, numLayers: layers, bidirectional, pool, dropout: layers === 2 ? 0.3 : 0, seed: 5, ...(embed ? { embeddingDim: 3 } : {}) });
          const random = new Random(100 + c);
          const batches = [idsBatch(random, B, T, 7, 4, lengths), idsBatch(random, B, T, 7, 4, lengths)];
          const options = weighted ? { classWeights: [0.5, 2, 1, 1.5] } : {};
          compare(`${layers}L ${bidirectional ? 'bi' : 'uni'} ${embed ? 'embedding' : 'one-hot'} ${pool} lengths ${lengths ?? 'none'}${weighted ? ' weighted' : ''}`, make, batches, options, makeBackend());
        }
      }
    });
  }

  test(`fused SequenceClassifier with a vocabulary larger than the batch's rows (embedded rows, not the projected table) equals autograd on ${backendName}`, () => {
    for (const bidirectional of [false, true]) {
      const make = (): SequenceClassifier => new SequenceClassifier({ vocabSize: 40, numClasses: 3, embeddingDim: 3, hiddenSize: 4, bidirectional, seed: 8 });
      const random = new Random(12);
      compare(`${bidirectional ? 'bi' : 'uni'}, 40 tokens, ${B * T} rows`, make, [idsBatch(random, B, T, 40, 3, [6, 2, 3, 5, 1]), idsBatch(random, B, T, 40, 3)], {}, makeBackend());
    }
  });

  test(`fused evaluation (backward: false, eval mode) and forward() give autograd's loss and output and leave gradients alone on ${backendName}`, () => {
    for (const lengths of LENGTHS) {
      const make = (): SequenceClassifier => new SequenceClassifier({ vocabSize: 6, numClasses: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, dropout: 0.5, embeddingDim: 3, seed: 2 });
      const [reference, fused] = [make(), make()];
      reference.eval();
      fused.eval();
      const batch = idsBatch(new Random(9), B, T, 6, 3, lengths);
      const a = autogradStep(reference, batch, { backward: false });
      const engine = new FusedSequenceModel(fused, makeBackend());
      const b = engine.lossAndGrad(batch, { backward: false });
      assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * a.loss, `lengths ${lengths}: ${b.loss} vs ${a.loss}`);
      assertClose(b.output, a.output, `lengths ${lengths}: logits`, 1e-4, 1e-6);
      assertClose(engine.forward(batch.input, batch.lengths), a.output, `lengths ${lengths}: forward()`, 1e-4, 1e-6);
      assert.ok(fused.parameters().every((p) => p.grad === null), 'no gradients were touched');
    }
  });

  test(`lengths all equal to T give the same bits as no lengths on ${backendName}`, () => {
    const make = (): SequenceRegressor => new SequenceRegressor({ inputSize: 2, hiddenSize: 4, bidirectional: true, numLayers: 2, seed: 1 });
    const batch = denseBatch(new Random(1), B, T, 2, 1, 1);
    const runs = [undefined, [T, T, T, T, T]].map((lengths) => {
      const model = make();
      const step = new FusedSequenceModel(model, makeBackend()).lossAndGrad({ ...batch, ...(lengths ? { lengths } : {}) });
      return [Float32Array.of(step.loss), step.output.data, ...model.parameters().map((p) => p.grad!)];
    });
    assert.deepEqual(runs[1], runs[0]);
  });
}

test('fusedSequenceEngineFor: the engine where it applies, null for float64 and user-written cells, and as asked', (t) => {
  t.after(() => useEngine('auto'));
  const make = (): SequenceRegressor => new SequenceRegressor({ inputSize: 2, hiddenSize: 3, seed: 1 });
  const model = make();
  const engine = fusedSequenceEngineFor(model);
  assert.ok(engine instanceof FusedSequenceModel);
  assert.equal(fusedSequenceEngineFor(model), engine, 'one engine per model, its workspace reused');
  const float64 = make();
  toFloat64(float64);
  assert.equal(fusedSequenceEngineFor(float64), null);
  const custom = new SequenceClassifier({ vocabSize: 4, numClasses: 2, hiddenSize: 3, seed: 1 });
  class MyCell extends LSTMCell {}
  Object.setPrototypeOf(custom.rnn.cells[0]![0]!, MyCell.prototype);
  assert.equal(fusedSequenceEngineFor(custom), null);
  useEngine('fused');
  assert.throws(() => fusedSequenceEngineFor(custom), /^Error: the fused engine was requested but the cell is user-written$/);
  useEngine('autograd');
  assert.equal(fusedSequenceEngineFor(model), null);
});

test('bad input: the fused engine refuses it in the autograd path\'s own words', () => {
  const regressor = new SequenceRegressor({ inputSize: 3, hiddenSize: 4, horizon: 2, seed: 1 });
  const classifier = new SequenceClassifier({ vocabSize: 5, numClasses: 3, hiddenSize: 4, embeddingDim: 2, seed: 1 });
  const oneHot = new SequenceClassifier({ vocabSize: 5, numClasses: 3, hiddenSize: 4, seed: 1 });
  const random = new Random(3);
  const dense = denseBatch(random, B, T, 3, 2, 1);
  const ids = idsBatch(random, B, T, 5, 3);
  const cases: Array<[string, Model, SequenceBatch, SequenceLossOptions]> = [
    ['a length of 0', regressor, { ...dense, lengths: [3, 0, 2, 6, 1] }, {}],
    ['a length past T', classifier, { ...ids, lengths: [3, 2, 7, 6, 1] }, {}],
    ['a fractional length', classifier, { ...ids, lengths: [3, 2.5, 1, 6, 1] }, {}],
    ['lengths of the wrong count', regressor, { ...dense, lengths: [3, 2] }, {}],
    ['lengths as a (B, 1) tensor', classifier, { ...ids, lengths: new Tensor(Float32Array.of(1, 2, 3, 4, 5), [5, 1]) }, {}],
    ['x without a feature axis', regressor, { ...dense, input: new Tensor(new Float32Array(B * T), [B, T]) }, {}],
    ['x with the wrong features', regressor, { ...dense, input: new Tensor(new Float32Array(B * T * 2), [B, T, 2]) }, {}],
    ['targets of the wrong shape (mse)', regressor, { ...dense, targets: new Tensor(new Float32Array(B * 2), [B, 2]) }, {}],
    ['targets of the wrong shape (huber)', regressor, { ...dense, targets: new Tensor(new Float32Array(B), [B, 1, 1]) }, { loss: 'huber' }],
    ['a Huber delta of 0', regressor, dense, { loss: 'huber', delta: 0 }],
    ['ids with a feature axis', classifier, { ...ids, input: new Tensor(new Float32Array(B * T * 2), [B, T, 2]) }, {}],
    ['an id past the vocabulary (embedding)', classifier, { ...ids, input: new Tensor(new Float32Array(B * T).fill(5), [B, T]) }, {}],
    ['a negative id (one-hot)', oneHot, { ...ids, input: new Tensor(new Float32Array(B * T).fill(-1), [B, T]) }, {}],
    ['class targets of the wrong count', classifier, { ...ids, targets: new Tensor(new Float32Array(4), [4]) }, {}],
    ['class targets as a column', classifier, { ...ids, targets: new Tensor(new Float32Array(B), [B, 1]) }, {}],
    ['a class past the last', classifier, { ...ids, targets: new Tensor(Float32Array.of(0, 1, 3, 0, 0), [B]) }, {}],
    ['class weights of the wrong count', classifier, ids, { classWeights: [1, 2] }],
  ];
  for (const [what, model, batch, options] of cases) {
    let expected = '';
    try {
      autogradStep(model, batch, { ...options, backward: false });
    } catch (err) {
      expected = (err as Error).message;
    }
    assert.notEqual(expected, '', `${what}: the autograd path refuses it`);
    assert.ok(!expected.includes('\n'), `${what}: one line`);
    const engine = new FusedSequenceModel(model, createRefBackend());
    assert.throws(() => engine.lossAndGrad(batch, options), (err: Error) => err.message === expected, `${what}: "${expected}"`);
  }
  const engine = new FusedSequenceModel(classifier, createRefBackend());
  assert.throws(() => engine.lossAndGrad(ids, { loss: 'mse' }), /a SequenceClassifier's loss is cross-entropy/);
  assert.throws(() => new FusedSequenceModel(regressor, createRefBackend()).lossAndGrad(dense, { classWeights: [1] }), /classWeights apply to a SequenceClassifier only/);
});

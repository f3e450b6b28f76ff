// ONNX export of the forecast and classify models, run in onnxruntime-node against lstm-ts itself: the forecaster
// (its scaler inside the graph: raw values in, forecasts in the data's units out) and the classifier (token ids with
// `lengths` as ONNX's sequence_lens, pool last and mean, embedding and one-hot, uni- and bidirectional, 1 and 2
// layers, LSTM, GRU and RNN) agree within 1e-5 on rows of different lengths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { Random } from '../src/core/random.js';
import { Tensor, noGrad } from '../src/core/tensor.js';
import { softmax } from '../src/core/ops/index.js';
import { Scaler } from '../src/data/series-windows.js';
import { SequenceClassifier, SequenceRegressor } from '../src/nn/sequence-models.js';
import { exportClassifierOnnx, exportForecasterOnnx } from '../src/export/onnx-sequence.js';
import type { CellKind } from '../src/nn/cell-kinds.js';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!));
  return worst;
}

/** Nudges every parameter so zero biases (GRU's b_hn, ...) are not what makes the two agree. */
function perturb(params: Tensor[], seed: number): void {
  const random = new Random(seed);
  for (const p of params) for (let k = 0; k < p.size; k++) p.data[k] = p.data[k]! + 0.1 * random.uniform(-0.5, 0.5);
}

const CASES: Array<{ cell: CellKind; layers: number; bidirectional: boolean }> = [
  { cell: 'lstm', layers: 1, bidirectional: false },
  { cell: 'lstm', layers: 2, bidirectional: true },
  { cell: 'gru', layers: 1, bidirectional: true },
  { cell: 'rnn', layers: 2, bidirectional: false },
];

for (const { cell, layers, bidirectional } of CASES) {
  test(`forecaster ${cell} x${layers}${bidirectional ? ' bidirectional' : ''}: ONNX with the scaler inside equals the model on raw values`, async () => {
    const [B, T, F, horizon, K] = [3, 9, 3, 4, 2];
    const model = new SequenceRegressor({ cell, inputSize: F, hiddenSize: 5, numLayers: layers, bidirectional, horizon, targets: K, seed: 2 });
    perturb(model.parameters(), 4);
    model.eval();
    const scaler = new Scaler(['a', 'b', 'c'], Float64Array.from([100, -3, 0.5]), Float64Array.from([20, 2, 0.1]));
    const random = new Random(6);
    const raw = Float32Array.from({ length: B * T * F }, (_, k) => scaler.mean[k % F]! + scaler.std[k % F]! * random.normal());
    const scaled = Float32Array.from(scaler.transform(raw));
    const expected = scaler.inverseTargets(noGrad(() => model.forward(new Tensor(scaled, [B, T, F]))).data, K);
    const session = await ort.InferenceSession.create(exportForecasterOnnx(model, scaler));
    const out = await session.run({ x: new ort.Tensor('float32', raw, [B, T, F]) });
    assert.deepEqual(out.forecast!.dims, [B, horizon, K]);
    // Values in the data's units (std up to 20): 1e-5 relative to the scale.
    assert.ok(maxDiff(out.forecast!.data as Float32Array, expected) < 2e-4, `max diff ${maxDiff(out.forecast!.data as Float32Array, expected)}`);
  });
}

for (const { cell, layers, bidirectional } of CASES) {
  for (const pool of ['last', 'mean'] as const) {
    for (const embeddingDim of [undefined, 4]) {
      const name = `classifier ${cell} x${layers}${bidirectional ? ' bidirectional' : ''}, pool ${pool}, ${embeddingDim === undefined ? 'one-hot' : 'embedding'}`;
      test(`${name}: ONNX with sequence_lens equals the model on rows of different lengths`, async () => {
        const [B, T, V, C] = [4, 7, 9, 3];
        const model = new SequenceClassifier({ cell, vocabSize: V, numClasses: C, hiddenSize: 5, numLayers: layers, bidirectional, pool, embeddingDim, seed: 3 });
        perturb(model.parameters(), 5);
        model.eval();
        const lengths = Int32Array.from([7, 2, 5, 1]);
        const random = new Random(8);
        // Steps past a row's length hold arbitrary ids: neither side may read them.
        const ids = Float32Array.from({ length: B * T }, () => random.int(V));
        const logits = noGrad(() => model.forward(new Tensor(ids, [B, T]), lengths));
        const session = await ort.InferenceSession.create(exportClassifierOnnx(model));
        const out = await session.run({
          tokens: new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [B, T]),
          lengths: new ort.Tensor('int32', lengths, [B]),
        });
        assert.deepEqual(out.logits!.dims, [B, C]);
        assert.ok(maxDiff(out.logits!.data as Float32Array, logits.data) < 1e-5, `logits differ by ${maxDiff(out.logits!.data as Float32Array, logits.data)}`);
        assert.ok(maxDiff(out.probabilities!.data as Float32Array, softmax(logits).data) < 1e-5);
      });
    }
  }
}

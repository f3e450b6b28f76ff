// The forecast and classify tasks on the fused engine and on the autograd path compute the same numbers: one
// minibatch's loss and every gradient (each loss, class weights, lengths, both pools, uni- and bidirectional), and
// whole short runs, whose test metrics agree within float32 rounding grown over their steps. useEngine('fused')
// insists, so the runs below really are on the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../src/core/random.js';
import { Tensor } from '../src/core/tensor.js';
import { parseSeries } from '../src/data/series.js';
import { fusedSequenceEngineFor, useEngine } from '../src/engine/index.js';
import { SequenceClassifier, SequenceRegressor } from '../src/nn/sequence-models.js';
import { trainClassifier } from '../src/train/classify-session.js';
import { trainForecaster } from '../src/train/forecast-session.js';
import { sequenceLossAndGrad, type HeadLossOptions } from '../src/train/sequence-step.js';
import { labelledWords, seriesCsv } from './helpers/task-data.js';

function onPath<T>(engine: 'fused' | 'autograd', fn: () => T): T {
  useEngine(engine);
  try {
    return fn();
  } finally {
    useEngine('auto');
  }
}

async function onPathAsync<T>(engine: 'fused' | 'autograd', fn: () => Promise<T>): Promise<T> {
  useEngine(engine);
  try {
    return await fn();
  } finally {
    useEngine('auto');
  }
}

/** Loss and gradients of one batch on a path, from zeroed gradients. */
function step(model: SequenceRegressor | SequenceClassifier, engine: 'fused' | 'autograd', batch: Parameters<typeof sequenceLossAndGrad>[1], options: HeadLossOptions) {
  for (const p of model.parameters()) p.grad?.fill(0);
  const { loss } = onPath(engine, () => sequenceLossAndGrad(model, batch, options));
  return { loss, grads: model.namedParameters().map(([name, p]) => [name, Float32Array.from(p.grad ?? new Float32Array(p.size))] as const) };
}

function close(a: ReturnType<typeof step>, b: ReturnType<typeof step>, what: string): void {
  assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.max(1, Math.abs(b.loss)), `${what}: loss ${a.loss} vs ${b.loss}`);
  a.grads.forEach(([name, g], k) => {
    const h = b.grads[k]![1];
    let worst = 0;
    let scale = 1e-3;
    for (let i = 0; i < g.length; i++) {
      worst = Math.max(worst, Math.abs(g[i]! - h[i]!));
      scale = Math.max(scale, Math.abs(h[i]!));
    }
    assert.ok(worst <= 1e-5 * scale + 1e-7, `${what}: d${name} differs by ${worst} (scale ${scale})`);
  });
}

test('one minibatch: the fused engine and the autograd path give the same loss and gradients', () => {
  const random = new Random(4);
  for (const loss of ['mse', 'mae', 'huber'] as const) {
    for (const bidirectional of [false, true]) {
      const model = new SequenceRegressor({ inputSize: 3, hiddenSize: 6, numLayers: 2, bidirectional, horizon: 2, targets: 2, seed: 1 });
      assert.notEqual(fusedSequenceEngineFor(model), null, 'the engine serves the forecaster');
      const batch = { input: new Tensor(Float32Array.from({ length: 5 * 7 * 3 }, () => random.normal()), [5, 7, 3]), targets: new Tensor(Float32Array.from({ length: 5 * 2 * 2 }, () => random.normal()), [5, 2, 2]) };
      close(step(model, 'fused', batch, { loss }), step(model, 'autograd', batch, { loss }), `forecaster ${loss}${bidirectional ? ' bidirectional' : ''}`);
    }
  }
  for (const pool of ['last', 'mean'] as const) {
    for (const classWeights of [null, [0.5, 2, 1]]) {
      const model = new SequenceClassifier({ vocabSize: 9, numClasses: 3, embeddingDim: 4, hiddenSize: 5, bidirectional: true, pool, seed: 2 });
      const lengths = Int32Array.from([6, 2, 4, 1]);
      const batch = { input: new Tensor(Float32Array.from({ length: 4 * 6 }, () => random.int(9)), [4, 6]), lengths, targets: new Tensor(Float32Array.from([0, 2, 1, 2]), [4]) };
      close(step(model, 'fused', batch, { classWeights }), step(model, 'autograd', batch, { classWeights }), `classifier pool ${pool}${classWeights === null ? '' : ' weighted'}`);
    }
  }
});

test('whole short runs of both tasks end with the same test metrics on the fused engine and on the autograd path', async () => {
  const series = parseSeries(seriesCsv(160), { target: 'value' });
  const forecast = { window: 12, horizon: 3, model: { hiddenSize: 10 }, training: { epochs: 3, batchSize: 16, lr: 0.01 } };
  const [fused, tape] = [await onPathAsync('fused', () => trainForecaster(series, forecast)), await onPathAsync('autograd', () => trainForecaster(series, forecast))];
  const [a, b] = [fused.test!.model[0]!, tape.test!.model[0]!];
  assert.ok(Math.abs(a.mae - b.mae) <= 1e-3 * b.mae, `forecast test MAE ${a.mae} (fused) vs ${b.mae} (autograd)`);
  assert.equal(fused.keptEpoch, tape.keptEpoch);

  const examples = labelledWords(200);
  const classify = { model: { hiddenSize: 8, embeddingDim: 4 }, training: { epochs: 3, batchSize: 16, lr: 0.01 } };
  const [c1, c2] = [await onPathAsync('fused', () => trainClassifier(examples, classify)), await onPathAsync('autograd', () => trainClassifier(examples, classify))];
  assert.ok(Math.abs(c1.test!.loss - c2.test!.loss) <= 1e-3 * c2.test!.loss, `classify test loss ${c1.test!.loss} vs ${c2.test!.loss}`);
  assert.equal(c1.test!.accuracy, c2.test!.accuracy);
});

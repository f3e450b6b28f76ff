// Hostile forecast and classify checkpoints against their real loaders: the plans (tensors from the config alone,
// memory, batches per epoch, history metrics) give them every check the language model's get, so NaN, huge values,
// wrong dtypes, configs that do not fit the tensors, absurd sizes, broken settings and another task's file are each
// refused in one line before anything is allocated for them; and the tensor lists the plans compare files with are
// what the models really hold, for every cell, depth, direction and input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../src/core/tensor.js';
import { parseSeries } from '../src/data/series.js';
import { decodeTaskCheckpoint } from '../src/train/checkpoint-load.js';
import { trainClassifier } from '../src/train/classify-session.js';
import { trainForecaster } from '../src/train/forecast-session.js';
import { buildClassifier, buildForecaster, type ClassifierConfig, type ForecasterConfig } from '../src/train/sequence-config.js';
import { classifierTensors, forecasterTensors } from '../src/train/sequence-spec.js';
import { CLASSIFY_LOADER, FORECAST_LOADER } from '../src/train/task-loaders.js';
import { encodeTaskCheckpoint } from '../src/train/task-run.js';
import type { CellKind } from '../src/nn/cell-kinds.js';
import { editHeader, editMeta, poke, refuses } from './helpers/hostile.js';
import { labelledWords, seriesCsv } from './helpers/task-data.js';

const SRC = 'upload.safetensors';
const series = parseSeries(seriesCsv(120), { target: 'value' });
const abort = new AbortController();
// Stopped mid-epoch, so the file holds progress, optimizer buffers and a partial epoch too.
const forecast = await trainForecaster(series, {
  window: 8, horizon: 2, model: { hiddenSize: 6, numLayers: 2, bidirectional: true }, training: { epochs: 2, batchSize: 8 },
  controls: { signal: abort.signal, onBatch: (b) => (b.epoch === 2 && b.batch === 2 ? abort.abort() : undefined) },
});
const forecastBytes = encodeTaskCheckpoint(forecast.task, forecast.trainer);
const classify = await trainClassifier(labelledWords(80), { model: { hiddenSize: 5, embeddingDim: 3 }, training: { epochs: 1, batchSize: 8 } });
const classifyBytes = encodeTaskCheckpoint(classify.task, classify.trainer);

test('the undamaged task checkpoints load, mid-epoch progress included', () => {
  const f = decodeTaskCheckpoint(forecastBytes, FORECAST_LOADER, SRC);
  assert.deepEqual([f.training!.progress.epoch, f.training!.progress.batch], [1, 2]);
  assert.equal(decodeTaskCheckpoint(classifyBytes, CLASSIFY_LOADER, SRC).task.info.labels.size, 2);
});

test('a hostile forecast checkpoint is refused in one line, before anything is allocated for it', () => {
  const load = (b: Uint8Array) => () => decodeTaskCheckpoint(b, FORECAST_LOADER, SRC);
  refuses(load(poke(forecastBytes, 'head.weight', 1, NaN)), /^upload\.safetensors: head\.weight holds NaN at element 1$/, 'NaN in the head');
  refuses(load(poke(forecastBytes, 'rnn.l1_reverse.U_f', 0, 2e6)), /rnn\.l1_reverse\.U_f holds 2000000 at element 0, beyond the bound/, 'a huge weight');
  refuses(load(editHeader(forecastBytes, (h) => (h['head.bias'].dtype = 'I32'))), /tensor head\.bias is stored as I32, expected F32/, 'an I32 bias');
  refuses(load(editMeta(forecastBytes, (m) => (m.model.hiddenSize = 7))), /checkpoint says a forecaster bidirectional LSTM 7x2 over 2 feature\(s\) but tensor rnn\.l0\.W_i is \(2, 6\), expected \(2, 7\)/, 'a config that does not fit');
  refuses(load(editMeta(forecastBytes, (m) => (m.model.bidirectional = false))), /unexpected tensor|expected \(6, 6\)|is \(12, 6\)/, 'one direction claimed');
  refuses(load(editMeta(forecastBytes, (m) => (m.model.hiddenSize = 1e9))), /its largest tensor would hold|needs about/, 'hiddenSize 1e9');
  refuses(load(editMeta(forecastBytes, (m) => (m.model.numLayers = 1e6))), /needs about .* of memory|has no tensor rnn\.l2\.W_i/, 'a million layers');
  refuses(load(editMeta(forecastBytes, (m) => (m.forecast.window = 1e9))), /needs about|largest tensor|training\.batch 2 is past the end of an epoch \(at most 0 minibatches/, 'a window of 1e9 steps');
  refuses(load(editMeta(forecastBytes, (m) => ((m.forecast.window = 1e9), (m.training = null), (m.optimizer = null)))), /the model it describes \(bidirectional LSTM 6x2, 2 inputs\) needs about .* of memory|its largest tensor/, 'a window of 1e9 steps, weights only');
  refuses(load(editMeta(forecastBytes, (m) => (m.scaler.std[0] = 0))), /bad scaler \(Scaler: column 'value' has mean .* and std 0/, 'a zero std');
  refuses(load(editMeta(forecastBytes, (m) => (m.forecast.maseScale = [-1]))), /forecast\.maseScale must be an array of positive numbers/, 'a negative MASE scale');
  refuses(load(editMeta(forecastBytes, (m) => (m.training.batch = 1e6))), /training\.batch 1000000 is (past the end of an epoch|more than the \d+ steps)/, 'a batch past the epoch');
  refuses(load(editMeta(forecastBytes, (m) => (m.training.history = [{ epoch: 1, loss: 'x' }]))), /training\.history\[0\] must be \{epoch, loss, seconds, lr, valLoss, valMae, valMase, windowsPerSec\}/, 'a history of strings');
  refuses(load(classifyBytes), /^upload\.safetensors is a classify checkpoint, not a forecast checkpoint$/, 'another task');
});

test('a hostile classify checkpoint is refused in one line', () => {
  const load = (b: Uint8Array) => () => decodeTaskCheckpoint(b, CLASSIFY_LOADER, SRC);
  refuses(load(poke(classifyBytes, 'embedding.weight', 4, Infinity)), /embedding\.weight holds Infinity at element 4/, 'Inf in the embedding');
  refuses(load(editMeta(classifyBytes, (m) => (m.model.embeddingDim = 4))), /checkpoint says a classifier bidirectional LSTM 5x1 of 2 classes but tensor embedding\.weight is \(\d+, 3\), expected \(\d+, 4\)/, 'an embedding that does not fit');
  refuses(load(editMeta(classifyBytes, (m) => (m.labels.labels = ['a-i', 'a-i']))), /bad labels \(LabelSet\.fromJSON: "labels" holds a duplicate\)/, 'duplicate labels');
  refuses(load(editMeta(classifyBytes, (m) => (m.labels.labels = ['a', 'b', 'c']))), /the checkpoint has 3 labels but the model config says numClasses 2/, 'labels that do not fit');
  refuses(load(editMeta(classifyBytes, (m) => (m.classify.maxLength = 1e12))), /needs about|largest tensor/, 'a maxLength of 1e12');
  refuses(load(editMeta(classifyBytes, (m) => (m.classify.classWeights = [1]))), /classify\.classWeights has 1 values but the model has 2 classes/, 'one class weight');
  refuses(load(editMeta(classifyBytes, (m) => (m.data.checksum = 'x'))), /data\.checksum must be 8 hex digits/, 'a bad checksum');
  refuses(load(forecastBytes), /^upload\.safetensors is a forecast checkpoint, not a classify checkpoint$/, 'another task');
});

test('the tensor lists the plans compare files with are what the forecaster and the classifier really hold', () => {
  for (const cell of ['lstm', 'gru', 'rnn'] as CellKind[]) {
    for (const [numLayers, bidirectional] of [[1, false], [3, true]] as const) {
      const base = { cell, hiddenSize: 4, numLayers, bidirectional, dropout: 0, seed: 0 };
      const f: ForecasterConfig = { ...base, inputSize: 3, horizon: 2, targets: 2 };
      const real = (model: { namedParameters(): Array<[string, Tensor]> }) => new Map(model.namedParameters().map(([n, t]) => [n, t.shape]));
      assert.deepEqual(new Map([...forecasterTensors(f)].map((s) => [s.name, s.shape])), real(buildForecaster(f)), `forecaster ${cell} x${numLayers} ${bidirectional}`);
      assert.deepEqual([...forecasterTensors(f)].map((s) => s.name), [...real(buildForecaster(f)).keys()], 'in namedParameters order');
      for (const embeddingDim of [undefined, 5]) {
        const c: ClassifierConfig = { ...base, vocabSize: 9, numClasses: 3, pool: 'mean', ...(embeddingDim === undefined ? {} : { embeddingDim }) };
        assert.deepEqual([...classifierTensors(c)].map((s) => [s.name, s.shape]), [...real(buildClassifier(c))], `classifier ${cell} x${numLayers} ${bidirectional} ${embeddingDim}`);
      }
    }
  }
});

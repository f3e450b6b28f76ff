// Hostile checkpoints against the library (decodeCheckpoint, which loadCheckpoint and the playground's upload call):
// generated damage to a real checkpoint (truncation, bit flips, header lengths, shifted offsets, changed dtypes,
// NaN/Inf/huge values in weights, optimizer buffers and carried state, "__proto__" names, absurd configs and
// training fields). Every case is refused with one plain line naming the problem, before memory grows; random bit
// flips either are refused or load a model whose every value is finite and within bounds. Also: the declarative
// tensor lists (what loaders compare a file with) equal what the model and optimizers really hold, and another
// task's checkpoint (test/helpers/regression-task.ts) gets the same checks through its loader's plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_STATE, MAX_WEIGHT } from '../src/core/limits.js';
import { Random } from '../src/core/random.js';
import { parseSafetensorsHeader } from '../src/io/safetensors-header.js';
import { optimizerBufferLayout } from '../src/optim/buffers.js';
import { Adam, SGD } from '../src/optim/index.js';
import { torchTensorSpecs } from '../src/export/torch.js';
import { encodeSafetensors } from '../src/io/safetensors.js';
import {
  Trainer, buildModel, decodeCheckpoint, decodeTaskCheckpoint, encodeCheckpoint, taskCheckpointContents, type CellKind, type ModelConfig, type TaskLoader,
} from '../src/train/index.js';
import { CheckpointPlanError } from '../src/train/checkpoint-load.js';
import { languageModelTensors } from '../src/train/model-spec.js';
import { editHeader, editMeta, joinFile, poke, refuses, splitFile, tinyCheckpoint } from './helpers/hostile.js';
import { REGRESSION_LOADER, RegressionTask, makeWindows, type RegressorConfig } from './helpers/regression-task.js';

const input = await tinyCheckpoint();
const good = encodeCheckpoint(input);
const SRC = 'upload.safetensors';
const decode = (bytes: Uint8Array) => () => decodeCheckpoint(bytes, SRC);

test('the undamaged checkpoint loads (the baseline every case below damages)', () => {
  const ckpt = decodeCheckpoint(good, SRC);
  assert.equal(ckpt.config.hiddenSize, 6);
  assert.ok(ckpt.training !== null);
});

test('truncated anywhere, or with its header length off: refused, never a crash', () => {
  const random = new Random(7);
  const cuts = [0, 1, 7, 8, 9, 100, good.length - 1, good.length - 4, ...Array.from({ length: 40 }, () => Math.floor(random.uniform(0, good.length)))];
  for (const cut of cuts) refuses(decode(good.subarray(0, cut)), /^upload\.safetensors is not an lstm-ts checkpoint: not a safetensors file \(/, `cut at ${cut}`);
  const len = Number(new DataView(good.buffer).getBigUint64(0, true));
  for (const delta of [-8, -2, -1, 1, 2, 8]) {
    const bytes = good.slice();
    new DataView(bytes.buffer).setBigUint64(0, BigInt(len + delta), true);
    refuses(decode(bytes), /not a safetensors file \((header is not valid UTF-8 JSON|the tensors cover|.*slack|header must be)/, `header length ${delta > 0 ? '+' : ''}${delta}`);
  }
  const huge = good.slice();
  new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
  refuses(decode(huge), /header length 9223372036854775808 is larger than the file/, 'header length 2^63');
});

test('offsets shifted, overlapping or leaving slack; sizes that disagree with shapes: refused before any tensor is read', () => {
  const names = Object.keys(splitFile(good).header).filter((n) => n !== '__metadata__');
  for (const name of names.slice(0, 6)) {
    refuses(decode(editHeader(good, (h) => (h[name].data_offsets = h[name].data_offsets.map((o: number) => o + 2)))), /not a safetensors file \(.*(overlapping|unused|beyond|slack)/, `${name} shifted by 2`);
    refuses(decode(editHeader(good, (h) => (h[name].shape = [...h[name].shape, 2]))), /need \d+ bytes|needs more/, `${name} with a doubled shape`);
  }
  const { data } = splitFile(good);
  refuses(() => decodeCheckpoint(joinFile(JSON.stringify(splitFile(good).header), new Uint8Array([...data, 0, 0, 0, 0])), SRC), /4 bytes of slack/, 'four stray bytes at the end');
  refuses(decode(editHeader(good, (h) => (h['decoder.bias'].shape = [1e15, 1e15]))), /decoder\.bias.*need/, 'a shape whose product overflows');
});

test('dtypes: a float weight stored as I32/U32, the step counter as I64, a weight as F16: named and refused', () => {
  refuses(decode(editHeader(good, (h) => (h['rnn.l0.W_i'].dtype = 'I32'))), /tensor rnn\.l0\.W_i is stored as I32, expected F32 \(it holds weight values\)/, 'I32 weight');
  refuses(decode(editHeader(good, (h) => (h['decoder.weight'].dtype = 'U32'))), /decoder\.weight is stored as U32/, 'U32 weight');
  refuses(decode(editHeader(good, (h) => (h['optimizer.steps'].dtype = 'I64'))), /optimizer\.steps is stored as I64, expected F64 \(it holds optimizer state values\)/, 'I64 steps');
  refuses(decode(editHeader(good, (h) => (h['optimizer.exp_avg.0'].dtype = 'F8_E4M3'))), /dtype "F8_E4M3", expected one of/, 'unknown dtype');
});

test('NaN, ±Inf and absurd finite values in weights, optimizer buffers and step counts: refused, naming tensor and element', () => {
  const cases: Array<[string, number, number, RegExp]> = [
    ['rnn.l0.W_i', 3, NaN, /rnn\.l0\.W_i holds NaN at element 3$/],
    ['rnn.l1.U_f', 0, Infinity, /rnn\.l1\.U_f holds Infinity at element 0$/],
    ['decoder.bias', 5, -Infinity, /decoder\.bias holds -Infinity at element 5$/],
    ['decoder.weight', 7, 3e38, /decoder\.weight holds 3\.\d+e\+38 at element 7, beyond the bound 1000000 on weight values/],
    ['rnn.l0.b_o', 1, -2e6, /rnn\.l0\.b_o holds -2000000 at element 1, beyond the bound 1000000/],
    ['optimizer.exp_avg.2', 4, NaN, /optimizer\.exp_avg\.2 holds NaN at element 4/],
    ['optimizer.exp_avg_sq.0', 0, 1e30, /optimizer\.exp_avg_sq\.0 holds 1\.\d+e\+30 at element 0, beyond the bound 1000000000000000000 on optimizer state/],
    ['optimizer.steps', 2, 1.5, /optimizer\.steps holds 1\.5 at element 2, not a whole number/],
  ];
  for (const [name, k, value, pattern] of cases) refuses(decode(poke(good, name, k, value)), new RegExp(`^upload\\.safetensors: ${pattern.source}`), `${value} in ${name}`);
  // The bound itself is fine: a weight of exactly 1e6 loads.
  assert.equal(decodeCheckpoint(poke(good, 'decoder.bias', 0, MAX_WEIGHT), SRC).model.decoder.bias.data[0], MAX_WEIGHT);
  assert.ok(MAX_STATE > MAX_WEIGHT);
});

test('NaN in the carried hidden state of a checkpoint saved mid-epoch is refused', async () => {
  const mid = await tinyCheckpoint();
  const stop = new AbortController();
  const train = Int32Array.from({ length: 400 }, (_, k) => k % mid.vocab.size);
  await mid.trainer!.fit(train, null, { signal: stop.signal, onBatch: () => stop.abort() });
  const bytes = encodeCheckpoint(mid);
  assert.ok(parseSafetensorsHeader(bytes).entries.has('training.state.c'));
  refuses(decode(poke(bytes, 'training.state.c', 2, NaN)), /training\.state\.c holds NaN at element 2/, 'NaN in c');
  refuses(decode(editHeader(bytes, (h) => delete h['training.state.h'])), /not a safetensors file|carried state has c but not h/, 'h missing');
});

test('names from the file never reach a prototype: "__proto__", "constructor", "toString" are unexpected tensors', () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    const { header, data } = splitFile(good);
    const extra = new Uint8Array([...data, 0, 0, 128, 63]);
    const json = JSON.stringify(header).replace(/^\{/, `{${JSON.stringify(name)}:{"dtype":"F32","shape":[1],"data_offsets":[${data.length},${data.length + 4}]},`);
    refuses(() => decodeCheckpoint(joinFile(json, extra), SRC), new RegExp(`has unexpected tensor ${name}$`), name);
  }
  // Also as a metadata key, and inside the lstm-ts JSON: still only a name.
  const meta = editHeader(good, (h) => (h.__metadata__ = JSON.parse(JSON.stringify(h.__metadata__).replace(/^\{/, '{"__proto__":"x",'))));
  assert.equal(decodeCheckpoint(meta, SRC).config.hiddenSize, 6);
  refuses(decode(editMeta(good, (m) => (m.model = JSON.parse('{"__proto__": {"hiddenSize": 6}, "cell": "lstm"}')))), /model config: unknown field __proto__|hiddenSize must be/, '__proto__ in the config');
});

test('absurd configs are refused before anything is allocated for them (no memory growth)', () => {
  const before = process.memoryUsage().rss;
  const cases: Array<[string, (m: any) => void, RegExp]> = [
    ['hiddenSize 30000', (m) => (m.model.hiddenSize = 30000), /the model it describes \(lstm 30000x2.*needs about .* of memory|tensor rnn\.l0\.W_i is/],
    ['hiddenSize 1e9', (m) => (m.model.hiddenSize = 1e9), /its largest tensor would hold|needs about/],
    ['numLayers 1e6', (m) => (m.model.numLayers = 1e6), /needs about|has no tensor rnn\.l2/],
    ['embeddingDim 1e9', (m) => (m.model.embeddingDim = 1e9), /its largest tensor would hold|needs about/],
    ['hiddenSize 7', (m) => (m.model.hiddenSize = 7), /checkpoint says lstm 7x2 but tensor rnn\.l0\.W_i is \(\d+, 6\), expected \(\d+, 7\)/],
    ['hiddenSize 1.5', (m) => (m.model.hiddenSize = 1.5), /hiddenSize must be a positive integer, got 1\.5/],
    ['hiddenSize "6"', (m) => (m.model.hiddenSize = '6'), /hiddenSize must be a positive integer, got "6"/],
    ['vocabSize 1e12', (m) => (m.model.vocabSize = 1e12), /the vocabulary has \d+ tokens but the model config says vocabSize 1000000000000/],
    ['cell gru', (m) => (m.model.cell = 'gru'), /checkpoint says gru 6x2 but has no tensor rnn\.l0\.W_r/],
    ['training.batchSize 1e9', (m) => (m.training.options.batchSize = 1e9), /needs about|largest tensor/],
    ['training.batch 1e6', (m) => (m.training.batch = 1e6), /training\.batch 1000000 is (past the end of an epoch|more than the \d+ steps)/],
    ['training.epoch 1e9', (m) => (m.training.epoch = 1e9), /training\.epoch 1000000000 is past the run's 2 epochs/],
    ['training.history of strings', (m) => (m.training.history = ['x']), /training\.history\[0\] must be/],
    ['training.partial with a string', (m) => ((m.training.batch = 1), (m.training.step = 5), (m.training.partial = { lossSum: 'x', tokens: 1, seconds: 1 })), /training\.partial must be null or/],
    ['optimizer.hyper.lr -1', (m) => (m.optimizer.hyper.lr = -1), /optimizer\.hyper\.lr is -1, expected a finite number >= 0/],
    ['optimizer.hyper.beta1 2', (m) => (m.optimizer.hyper.beta1 = 2), /optimizer\.hyper\.beta1 is 2, expected a finite number >= 0 and < 1/],
    ['optimizer.kind sgd', (m) => (m.optimizer.kind = 'sgd'), /optimizer\.kind is "sgd" but the training options say "adam"/],
    ['training.random', (m) => (m.training.random.data = [1, 2]), /training\.random must hold/],
    ['corpus.checksum', (m) => (m.corpus.checksum = 'zz'), /corpus\.checksum must be 8 hex digits/],
    ['a vocabulary with a duplicate', (m) => (m.vocab.tokens[2] = m.vocab.tokens[1]), /bad vocabulary \(Vocab\.fromJSON: tokens\[2\] .* is a duplicate\)/],
  ];
  for (const [what, edit, pattern] of cases) refuses(decode(editMeta(good, edit)), pattern, what);
  const grown = (process.memoryUsage().rss - before) / 2 ** 20;
  assert.ok(grown < 200, `resident memory grew by ${grown.toFixed(0)} MiB over ${cases.length} absurd configs`);
});

test('random bit flips: refused with one line, or a model whose every value is finite and within bounds', () => {
  const random = new Random(2024);
  let refused = 0;
  for (let trial = 0; trial < 300; trial++) {
    const bytes = good.slice();
    const at = Math.floor(random.uniform(0, bytes.length));
    bytes[at]! ^= 1 << Math.floor(random.uniform(0, 8));
    try {
      const ckpt = decodeCheckpoint(bytes, SRC);
      for (const [name, p] of ckpt.model.namedParameters()) {
        assert.ok(p.data.every((v) => Math.abs(v) <= MAX_WEIGHT), `flip at ${at}: ${name} out of bounds`);
      }
    } catch (err) {
      assert.ok(err instanceof Error && err.constructor === Error && !err.message.includes('\n'), `flip at ${at}: ${String(err)}`);
      refused++;
    }
  }
  assert.ok(refused > 0, 'some flips land in the header and are refused');
});

test('the tensor lists loaders compare files with are what models and optimizers really hold', () => {
  for (const cell of ['lstm', 'gru', 'rnn'] as CellKind[]) {
    for (const [numLayers, embeddingDim] of [[1, undefined], [3, 4]] as const) {
      const config: ModelConfig = { cell, hiddenSize: 5, numLayers, dropout: 0, vocabSize: 7, seed: 0, embeddingDim };
      const model = buildModel(config);
      const real = new Map(model.namedParameters().map(([n, t]) => [n, t.shape]));
      const listed = new Map([...languageModelTensors(config)].map((s) => [s.name, s.shape]));
      assert.deepEqual(listed, real, `${cell} x${numLayers} ${embeddingDim ?? 'one-hot'}: our names`);
      const torch = new Map(Object.entries(model.torchStateDict()).map(([n, t]) => [n, t.shape]));
      assert.deepEqual(new Map([...torchTensorSpecs(config)].map((s) => [s.name, s.shape])), torch, `${cell}: PyTorch names`);
      const params = model.parameters();
      const sizes = params.map((p) => p.size);
      for (const [optimizer, momentum] of [[new Adam(params), 0], [new SGD(params, { lr: 1, momentum: 0.9 }), 0.9], [new SGD(params, { lr: 1 }), 0]] as const) {
        const buffers = optimizer.stateDict().buffers;
        const layout = optimizerBufferLayout(optimizer.kind, momentum, sizes);
        assert.deepEqual(new Map(layout.map((b) => [b.name, [b.length, b.dtype]])), new Map(Object.entries(buffers).map(([n, b]) => [n, [b.length, b instanceof Float64Array ? 'F64' : 'F32']])), `${optimizer.kind} buffers`);
      }
    }
  }
});

test('another task gets every check by supplying its plan: a hostile forecast checkpoint is refused like a language model\'s', async () => {
  const config: RegressorConfig = { features: 2, steps: 6, hiddenSize: 8, numLayers: 2, dropout: 0, seed: 3 };
  const trainer = new Trainer(new RegressionTask(config), { batchSize: 8, epochs: 2, optimizer: 'adam', validFraction: 0, seed: 1 });
  await trainer.fit(makeWindows(60, config.steps, 2), null, { maxEpochs: 1 });
  const { tensors, metadata } = taskCheckpointContents(trainer.task, trainer);
  const bytes = encodeSafetensors(tensors, metadata);
  const load = (b: Uint8Array) => () => decodeTaskCheckpoint(b, REGRESSION_LOADER, SRC);
  assert.equal(load(bytes)().training?.progress.epoch, 1, 'the undamaged checkpoint loads');
  refuses(load(poke(bytes, 'head.weight', 2, NaN)), /^upload\.safetensors: head\.weight holds NaN at element 2$/, 'NaN in the head');
  refuses(load(poke(bytes, 'rnn.l1.U_o', 0, 5e6)), /rnn\.l1\.U_o holds 5000000 at element 0, beyond the bound 1000000 on weight values/, 'a huge weight');
  refuses(load(poke(bytes, 'optimizer.exp_avg.3', 1, Infinity)), /optimizer\.exp_avg\.3 holds Infinity at element 1/, 'Inf in the optimizer state');
  refuses(load(editHeader(bytes, (h) => (h['head.bias'].dtype = 'I32'))), /tensor head\.bias is stored as I32, expected F32/, 'an I32 bias');
  refuses(load(editMeta(bytes, (m) => (m.model.hiddenSize = 9))), /checkpoint says a regressor lstm 9x2 but tensor rnn\.l0\.W_i is \(2, 8\), expected \(2, 9\)/, 'a config that does not fit');
  refuses(load(editMeta(bytes, (m) => (m.model.numLayers = 1e6))), /needs about .* of memory|has no tensor rnn\.l2\.W_i/, 'a million layers');
  refuses(load(editMeta(bytes, (m) => (m.training.history = [{ epoch: 1, loss: 'x' }]))), /training\.history\[0\] must be \{epoch, loss, seconds, lr, valMse, valMae, windowsPerSec\}/, 'a history of strings');
  refuses(load(editMeta(bytes, (m) => (m.training.epoch = 7))), /training\.epoch 7 is past the run's 2 epochs/, 'an epoch past the run');
  const { header, data } = splitFile(bytes);
  const json = JSON.stringify(header).replace(/^\{/, `{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[${data.length},${data.length + 4}]},`);
  refuses(load(joinFile(json, new Uint8Array([...data, 0, 0, 0, 0]))), /has unexpected tensor __proto__$/, '__proto__');
  // A language model's checkpoint is not a forecast's: one line naming both kinds.
  refuses(load(good), /^upload\.safetensors is a language-model checkpoint, not a forecast checkpoint$/, 'another task');

  // A plan that does not describe the model its task builds is the loader's bug, not the file's: an internal error.
  const lying: TaskLoader<RegressionTask> = {
    kind: 'forecast',
    plan: (meta, source, fail) => ({ ...REGRESSION_LOADER.plan(meta, source, fail), build: () => new RegressionTask({ ...config, numLayers: 1 }) }),
  };
  assert.throws(() => decodeTaskCheckpoint(bytes, lying, SRC), (err: Error) => err instanceof CheckpointPlanError && /the forecast loader's plan .* lists rnn\.l1\.W_i \(8, 8\) as parameter 12, but the task it builds has head\.weight \(8, 1\)/.test(err.message));
});

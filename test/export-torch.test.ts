// PyTorch export and import without PyTorch: the state dict carries exactly nn.LSTM/GRU/RNN + nn.Linear names and
// shapes (and embedding.weight), an export imported back gives the same model (logits equal), a DDP `module.`
// prefix is taken off, and every bad input (missing, extra or misshaped tensors, a vocabulary that is not the
// decoder's size, a broken sidecar, NaN weights) is one line naming what was expected and what came.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, noGrad } from '../src/core/tensor.js';
import { Vocab } from '../src/data/vocab.js';
import type { TensorDict } from '../src/io/safetensors.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../src/train/checkpoint.js';
import { buildModel, type ModelConfig } from '../src/train/model-config.js';
import { Trainer } from '../src/train/trainer.js';
import { importTorch, legacySidecarPathFor, makeSidecar, parseSidecar, sidecarPathFor, torchTensors, type Sidecar } from '../src/export/index.js';

const TOKENS = ['a', 'b', 'c', ' ', '.', 'd', 'e'];

function checkpoint(config: Omit<ModelConfig, 'vocabSize' | 'seed'>): Checkpoint {
  const vocab = new Vocab(TOKENS);
  const full: ModelConfig = { ...config, vocabSize: vocab.size, seed: 4 };
  const model = buildModel(full);
  const trainer = new Trainer(model, { batchSize: 2, numSteps: 3, epochs: 5, optimizer: 'sgd', lr: 0.5 });
  trainer.epoch = 3;
  trainer.step = 42;
  const bytes = encodeCheckpoint({ config: full, model, text: { tokens: 'char', preprocess: 'none' }, vocab, trainer });
  return decodeCheckpoint(bytes, 'test.safetensors');
}

const FROM = { weights: 'trained.safetensors', sidecar: 'trained.json' };

function exported(ckpt: Checkpoint): { dict: TensorDict; sidecar: Sidecar; vocab: Vocab } {
  const { sidecar, vocab } = parseSidecar(JSON.stringify(makeSidecar(ckpt, 'torch')), FROM.sidecar);
  return { dict: torchTensors(ckpt.model), sidecar, vocab };
}

function logitsOf(ckpt: { model: Checkpoint['model'] }): Float32Array | Float64Array {
  return noGrad(() => ckpt.model.forward(new Tensor(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]))[0].data);
}

test('the state dict has PyTorch names and shapes: rnn.* as nn.LSTM/GRU/RNN, linear.* as nn.Linear, embedding.weight', () => {
  const shapes = (d: TensorDict) => Object.fromEntries(Object.entries(d).map(([k, t]) => [k, t.shape]));
  const V = TOKENS.length + 1;
  assert.deepEqual(shapes(torchTensors(checkpoint({ cell: 'lstm', hiddenSize: 5, numLayers: 2, dropout: 0.1 }).model)), {
    'rnn.weight_ih_l0': [20, V], 'rnn.weight_hh_l0': [20, 5], 'rnn.bias_ih_l0': [20], 'rnn.bias_hh_l0': [20],
    'rnn.weight_ih_l1': [20, 5], 'rnn.weight_hh_l1': [20, 5], 'rnn.bias_ih_l1': [20], 'rnn.bias_hh_l1': [20],
    'linear.weight': [V, 5], 'linear.bias': [V],
  });
  const gru = torchTensors(checkpoint({ cell: 'gru', hiddenSize: 5, numLayers: 1, dropout: 0, embeddingDim: 3 }).model);
  assert.deepEqual(Object.keys(gru).sort(), ['embedding.weight', 'linear.bias', 'linear.weight', 'rnn.bias_hh_l0', 'rnn.bias_ih_l0', 'rnn.weight_hh_l0', 'rnn.weight_ih_l0']);
  assert.deepEqual(gru['embedding.weight']!.shape, [V, 3]);
  assert.deepEqual(gru['rnn.weight_ih_l0']!.shape, [15, 3]);
  for (const t of Object.values(gru)) assert.ok(t.data instanceof Float32Array);
  // An LSTM's one bias per gate goes to bias_ih; bias_hh is zero so the sum PyTorch computes is unchanged.
  const lstm = torchTensors(checkpoint({ cell: 'lstm', hiddenSize: 5, numLayers: 1, dropout: 0 }).model);
  assert.ok(lstm['rnn.bias_hh_l0']!.data.every((v) => v === 0));
});

for (const config of [
  { cell: 'lstm', hiddenSize: 6, numLayers: 2, dropout: 0 },
  { cell: 'gru', hiddenSize: 4, numLayers: 1, dropout: 0, embeddingDim: 3 },
  { cell: 'rnn', hiddenSize: 5, numLayers: 2, dropout: 0, nonlinearity: 'relu' },
] as const) {
  test(`export then import gives the same ${config.cell} model, resumable at the exported epoch`, () => {
    const ckpt = checkpoint(config);
    const { dict, sidecar, vocab } = exported(ckpt);
    // PyTorch may move any part of a bias between bias_ih and bias_hh; only the sum (LSTM, RNN, GRU r/z) counts.
    if (config.cell === 'lstm') {
      dict['rnn.bias_hh_l1']!.data.fill(0.25);
      dict['rnn.bias_ih_l1']!.data.forEach((v, k, a) => (a[k] = v - 0.25));
    }
    const input = importTorch(dict, sidecar, vocab, FROM);
    const back = decodeCheckpoint(encodeCheckpoint(input), 'imported');
    const [a, b] = [logitsOf(ckpt), logitsOf(back)];
    for (let k = 0; k < a.length; k++) assert.ok(Math.abs(a[k]! - b[k]!) <= 1e-6, `logit ${k}: ${a[k]} vs ${b[k]}`);
    assert.deepEqual(back.vocab.tokens, ckpt.vocab.tokens);
    assert.deepEqual(back.config, ckpt.config);
    assert.equal(back.training?.progress.epoch, 3);
    assert.equal(back.training?.progress.step, 42);
    assert.equal(back.training?.progress.options.optimizer, 'sgd');
    assert.equal(back.corpus, null);
  });
}

test('a state dict saved from the DistributedDataParallel wrapper (module.*) is read as the model inside', () => {
  const ckpt = checkpoint({ cell: 'gru', hiddenSize: 4, numLayers: 1, dropout: 0 });
  const { dict, sidecar, vocab } = exported(ckpt);
  const wrapped = Object.fromEntries(Object.entries(dict).map(([k, t]) => [`module.${k}`, t]));
  const back = decodeCheckpoint(encodeCheckpoint(importTorch(wrapped, sidecar, vocab, FROM)), 'imported');
  assert.deepEqual(Array.from(logitsOf(back)), Array.from(logitsOf(ckpt)));
});

test('bad state dicts: missing, extra and misshaped tensors, a vocabulary that is not the decoder size, NaN', () => {
  const ckpt = checkpoint({ cell: 'lstm', hiddenSize: 6, numLayers: 2, dropout: 0 });
  const attempt = (edit: (d: TensorDict) => void, s?: Sidecar, v?: Vocab) => {
    const { dict, sidecar, vocab } = exported(ckpt);
    edit(dict);
    return () => importTorch(dict, s ?? sidecar, v ?? vocab, FROM);
  };
  const model = 'the LSTM 6x2 over 8 tokens \\(one-hot input\\) that trained.json describes';
  assert.throws(attempt((d) => delete d['rnn.weight_hh_l1']), new RegExp(`^Error: trained.safetensors does not fit ${model}: missing rnn.weight_hh_l1$`));
  assert.throws(
    attempt((d) => (d['rnn.weight_ih_l2'] = d['rnn.weight_ih_l1']!)),
    new RegExp(`^Error: trained.safetensors does not fit ${model}: unexpected rnn.weight_ih_l2$`),
  );
  assert.throws(
    attempt((d) => (d['rnn.weight_hh_l0'] = new Tensor(new Float32Array(24 * 5), [24, 5]))),
    new RegExp(`^Error: trained.safetensors: rnn.weight_hh_l0 is \\(24, 5\\), expected \\(24, 6\\) for ${model}$`),
  );
  assert.throws(
    attempt((d) => {
      d['linear.weight'] = new Tensor(new Float32Array(9 * 6), [9, 6]);
      d['linear.bias'] = new Tensor(new Float32Array(9), [9]);
    }),
    /^Error: trained.json has a vocabulary of 8 tokens but the decoder linear.weight in trained.safetensors is \(9, 6\), i.e. 9 tokens$/,
  );
  assert.throws(attempt((d) => (d['linear.bias']!.data[2] = NaN)), /^Error: trained.safetensors: linear.bias holds NaN at element 2; the weights diverged/);
});

test('bad sidecars: not JSON, not a sidecar, a vocabulary that disagrees with its own config', () => {
  const ckpt = checkpoint({ cell: 'rnn', hiddenSize: 3, numLayers: 1, dropout: 0 });
  const good = makeSidecar(ckpt, 'torch');
  assert.throws(() => parseSidecar('{"format":', 'x.json'), /^Error: sidecar x.json: not valid JSON \(/);
  assert.throws(() => parseSidecar('{"format":"other"}', 'x.json'), /^Error: sidecar x.json: format is "other", expected 'lstm-ts\/export' \(the JSON that lstm export writes\)$/);
  const longer = { ...good, vocab: { ...good.vocab, tokens: [...good.vocab.tokens, 'z'] } };
  assert.throws(() => parseSidecar(JSON.stringify(longer), 'x.json'), /^Error: sidecar x.json: its vocabulary has 9 tokens but its model config says vocabSize 8$/);
  const noUnk = { ...good, vocab: { ...good.vocab, tokens: good.vocab.tokens.slice(1) } };
  assert.throws(() => parseSidecar(JSON.stringify(noUnk), 'x.json'), /^Error: sidecar x.json: vocab: tokens\[0\] must be '<unk>'/);
  const badModel = { ...good, model: { ...good.model, hiddenSize: 0 } };
  assert.throws(() => parseSidecar(JSON.stringify(badModel), 'x.json'), /^Error: sidecar x.json: model: hiddenSize must be a positive integer, got 0$/);
  // A trainer's own notes survive the round trip.
  assert.deepEqual(parseSidecar(JSON.stringify({ ...good, torch_training: { steps: 20 } }), 'x.json').sidecar.torch_training, { steps: 20 });
});

test("sidecar names: the export's own name plus .json; the older name had the extension replaced", () => {
  assert.equal(sidecarPathFor('out/book.torch.safetensors'), 'out/book.torch.safetensors.json');
  assert.equal(sidecarPathFor('book.onnx'), 'book.onnx.json');
  assert.notEqual(sidecarPathFor('m.onnx'), sidecarPathFor('m.safetensors'), 'one stem, two formats, two sidecars');
  assert.equal(legacySidecarPathFor('out/book.torch.safetensors'), 'out/book.torch.json');
  assert.equal(legacySidecarPathFor('book.ONNX'), 'book.json');
  assert.equal(legacySidecarPathFor('weights.bin'), 'weights.bin.json');
});

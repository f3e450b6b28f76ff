// Whole language models to and from PyTorch state dicts: `rnn.weight_ih_l0` ... (nn.LSTM / nn.GRU / nn.RNN),
// `linear.weight`, `linear.bias` (nn.Linear) and `embedding.weight` (nn.Embedding), float32, as
// `RNNModel.state_dict()` names them in examples/torch. An import checks names, the vocabulary against the decoder,
// and shapes, in that order, so the first error says what is really wrong; then it builds a resumable checkpoint.
import { Tensor, shapeString } from '../core/tensor.js';
import type { Vocab } from '../data/vocab.js';
import type { TensorDict } from '../io/safetensors.js';
import type { RNNModel } from '../nn/rnn-model.js';
import type { CheckpointInput } from '../train/checkpoint.js';
import { buildModel, type ModelConfig } from '../train/model-config.js';
import { Trainer } from '../train/trainer.js';
import type { Sidecar } from './sidecar.js';

/** The model's PyTorch state dict as float32 tensors (an LSTM's bias_hh is zero: its bias_ih carries the sum). */
export function torchTensors(model: RNNModel): TensorDict {
  const out: TensorDict = {};
  for (const [name, t] of Object.entries(model.torchStateDict())) out[name] = new Tensor(Float32Array.from(t.data), t.shape);
  return out;
}

/** "LSTM 64x2 over 28 tokens (one-hot input)": the model a sidecar describes, for error messages. */
export function describeTorchModel(config: ModelConfig): string {
  const input = config.embeddingDim === undefined ? 'one-hot input' : `embedding ${config.embeddingDim}`;
  return `${config.cell.toUpperCase()} ${config.hiddenSize}x${config.numLayers} over ${config.vocabSize} tokens (${input})`;
}

function listSome(names: string[]): string {
  return names.length <= 6 ? names.join(', ') : `${names.slice(0, 6).join(', ')} and ${names.length - 6} more`;
}

/** DistributedDataParallel saves `module.rnn...` when the wrapper's own state dict is saved; the model is inside. */
function unwrapDataParallel(dict: TensorDict): TensorDict {
  const names = Object.keys(dict);
  if (names.length === 0 || !names.every((n) => n.startsWith('module.'))) return dict;
  return Object.fromEntries(names.map((n) => [n.slice('module.'.length), dict[n]!]));
}

export interface TorchImportSources {
  /** Names of the two files, for error messages. */
  weights: string;
  sidecar: string;
}

/**
 * A checkpoint (weights, vocabulary, text settings and a fresh optimizer over the sidecar's training options, at
 * the epoch the export was taken) from a PyTorch state dict and its sidecar. Bad input throws one line.
 */
export function importTorch(raw: TensorDict, sidecar: Sidecar, vocab: Vocab, from: TorchImportSources): CheckpointInput {
  const dict = unwrapDataParallel(raw);
  const config = sidecar.model;
  const model = buildModel(config);
  const expected = model.torchStateDict();
  const says = `the ${describeTorchModel(config)} that ${from.sidecar} describes`;

  const missing = Object.keys(expected).filter((n) => !(n in dict));
  const extra = Object.keys(dict).filter((n) => !(n in expected));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [missing.length > 0 ? `missing ${listSome(missing)}` : '', extra.length > 0 ? `unexpected ${listSome(extra)}` : ''];
    throw new Error(`${from.weights} does not fit ${says}: ${parts.filter(Boolean).join('; ')}`);
  }

  const decoder = dict['linear.weight']!;
  if (decoder.shape.length === 2 && decoder.shape[0] !== vocab.size) {
    throw new Error(
      `${from.sidecar} has a vocabulary of ${vocab.size} tokens but the decoder linear.weight in ${from.weights} is ${shapeString(decoder.shape)}, i.e. ${decoder.shape[0]} tokens`,
    );
  }
  for (const [name, want] of Object.entries(expected)) {
    const got = dict[name]!;
    if (got.shape.length !== want.shape.length || got.shape.some((d, k) => d !== want.shape[k])) {
      throw new Error(`${from.weights}: ${name} is ${shapeString(got.shape)}, expected ${shapeString(want.shape)} for ${says}`);
    }
    const bad = got.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${from.weights}: ${name} holds ${got.data[bad]} at element ${bad}; the weights diverged before they were saved`);
  }
  model.loadTorchStateDict(dict);

  // The optimizer restarts (PyTorch's moments are not carried); epochs and history continue from the export, so
  // `lstm train --resume --epochs N` trains N minus the exported epochs more.
  const trainer = new Trainer(model, sidecar.training ?? {});
  if (sidecar.progress !== null) {
    trainer.epoch = sidecar.progress.epoch;
    trainer.step = sidecar.progress.step;
    trainer.history.push(...sidecar.progress.history);
  }
  // No corpus fingerprint: the weights were last trained outside lstm-ts, on whatever text PyTorch read.
  return { config, model, text: sidecar.text, vocab, trainer, corpus: null };
}


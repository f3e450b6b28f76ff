// Whole language models to and from PyTorch state dicts: `rnn.weight_ih_l0` ... (nn.LSTM / nn.GRU / nn.RNN),
// `linear.weight`, `linear.bias` (nn.Linear) and `embedding.weight` (nn.Embedding), float32, as
// `RNNModel.state_dict()` names them in examples/torch. An import checks names, the vocabulary against the decoder,
// and shapes, in that order, so the first error says what is really wrong; then it builds a resumable checkpoint.
import { MAX_WEIGHT } from '../core/limits.js';
import { Tensor, shapeString } from '../core/tensor.js';
import type { Vocab } from '../data/vocab.js';
import type { TensorDict } from '../io/safetensors.js';
import { FLOAT_DTYPES, checkValues, listSome, type TensorShapeInfo, type TensorSpec } from '../io/tensor-spec.js';
import { cellKind } from '../nn/cell-kinds.js';
import type { RNNModel } from '../nn/rnn-model.js';
import type { CheckpointInput } from '../train/checkpoint.js';
import { buildModel, type ModelConfig } from '../train/model-config.js';
import { userMessage } from '../train/checkpoint-load.js';
import { assertModelFits, optimizerBufferCount } from '../train/model-spec.js';
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

/** DistributedDataParallel saves `module.rnn...` when the wrapper's own state dict is saved; the model is inside. */
function unwrapDataParallel<T>(entries: ReadonlyMap<string, T>): Map<string, T> {
  const names = [...entries.keys()];
  if (names.length === 0 || !names.every((n) => n.startsWith('module.'))) return new Map(entries);
  return new Map(names.map((n) => [n.slice('module.'.length), entries.get(n)!]));
}

export interface TorchImportSources {
  /** Names of the two files, for error messages. */
  weights: string;
  sidecar: string;
}

/**
 * The state dict `RNNModel.state_dict()` gives in examples/torch for this config, from the config alone:
 * rnn.weight_ih_l{k} (G·H, I), rnn.weight_hh_l{k} (G·H, H), rnn.bias_ih_l{k} and rnn.bias_hh_l{k} (G·H),
 * linear.weight (V, H), linear.bias (V), embedding.weight (V, E); any float dtype (PyTorch may save halves).
 */
export function* torchTensorSpecs(config: ModelConfig): Generator<TensorSpec> {
  const { hiddenSize: H, numLayers, vocabSize: V, embeddingDim: E } = config;
  const G = cellKind(config.cell).gateCount;
  const spec = (name: string, shape: number[]): TensorSpec => ({ name, shape, dtypes: FLOAT_DTYPES, bound: MAX_WEIGHT, role: 'weight' });
  if (E !== undefined) yield spec('embedding.weight', [V, E]);
  for (let l = 0; l < numLayers; l++) {
    const I = l === 0 ? (E ?? V) : H;
    yield* [spec(`rnn.weight_ih_l${l}`, [G * H, I]), spec(`rnn.weight_hh_l${l}`, [G * H, H]), spec(`rnn.bias_ih_l${l}`, [G * H]), spec(`rnn.bias_hh_l${l}`, [G * H])];
  }
  yield spec('linear.weight', [V, H]);
  yield spec('linear.bias', [V]);
}

/**
 * Checks a state dict's names, decoder width, shapes and dtypes against the sidecar's model, from the header alone
 * (`present`: name -> dtype and shape), and that the model fits in memory. Errors are one line naming both files.
 */
export function checkTorchHeader(present: ReadonlyMap<string, TensorShapeInfo>, sidecar: Sidecar, vocab: Vocab, from: TorchImportSources): void {
  const dict = unwrapDataParallel(present);
  const config = sidecar.model;
  const says = `the ${describeTorchModel(config)} that ${from.sidecar} describes`;
  // The specs are generated, and collected only while the file keeps up (a sidecar may claim a million layers).
  const expected = new Set<string>();
  const missing: string[] = [];
  let more = false;
  for (const spec of torchTensorSpecs(config)) {
    if (dict.has(spec.name)) expected.add(spec.name);
    else if (missing.length < 6) missing.push(spec.name);
    else {
      more = true;
      break;
    }
  }
  // (After an early stop the names seen are not all the expected ones, so extras are judged only without one.)
  const extra = more ? [] : [...dict.keys()].filter((n) => !expected.has(n)).map((n) => JSON.stringify(n).slice(1, -1));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [missing.length > 0 ? `missing ${missing.join(', ')}${more ? ' and more' : ''}` : '', extra.length > 0 ? `unexpected ${listSome(extra, 6)}` : ''];
    throw new Error(`${from.weights} does not fit ${says}: ${parts.filter(Boolean).join('; ')}`);
  }
  const specs = [...torchTensorSpecs(config)];
  const decoder = dict.get('linear.weight')!;
  if (decoder.shape.length === 2 && decoder.shape[0] !== vocab.size) {
    throw new Error(
      `${from.sidecar} has a vocabulary of ${vocab.size} tokens but the decoder linear.weight in ${from.weights} is ${shapeString(decoder.shape)}, i.e. ${decoder.shape[0]} tokens`,
    );
  }
  for (const spec of specs) {
    const got = dict.get(spec.name)!;
    if (got.shape.length !== spec.shape.length || got.shape.some((d, k) => d !== spec.shape[k])) {
      throw new Error(`${from.weights}: ${spec.name} is ${shapeString(got.shape)}, expected ${shapeString(spec.shape)} for ${says}`);
    }
    if (!spec.dtypes.includes(got.dtype)) throw new Error(`${from.weights}: ${spec.name} is stored as ${got.dtype}, expected a float dtype (${spec.dtypes.join(', ')})`);
  }
  const training = sidecar.training;
  const use = training === null ? undefined : { batchSize: training.batchSize, numSteps: training.numSteps, optimizerBuffers: optimizerBufferCount(training.optimizer, training.momentum) };
  try {
    assertModelFits(config, use, `the model ${from.sidecar} describes (${describeTorchModel(config)})`);
  } catch (err) {
    throw new Error(`${from.weights}: ${userMessage(err)}`);
  }
}

/**
 * A checkpoint (weights, vocabulary, text settings and a fresh optimizer over the sidecar's training options, at
 * the epoch the export was taken) from a PyTorch state dict and its sidecar. Bad input throws one line: names and
 * shapes as checkTorchHeader, then every value finite and within the weight bound (core/limits.ts).
 */
export function importTorch(raw: TensorDict, sidecar: Sidecar, vocab: Vocab, from: TorchImportSources): CheckpointInput {
  const present = new Map(Object.keys(raw).map((n) => [n, { dtype: raw[n]!.data instanceof Float64Array ? 'F64' : 'F32', shape: raw[n]!.shape }]));
  checkTorchHeader(present, sidecar, vocab, from);
  const dict = unwrapDataParallel(new Map(Object.keys(raw).map((n) => [n, raw[n]!])));
  const fail = (why: string): never => {
    throw new Error(`${from.weights}: ${why}; the weights diverged before they were saved, or the file is damaged`);
  };
  for (const spec of torchTensorSpecs(sidecar.model)) checkValues(spec.name, dict.get(spec.name)!.data, spec, fail);
  const config = sidecar.model;
  const model = buildModel(config);
  model.loadTorchStateDict(Object.fromEntries(dict));

  // The optimizer restarts (PyTorch's moments are not carried); epochs and history continue from the export, so
  // `lstm train --resume --epochs N` trains N minus the exported epochs more.
  const trainer = new Trainer(model, sidecar.training ?? {});
  if (sidecar.progress !== null) {
    trainer.epoch = sidecar.progress.epoch;
    trainer.step = sidecar.progress.step;
    for (const entry of sidecar.progress.history) trainer.history.push(entry);
  }
  // No corpus fingerprint: the weights were last trained outside lstm-ts, on whatever text PyTorch read.
  return { config, model, text: sidecar.text, vocab, trainer, corpus: null };
}

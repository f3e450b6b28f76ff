// The two task models besides the language model, built from the module tree (lanes.md, "Shared decisions"):
//   SequenceRegressor (forecasting): x (B, T, F) -> recurrent layer -> the last layer's final state h_n, both
//     directions concatenated (forward at T-1, backward at 0, as PyTorch's h_n) -> head Linear(D·H, horizon·targets)
//     -> (B, horizon, targets).
//   SequenceClassifier: ids (B, T) with lengths -> one-hot or Embedding(V, E) -> recurrent layer over each row's
//     own length -> pool 'last' (h_n of the last layer, as pack_padded_sequence gives it) or 'mean' (the outputs
//     averaged over each row's valid steps) -> head Linear(D·H, C) -> logits (B, C).
// Parameters: `rnn.*`, `embedding.weight`, `head.weight`, `head.bias`; PyTorch's are `rnn.weight_ih_l0`, ...
import { Tensor, shapeString } from '../core/tensor.js';
import { seededOrDefault, type Random } from '../core/random.js';
import { concat, mul, oneHot, reshape, select, sum } from '../core/ops/index.js';
import type { State } from './cell.js';
import { cellKind, type CellKind } from './cell-kinds.js';
import { Embedding } from './embedding.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import type { Recurrent } from './recurrent.js';
import type { Nonlinearity } from './rnn.js';

export interface SequenceModelOptions {
  /** 'lstm' (default), 'gru' or 'rnn'. */
  cell?: CellKind;
  hiddenSize: number;
  numLayers?: number;
  bidirectional?: boolean;
  /** Dropout between stacked recurrent layers, in training mode. */
  dropout?: number;
  /** Only for cell 'rnn'. */
  nonlinearity?: Nonlinearity;
  /** Seeds every initial weight (and the dropout masks); the global generator (see manualSeed) when omitted. */
  seed?: number;
}

export interface SequenceRegressorOptions extends SequenceModelOptions {
  /** F, features per step. */
  inputSize: number;
  /** Steps ahead predicted at once (default 1). */
  horizon?: number;
  /** Values predicted per step (default 1). */
  targets?: number;
}

export interface SequenceClassifierOptions extends SequenceModelOptions {
  vocabSize: number;
  numClasses: number;
  /** Learn an embedding of this width; one-hot input over the vocabulary without it. */
  embeddingDim?: number;
  /** 'last' (default): each row's final state; 'mean': its outputs averaged over its valid steps. */
  pool?: 'last' | 'mean';
}

function positive(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${what} must be an integer >= 1, got ${value}`);
  return value;
}

/** The recurrent layer both models use, batch-first, drawing from `random`. */
function recurrentLayer(options: SequenceModelOptions, inputSize: number, random: Random): Recurrent {
  const { numLayers, bidirectional, dropout, nonlinearity } = options;
  const layerOptions = { inputSize, hiddenSize: options.hiddenSize, numLayers, bidirectional, dropout, batchFirst: true, random };
  return cellKind(options.cell ?? 'lstm').layer(nonlinearity === undefined ? layerOptions : { ...layerOptions, nonlinearity });
}

/** The last layer's final h for each row, directions side by side: (B, D·H), forward first as in PyTorch. */
function lastLayerState(rnn: Recurrent, state: State): Tensor {
  const h = state instanceof Tensor ? state : state[0]!;
  const D = rnn.numDirections;
  const rows = Array.from({ length: D }, (_, d) => select(h, 0, (rnn.numLayers - 1) * D + d));
  return rows.length === 1 ? rows[0]! : concat(rows, 1);
}

export class SequenceRegressor extends Module {
  readonly rnn: Recurrent;
  readonly head: Linear;
  readonly horizon: number;
  readonly targets: number;

  constructor(options: SequenceRegressorOptions) {
    super();
    this.horizon = positive('horizon', options.horizon ?? 1);
    this.targets = positive('targets', options.targets ?? 1);
    const random = seededOrDefault(options.seed);
    this.rnn = this.registerModule('rnn', recurrentLayer(options, options.inputSize, random));
    this.head = this.registerModule('head', new Linear(this.rnn.outputSize, this.horizon * this.targets, random));
  }

  /** x (B, T, F) -> predictions (B, horizon, targets); with lengths, each row's prediction follows its last step. */
  forward(x: Tensor, options: { lengths?: ArrayLike<number> | Tensor } = {}): Tensor {
    if (x.shape.length !== 3) throw new Error(`SequenceRegressor: expected input (B, T, F) with F = ${this.rnn.inputSize}, got ${shapeString(x.shape)}`);
    const [, state] = this.rnn.forward(x, undefined, options);
    return reshape(this.head.forward(lastLayerState(this.rnn, state)), [x.shape[0]!, this.horizon, this.targets]);
  }
}

export class SequenceClassifier extends Module {
  readonly vocabSize: number;
  readonly numClasses: number;
  readonly pool: 'last' | 'mean';
  readonly embedding: Embedding | null;
  readonly rnn: Recurrent;
  readonly head: Linear;

  constructor(options: SequenceClassifierOptions) {
    super();
    this.vocabSize = positive('vocabSize', options.vocabSize);
    this.numClasses = positive('numClasses', options.numClasses);
    this.pool = options.pool ?? 'last';
    if (this.pool !== 'last' && this.pool !== 'mean') throw new Error(`SequenceClassifier: pool must be 'last' or 'mean', got ${JSON.stringify(options.pool)}`);
    const random = seededOrDefault(options.seed);
    const E = options.embeddingDim;
    this.embedding = E === undefined ? null : this.registerModule('embedding', new Embedding(this.vocabSize, E, { random }));
    this.rnn = this.registerModule('rnn', recurrentLayer(options, E ?? this.vocabSize, random));
    this.head = this.registerModule('head', new Linear(this.rnn.outputSize, this.numClasses, random));
  }

  /** ids (B, T) of token ids, each row `lengths[b]` long (all T when omitted) -> logits (B, C). */
  forward(ids: Tensor, lengths?: ArrayLike<number> | Tensor): Tensor {
    if (ids.shape.length !== 2) throw new Error(`SequenceClassifier: ids must be (B, T), got ${shapeString(ids.shape)}`);
    const [B, T] = ids.shape as [number, number];
    const x = this.embedding === null ? oneHot(ids.data, ids.shape, this.vocabSize) : this.embedding.forward(ids);
    const [y, state] = this.rnn.forward(x, undefined, lengths === undefined ? {} : { lengths });
    if (this.pool === 'last') return this.head.forward(lastLayerState(this.rnn, state));
    // Outputs past a row's end are zero, so the sum over all T steps is the sum over its valid ones.
    const n = lengths === undefined ? null : lengths instanceof Tensor ? lengths.data : lengths;
    const inverse = new Tensor(Float32Array.from({ length: B }, (_, b) => 1 / (n === null ? T : n[b]!)), [B, 1]);
    return this.head.forward(mul(sum(y, 1), inverse));
  }
}

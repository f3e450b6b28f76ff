// RNNModel: a language model around any recurrent layer. Token ids become one-hot vectors (as in the original
// design) or embeddings, the layer runs over them, and a linear decoder maps every step's output to logits.
// Shapes: tokens (B, T) ids; layer input (T, B, V|E) or (B, T, V|E) as the layer's batchFirst says;
// logits (T·B, V) with row t·B + b (time-major; (B·T, V) with row b·T + t for a batchFirst layer).
import { Tensor, shapeString } from '../core/tensor.js';
import { Random } from '../core/random.js';
import { embedding, oneHot, reshape } from '../core/ops/index.js';
import type { State } from './cell.js';
import { uniformParameter } from './init.js';
import { Linear } from './linear.js';
import { Module, prefixed } from './module.js';
import type { Recurrent } from './recurrent.js';
import type { StateDict } from './torch-state-dict.js';

export interface RNNModelOptions {
  /** Learn an embedding of this width instead of one-hot input; the layer's inputSize must equal it. */
  embeddingDim?: number;
  seed?: number;
}

export class RNNModel<S extends State = State> extends Module {
  readonly rnn: Recurrent<S>;
  readonly vocabSize: number;
  readonly decoder: Linear;
  readonly embedding: Tensor | null;

  constructor(rnn: Recurrent<S>, vocabSize: number, options: RNNModelOptions = {}) {
    super();
    if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new Error(`RNNModel: vocabSize must be a positive integer, got ${vocabSize}`);
    const inputWidth = options.embeddingDim ?? vocabSize;
    if (rnn.inputSize !== inputWidth) {
      const what = options.embeddingDim === undefined ? `the vocabulary size ${vocabSize} (one-hot input)` : `embeddingDim ${options.embeddingDim}`;
      throw new Error(`RNNModel: the layer's inputSize is ${rnn.inputSize} but must equal ${what}`);
    }
    this.rnn = rnn;
    this.vocabSize = vocabSize;
    const random = new Random(options.seed ?? 0);
    // nn.Embedding draws N(0, 1); uniform(±1) keeps the same scale with our single uniform initialiser.
    this.embedding = options.embeddingDim === undefined ? null : uniformParameter([vocabSize, options.embeddingDim], 1, random);
    this.decoder = new Linear(rnn.outputSize, vocabSize, random);
  }

  get numHiddens(): number {
    return this.rnn.hiddenSize;
  }

  get numDirections(): number {
    return this.rnn.numDirections;
  }

  namedParameters(): Array<[string, Tensor]> {
    return [
      ...(this.embedding === null ? [] : [['embedding.weight', this.embedding] as [string, Tensor]]),
      ...prefixed('rnn', this.rnn.namedParameters()),
      ...prefixed('decoder', this.decoder.namedParameters()),
    ];
  }

  protected override children(): Module[] {
    return [this.rnn, this.decoder];
  }

  /** The layer's zero state for `batch` sequences: (h, c) for an LSTM, h for a GRU or RNN, whatever the cell. */
  beginState(batch = 1): S {
    return this.rnn.initState(batch);
  }

  initState(batch = 1): S {
    return this.beginState(batch);
  }

  /** tokens (B, T) of ids -> [logits (T·B, V), next state]. */
  forward(tokens: Tensor, state?: S): [Tensor, S] {
    if (tokens.shape.length !== 2) throw new Error(`RNNModel.forward: tokens must be (B, T) ids, got ${shapeString(tokens.shape)}`);
    const [batch, steps] = tokens.shape as [number, number];
    // The layer's own layout decides whether the ids are read time-major; the one-hot rows follow it.
    const ids = this.rnn.batchFirst ? Int32Array.from(tokens.data) : timeMajor(tokens.data, batch, steps);
    const shape = this.rnn.batchFirst ? [batch, steps] : [steps, batch];
    const x = this.embedding === null ? oneHot(ids, shape, this.vocabSize) : embedding(this.embedding, ids, shape);
    const [y, next] = this.rnn.forward(x, state);
    const logits = this.decoder.forward(reshape(y, [-1, this.rnn.outputSize]));
    return [logits, next];
  }

  /** Targets (B, T), batch-major, reordered to match the rows of `forward`'s logits. */
  targetsFor(targets: ArrayLike<number>, batch: number, steps: number): Int32Array {
    if (targets.length !== batch * steps) throw new Error(`RNNModel.targetsFor: ${targets.length} targets for a (${batch}, ${steps}) batch`);
    return this.rnn.batchFirst ? Int32Array.from(targets) : timeMajor(targets, batch, steps);
  }

  /** PyTorch names: `rnn.weight_ih_l0`, ..., `linear.weight`, `linear.bias` (and `embedding.weight`). */
  torchStateDict(): StateDict {
    const dict: StateDict = {};
    if (this.embedding !== null) dict['embedding.weight'] = new Tensor(this.embedding.data.slice(), this.embedding.shape);
    for (const [k, t] of Object.entries(this.rnn.torchStateDict())) dict[`rnn.${k}`] = t;
    for (const [k, t] of Object.entries(this.decoder.torchStateDict())) dict[`linear.${k}`] = t;
    return dict;
  }

  loadTorchStateDict(dict: StateDict): void {
    const rnnPart: StateDict = {};
    const known = new Set(['linear.weight', 'linear.bias', ...(this.embedding === null ? [] : ['embedding.weight'])]);
    const extra: string[] = [];
    for (const [k, t] of Object.entries(dict)) {
      if (k.startsWith('rnn.')) rnnPart[k.slice(4)] = t;
      else if (!known.has(k)) extra.push(k);
    }
    if (extra.length > 0) throw new Error(`loadTorchStateDict: unexpected ${extra.join(', ')}`);
    this.rnn.loadTorchStateDict(rnnPart);
    this.decoder.loadTorchStateDict(dict, 'linear.');
    if (this.embedding !== null) {
      const e = dict['embedding.weight'];
      if (e === undefined || e.size !== this.embedding.size) {
        throw new Error(`loadTorchStateDict: embedding.weight must have shape ${shapeString(this.embedding.shape)}, got ${e === undefined ? 'nothing' : shapeString(e.shape)}`);
      }
      this.embedding.data.set(e.data);
    }
  }
}

/** (B, T) batch-major ids -> the same ids in (T, B) order: out[t·B + b] = ids[b·T + t]. */
function timeMajor(ids: ArrayLike<number>, batch: number, steps: number): Int32Array {
  const out = new Int32Array(batch * steps);
  for (let b = 0; b < batch; b++) for (let t = 0; t < steps; t++) out[t * batch + b] = ids[b * steps + t]!;
  return out;
}

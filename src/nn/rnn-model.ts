// RNNModel: a language model around any recurrent layer. Token ids become one-hot vectors (as in the original
// design) or embeddings, the layer runs over them, and a linear decoder maps every step's output to logits.
// Shapes: tokens (B, T) ids; layer input (T, B, V|E) or (B, T, V|E) as the layer's batchFirst says;
// logits (T·B, V) with row t·B + b (time-major; (B·T, V) with row b·T + t for a batchFirst layer).
import { Tensor, shapeString } from '../core/tensor.js';
import { seededOrDefault } from '../core/random.js';
import { oneHot, reshape } from '../core/ops/index.js';
import type { State } from './cell.js';
import { Embedding } from './embedding.js';
import { uniformParameter } from './init.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import type { Recurrent } from './recurrent.js';

export interface RNNModelOptions {
  /** Learn an embedding of this width instead of one-hot input; the layer's inputSize must equal it. */
  embeddingDim?: number;
  /** Seeds the embedding and decoder weights; the global generator (see manualSeed) draws them when omitted. */
  seed?: number;
}

export class RNNModel<S extends State = State> extends Module {
  readonly rnn: Recurrent<S>;
  readonly vocabSize: number;
  readonly decoder: Linear & { readonly bias: Tensor };
  /** The embedding table (V, E), or null for one-hot input. */
  readonly embedding: Tensor | null;
  private readonly embedder: Embedding | null;

  constructor(rnn: Recurrent<S>, vocabSize: number, options: RNNModelOptions = {}) {
    super();
    if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new Error(`RNNModel: vocabSize must be a positive integer, got ${vocabSize}`);
    const inputWidth = options.embeddingDim ?? vocabSize;
    if (rnn.inputSize !== inputWidth) {
      const what = options.embeddingDim === undefined ? `the vocabulary size ${vocabSize} (one-hot input)` : `embeddingDim ${options.embeddingDim}`;
      throw new Error(`RNNModel: the layer's inputSize is ${rnn.inputSize} but must equal ${what}`);
    }
    this.vocabSize = vocabSize;
    const random = seededOrDefault(options.seed);
    // nn.Embedding draws N(0, 1); the language model has always drawn uniform(±1) (the same scale), and keeps it
    // so that its numbers do not move. Registration order is the parameter order checkpoints and optimizers use.
    const E = options.embeddingDim;
    this.embedder = E === undefined ? null : this.registerModule('embedding', new Embedding(vocabSize, E, { weight: uniformParameter([vocabSize, E], 1, random) }));
    this.embedding = this.embedder?.weight ?? null;
    this.rnn = this.registerModule('rnn', rnn);
    this.decoder = this.registerModule('decoder', new Linear(rnn.outputSize, vocabSize, random)) as Linear & { readonly bias: Tensor };
  }

  get numHiddens(): number {
    return this.rnn.hiddenSize;
  }

  get numDirections(): number {
    return this.rnn.numDirections;
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
    const x = this.embedder === null ? oneHot(ids, shape, this.vocabSize) : this.embedder.forward(ids, shape);
    const [y, next] = this.rnn.forward(x, state);
    const logits = this.decoder.forward(reshape(y, [-1, this.rnn.outputSize]));
    return [logits, next];
  }

  /** Targets (B, T), batch-major, reordered to match the rows of `forward`'s logits. */
  targetsFor(targets: ArrayLike<number>, batch: number, steps: number): Int32Array {
    if (targets.length !== batch * steps) throw new Error(`RNNModel.targetsFor: ${targets.length} targets for a (${batch}, ${steps}) batch`);
    return this.rnn.batchFirst ? Int32Array.from(targets) : timeMajor(targets, batch, steps);
  }

  /** PyTorch names are d2l's: `rnn.weight_ih_l0`, ..., `linear.weight`, `linear.bias` (and `embedding.weight`). */
  protected override torchName(child: string): string {
    return child === 'decoder' ? 'linear' : child;
  }
}

/** (B, T) batch-major ids -> the same ids in (T, B) order: out[t·B + b] = ids[b·T + t]. */
function timeMajor(ids: ArrayLike<number>, batch: number, steps: number): Int32Array {
  const out = new Int32Array(batch * steps);
  for (let b = 0; b < batch; b++) for (let t = 0; t < steps; t++) out[t * batch + b] = ids[b * steps + t]!;
  return out;
}

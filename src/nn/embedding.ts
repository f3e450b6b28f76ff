// Embedding: a learned table E (V, D) whose row id is token id's vector, as nn.Embedding (the lookup and its
// scatter-add backward are the `embedding` op). Shapes: ids (...) -> (..., D).
// Initialised N(0, 1) as PyTorch does; RNNModel passes its own uniform(±1) table to keep its numbers.
import { Tensor, shapeString } from '../core/tensor.js';
import { seededOrDefault, type Random } from '../core/random.js';
import { embedding, type Ids } from '../core/ops/index.js';
import { normalParameter } from './init.js';
import { Module } from './module.js';

export interface EmbeddingOptions {
  /** Draws the N(0, 1) table; when omitted, a generator seeded with `seed`, else the global one (manualSeed). */
  random?: Random;
  seed?: number;
  /** Use this (V, D) tensor as the table instead of drawing one. */
  weight?: Tensor;
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly weight: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    for (const [what, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`Embedding: ${what} must be an integer >= 1, got ${v}`);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    const { weight } = options;
    if (weight !== undefined && (weight.shape.length !== 2 || weight.shape[0] !== numEmbeddings || weight.shape[1] !== embeddingDim)) {
      throw new Error(`Embedding: weight must have shape (${numEmbeddings}, ${embeddingDim}), got ${shapeString(weight.shape)}`);
    }
    this.weight = this.registerParameter('weight', weight ?? normalParameter([numEmbeddings, embeddingDim], options.random ?? seededOrDefault(options.seed)));
  }

  /** Vectors for a tensor of ids (any shape), or for flat ids laid out in `shape`. */
  forward(ids: Tensor | Ids, shape?: readonly number[]): Tensor {
    if (ids instanceof Tensor) return embedding(this.weight, ids.data, shape ?? ids.shape);
    return embedding(this.weight, ids, shape ?? [ids.length]);
  }
}

// One-token-at-a-time inference for generation, without the autograd tape: the fused layers run with B = T = 1
// (a row lookup for the one-hot input, one matrix-vector product for all gates against the packed weights, split
// by columns over the threads, the cell kernel), the decoder is one more matrix-vector product, and nothing is
// allocated per token. Weights are packed by `refresh()`; the decoder and embedding are read where they are
// (in the backend's memory when the model's parameters live there: residency.ts), or copied by `refresh()`.
// Shapes: per step, token id -> logits (V,); state (h, c) or h per layer, each (1, H), kept on the backend.
import type { Backend } from '../kernels/backend.js';
import type { RNNModel } from '../nn/rnn-model.js';
import { Arena } from './arena.js';
import type { FusedLayer, LayerInput } from './layer.js';
import { fusedLayerFor, fusedUnsupported } from './language-model.js';
import { weightsAt } from './pack.js';
import { adoptParameters } from './residency.js';

export class FusedGenerator {
  private readonly layers: FusedLayer[];
  private readonly id: number;
  private readonly embedded: number;
  private readonly logits: number;
  private readonly resident: boolean;
  /** Where the embedding's and the decoder's weights are copied to, and where they are read from (set by refresh). */
  private readonly copies: { embedding: number; Wd: number; bd: number };
  private at = { embedding: 0, Wd: 0, bd: 0 };

  constructor(
    readonly model: RNNModel,
    readonly backend: Backend,
  ) {
    const reason = fusedUnsupported(model);
    if (reason !== null) throw new Error(`fused generator: cannot run this model: ${reason}`);
    const { rnn, vocabSize: V, embedding } = model;
    const E = embedding === null ? 0 : embedding.shape[1]!;
    const arena = new Arena();
    this.resident = adoptParameters(backend, model.parameters());
    this.layers = rnn.cells.map((row) => {
      const layer = fusedLayerFor(row[0]!, 1, 1, this.resident);
      layer.allocate(arena, backend);
      return layer;
    });
    this.id = arena.take(1);
    this.embedded = arena.take(E);
    const copy = (n: number): number => arena.take(this.resident ? 0 : n);
    this.copies = { embedding: copy(V * E), Wd: copy(rnn.hiddenSize * V), bd: copy(V) };
    this.logits = arena.take(V);
    backend.reserve(arena.size);
    this.refresh();
  }

  /** Packs the model's current weights (call after they change) and zeroes the state. */
  refresh(): void {
    const be = this.backend;
    const { decoder, embedding } = this.model;
    if (this.resident) adoptParameters(be, this.model.parameters(), true);
    for (const layer of this.layers) layer.pack(be);
    this.at = {
      embedding: embedding === null ? this.copies.embedding : weightsAt(be, embedding, this.copies.embedding),
      Wd: weightsAt(be, decoder.weight, this.copies.Wd),
      bd: weightsAt(be, decoder.bias, this.copies.bd),
    };
    this.reset();
  }

  /** Back to the zero state of `beginState(1)`. */
  reset(): void {
    for (const layer of this.layers) layer.clearState(this.backend.f32);
  }

  /** Feeds one token and returns the logits for the next one: a view, valid until the next call. */
  step(token: number): Float32Array {
    const be = this.backend;
    const { rnn, vocabSize: V, embedding } = this.model;
    be.i32[this.id] = token;
    let input: LayerInput = { ids: this.id };
    if (embedding !== null) {
      be.gatherRows(1, embedding.shape[1]!, this.at.embedding, this.id, -1, this.embedded);
      input = { rows: this.embedded };
    }
    for (const layer of this.layers) {
      layer.forward(be, input, null);
      layer.carryState(be.f32);
      input = { rows: layer.output };
    }
    // The new state now sits in slot 0 as well as in slot 1 (the output), which the decoder reads.
    const top = this.layers[this.layers.length - 1]!.output;
    be.fillRows(1, V, this.at.bd, this.logits);
    be.gemm(1, V, rnn.hiddenSize, top, this.at.Wd, this.logits, false, false, 1);
    return be.f32.subarray(this.logits, this.logits + V);
  }
}

// The fused training step for an RNNModel built from the library's own cells: the whole forward pass, mean
// cross-entropy and the hand-derived backward through time run on a Backend's heap with no autograd tape and
// no allocation per step. It computes exactly what the autograd path computes (tests hold the two together).
// On a backend with its own memory the model's parameters live there (residency.ts), read and written in place.
// Shapes: x, y (B, T) batch-major ids; internally time-major rows n = t·B + b, N = T·B; logits (N, V).
import { Tensor } from '../core/tensor.js';
import type { Backend } from '../kernels/backend.js';
import { cellKindOf } from '../nn/cell-kinds.js';
import type { RNNModel } from '../nn/rnn-model.js';
import type { Cell, State } from '../nn/cell.js';
import { Arena } from './arena.js';
import { addGradFrom, weightsAt } from './pack.js';
import { adoptParameters } from './residency.js';
import { recurrentUnsupported } from './unsupported.js';
import type { FusedLayer, LayerInput } from './layer.js';

/** Why the fused path cannot run this language model, or null when it can. */
export function fusedUnsupported(model: RNNModel): string | null {
  if (model.rnn.numDirections !== 1) return 'the layer is bidirectional';
  return recurrentUnsupported(model.rnn, model.parameters());
}

/** The fused counterpart of a built-in cell, for B sequences of T steps (resident: see LayerShape). */
export function fusedLayerFor(cell: Cell, B: number, T: number, resident: boolean): FusedLayer {
  const spec = cellKindOf(cell);
  if (spec === null) throw new Error('fused engine: the cell is user-written');
  return spec.fused(cell, { B, T, I: cell.inputSize, H: cell.hiddenSize, resident });
}

interface Layout {
  B: number;
  T: number;
  layers: FusedLayer[];
  /** Inputs of layers 1..L-1 after dropout (only with dropout), and every layer's input gradient. */
  dropped: number[];
  dInputs: number[];
  ids: number;
  targets: number;
  embedded: number;
  dEmbedded: number;
  /** Copies of the embedding and the decoder's weights, unless the backend holds the parameters (then empty). */
  embedding: number;
  dEmbedding: number;
  Wd: number;
  bd: number;
  /** The decoder's weight gradient (H, V), and transposed (V, H): taken as dLogitsᵀ top, a wide product. */
  dWd: number;
  dWdT: number;
  dbd: number;
  logits: number;
  dLogits: number;
}

export interface FusedStep {
  /** Mean cross-entropy per token. */
  loss: number;
  /** Final state, detached: (h, c) or h, each (numLayers, B, H). */
  state: State;
}

/** Writes the (cols, rows) transpose of the (rows, cols) matrix at `from` to `to`. */
function transpose(m: Float32Array, from: number, rows: number, cols: number, to: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m[to + c * rows + r] = m[from + r * cols + c]!;
}

export class FusedLanguageModel {
  private layout: Layout | null = null;
  /** Whether the parameters live in the backend's memory (residency.ts). */
  readonly resident: boolean;

  constructor(
    readonly model: RNNModel,
    readonly backend: Backend,
  ) {
    const reason = fusedUnsupported(model);
    if (reason !== null) throw new Error(`fused engine: cannot run this model: ${reason}`);
    this.resident = adoptParameters(backend, model.parameters());
  }

  private plan(B: number, T: number): Layout {
    if (this.layout !== null && this.layout.B === B && this.layout.T === T) return this.layout;
    const { rnn, vocabSize: V, embedding } = this.model;
    const H = rnn.hiddenSize;
    const N = T * B;
    const arena = new Arena();
    const layers = rnn.cells.map((row) => {
      const layer = fusedLayerFor(row[0]!, B, T, this.resident);
      layer.allocate(arena, this.backend);
      return layer;
    });
    const E = embedding === null ? 0 : embedding.shape[1]!;
    const copy = (n: number): number => arena.take(this.resident ? 0 : n);
    const layout: Layout = {
      B,
      T,
      layers,
      dropped: layers.map(() => arena.take(N * H)),
      dInputs: layers.map((_, l) => arena.take(N * (l === 0 ? E : H))),
      ids: arena.take(N),
      targets: arena.take(N),
      embedded: arena.take(N * E),
      dEmbedded: arena.take(N * E),
      embedding: copy(V * E),
      dEmbedding: arena.take(V * E),
      Wd: copy(H * V),
      bd: copy(V),
      dWd: arena.take(H * V),
      dWdT: arena.take(V * H),
      dbd: arena.take(V),
      logits: arena.take(N * V),
      dLogits: arena.take(N * V),
    };
    this.backend.reserve(arena.size);
    this.layout = layout;
    return layout;
  }

  /**
   * One training step's loss and gradients (added into every parameter's `.grad`); with `backward` false only the
   * loss and final state (evaluation: no dropout in eval mode, no gradients touched).
   */
  lossAndGrad(x: Int32Array, y: Int32Array, B: number, T: number, state?: State, backward = true): FusedStep {
    if (this.resident) adoptParameters(this.backend, this.model.parameters(), true);
    const L = this.plan(B, T);
    const be = this.backend;
    const m = be.f32;
    const { rnn, decoder, embedding, vocabSize: V } = this.model;
    const H = rnn.hiddenSize;
    const N = T * B;
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        be.i32[L.ids + t * B + b] = x[b * T + t]!;
        be.i32[L.targets + t * B + b] = y[b * T + t]!;
      }
    for (const layer of L.layers) layer.pack(be);
    const Wd = weightsAt(be, decoder.weight, L.Wd);
    const bd = weightsAt(be, decoder.bias, L.bd);
    m.fill(0, L.dbd, L.dbd + V);
    const initial = this.initialStates(state, B);

    // Forward: input rows (one-hot as ids, or embedded), each layer, dropout between layers, decoder, loss.
    const inputs: LayerInput[] = [];
    let input: LayerInput = { ids: L.ids };
    if (embedding !== null) {
      const E = embedding.shape[1]!;
      m.fill(0, L.dEmbedding, L.dEmbedding + V * E);
      be.gatherRows(N, E, weightsAt(be, embedding, L.embedding), L.ids, -1, L.embedded);
      input = { rows: L.embedded };
    }
    const masks: Array<Float32Array | null> = [];
    L.layers.forEach((layer, l) => {
      inputs.push(input);
      layer.forward(be, input, initial[l]!);
      input = { rows: layer.output };
      const mask = l < L.layers.length - 1 ? this.dropoutMask(N * H) : null;
      masks.push(mask);
      if (mask !== null) {
        for (let k = 0; k < N * H; k++) m[L.dropped[l]! + k] = m[layer.output + k]! * mask[k]!;
        input = { rows: L.dropped[l]! };
      }
    });
    const top = L.layers[L.layers.length - 1]!.output;
    be.fillRows(N, V, bd, L.logits);
    be.gemm(N, V, H, top, Wd, L.logits, false, false, 1);
    const loss = be.softmaxCrossEntropy(N, V, L.logits, L.targets, -1, L.dLogits, 1 / N) / N;
    if (!backward) return { loss, state: this.finalStates(L, B) };

    // Backward: decoder, then the layers from the top down, each handing dInput to the one below.
    be.gemm(V, H, N, L.dLogits, top, L.dWdT, true, false, 0); // its only writer: no zeroing needed
    be.addColumnSums(N, V, L.dLogits, L.dbd);
    let dOut = this.scratchTop(L);
    be.gemm(N, H, V, L.dLogits, Wd, dOut, false, true, 0);
    for (let l = L.layers.length - 1; l >= 0; l--) {
      const below = l > 0 || embedding !== null ? L.dInputs[l]! : null;
      L.layers[l]!.backward(be, inputs[l]!, dOut, below);
      if (l > 0) {
        const mask = masks[l - 1];
        if (mask) for (let k = 0; k < N * H; k++) m[below! + k]! *= mask[k]!;
        dOut = below!;
      }
    }
    if (embedding !== null) be.scatterAddRows(N, embedding.shape[1]!, L.dInputs[0]!, L.ids, L.dEmbedding);

    for (const layer of L.layers) layer.unpackGrads(be);
    transpose(be.f32, L.dWdT, V, H, L.dWd);
    addGradFrom(be, decoder.weight, L.dWd, H * V);
    addGradFrom(be, decoder.bias, L.dbd, V);
    if (embedding !== null) addGradFrom(be, embedding, L.dEmbedding, embedding.size);
    return { loss, state: this.finalStates(L, B) };
  }

  /** The decoder's input gradient (N, H) goes where the top layer's dropped input would be: free by then. */
  private scratchTop(L: Layout): number {
    return L.dropped[L.layers.length - 1]!;
  }

  /** Inverted-dropout mask drawn exactly as the autograd path draws it, from the layer's generator. */
  private dropoutMask(n: number): Float32Array | null {
    const { rnn } = this.model;
    if (!rnn.training || rnn.dropout === 0) return null;
    const keep = 1 / (1 - rnn.dropout);
    const mask = new Float32Array(n);
    for (let k = 0; k < n; k++) mask[k] = rnn.random.next() < rnn.dropout ? 0 : keep;
    return mask;
  }

  /** Per layer, its initial state tensors' rows (each (B, H)); zeros when no state is given. */
  private initialStates(state: State | undefined, B: number): Float32Array[][] {
    const { rnn } = this.model;
    const H = rnn.hiddenSize;
    const given = state === undefined ? null : state instanceof Tensor ? [state] : state;
    if (given !== null && (given.length !== rnn.stateNames.length || given.some((s) => s.shape[0] !== rnn.numLayers || s.shape[1] !== B || s.shape[2] !== H))) {
      throw new Error(`fused engine: state must be ${rnn.stateNames.length} tensor(s) of shape (${rnn.numLayers}, ${B}, ${H})`);
    }
    return rnn.cells.map((_, l) =>
      rnn.stateNames.map((_, j) => (given === null ? new Float32Array(B * H) : Float32Array.from(given[j]!.data.subarray(l * B * H, (l + 1) * B * H)))),
    );
  }

  private finalStates(L: Layout, B: number): State {
    const { rnn } = this.model;
    const H = rnn.hiddenSize;
    const perLayer = L.layers.map((layer) => layer.finalState(this.backend.f32));
    const parts = rnn.stateNames.map((_, j) => {
      const data = new Float32Array(rnn.numLayers * B * H);
      perLayer.forEach((s, l) => data.set(s[j]!, l * B * H));
      return new Tensor(data, [rnn.numLayers, B, H]);
    });
    return parts.length === 1 ? parts[0]! : parts;
  }
}

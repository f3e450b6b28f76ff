// One recurrent layer in the fused engine: its packed weights and gradients, its per-step buffers, and the
// forward/backward through time common to every cell. What differs per cell (gate math, state count) is in
// the subclasses. Shapes: input (T·B, I) rows or (T·B,) one-hot ids, time-major; packed Wx (I, G·H), Wh (H, G·H),
// bias (G·H); hs (T+1, B, H) with slot 0 the initial h, so slots 1..T are the layer's output (T·B, H).
import type { Tensor } from '../core/tensor.js';
import type { Backend } from '../kernels/backend.js';
import type { Arena } from './arena.js';
import { addPackedGrads, packColumns } from './pack.js';

/** The layer's input: rows of floats, or token ids standing for one-hot rows (a row lookup, not a product). */
export type LayerInput = { rows: number } | { ids: number };

export interface LayerShape {
  B: number;
  T: number;
  I: number;
  H: number;
}

export abstract class FusedLayer {
  readonly B: number;
  readonly T: number;
  readonly I: number;
  readonly H: number;
  /** Gates per cell: 4 for an LSTM, 3 for a GRU, 1 for an RNN. */
  abstract readonly G: number;
  protected Wx = 0;
  protected bias = 0;
  protected dWx = 0;
  protected dWh = 0;
  protected dBias = 0;
  /** Wh packed for the products h U (forward) and dG Uᵀ (backward), once per update. */
  protected WhPacked = 0;
  protected WhTPacked = 0;
  /** hs (T+1, B, H). */
  protected hs = 0;
  /** One gate's block of a packed gradient, (max(I, H), H), on its way to `.grad`. */
  protected gradScratch = 0;

  constructor(shape: LayerShape) {
    this.B = shape.B;
    this.T = shape.T;
    this.I = shape.I;
    this.H = shape.H;
  }

  /** Per-gate matrices in packed order: input weights, recurrent weights, biases. */
  protected abstract gateParams(): { W: Tensor[]; U: Tensor[]; b: Array<Tensor | undefined> };

  /** Lays out weights and the shared buffers; subclasses add their own after calling this. */
  allocate(arena: Arena, be: Backend): void {
    const { I, H, G, B, T } = this;
    this.WhPacked = arena.take(be.packedFloats(H, G * H));
    this.WhTPacked = arena.take(be.packedFloats(G * H, H));
    this.Wx = arena.take(I * G * H);
    this.bias = arena.take(G * H);
    this.dWx = arena.take(I * G * H);
    this.dWh = arena.take(H * G * H);
    this.dBias = arena.take(G * H);
    this.hs = arena.take((T + 1) * B * H);
    this.gradScratch = arena.take(Math.max(I, H) * H);
  }

  /** Copies the parameters in (once per update), packs Wh both ways for the step products, clears the gradients. */
  pack(be: Backend): void {
    const m = be.f32;
    const { W, U, b } = this.gateParams();
    const G = this.G * this.H;
    packColumns(m, this.Wx, W, this.I, this.H);
    packColumns(m, this.bias, b, 1, this.H);
    // [U_i | U_f | ...] is only needed to pack it, so it passes through dWh, which backward overwrites (the one
    // product dWh = Σ_t h_{t-1}ᵀ dG_t); the other gradients are sums built up in place, so they start at zero.
    packColumns(m, this.dWh, U, this.H, this.H);
    be.packB(this.H, G, this.dWh, false, this.WhPacked);
    be.packB(G, this.H, this.dWh, true, this.WhTPacked);
    m.fill(0, this.dWx, this.dWx + this.I * G);
    m.fill(0, this.dBias, this.dBias + G);
  }

  /** Adds the step's packed gradients into the parameters' `.grad`. */
  unpackGrads(be: Backend): void {
    const { W, U, b } = this.gateParams();
    addPackedGrads(be, this.dWx, W, this.I, this.H, this.gradScratch);
    addPackedGrads(be, this.dWh, U, this.H, this.H, this.gradScratch);
    addPackedGrads(be, this.dBias, b, 1, this.H, this.gradScratch);
  }

  /** Offset of the layer's output rows (T·B, H): h_1 .. h_T. */
  get output(): number {
    return this.hs + this.B * this.H;
  }

  /**
   * The input side XG = input Wx + bias ((T·B, G·H) at `out`): input rows are projected here, all T·B at once;
   * one-hot ids are left to the time loop, which gathers each step's rows of Wx just before using them. Returns
   * the part of a Sequence that says which: { ids, Wx, bias }, ids -1 when XG is already in place.
   */
  protected inputSide(be: Backend, input: LayerInput, out: number): { ids: number; Wx: number; bias: number } {
    const side = { ids: -1, Wx: this.Wx, bias: this.bias };
    if ('ids' in input) return { ...side, ids: input.ids };
    const n = this.T * this.B;
    const width = this.G * this.H;
    be.fillRows(n, width, this.bias, out);
    be.gemm(n, width, this.I, input.rows, this.Wx, out, false, false, 1);
    return side;
  }

  /** Weight gradients from all steps at once: dWx += inputᵀ dXG, dBias += Σ dXG; and dInput = dXG Wxᵀ. */
  protected inputGrads(be: Backend, input: LayerInput, dXG: number, dInput: number | null): void {
    const n = this.T * this.B;
    const width = this.G * this.H;
    be.addColumnSums(n, width, dXG, this.dBias);
    if ('ids' in input) be.scatterAddRows(n, width, dXG, input.ids, this.dWx);
    else {
      be.gemm(this.I, width, n, input.rows, dXG, this.dWx, true, false, 1);
      if (dInput !== null) be.gemm(n, this.I, width, dXG, this.Wx, dInput, false, true, 0);
    }
  }

  /** Runs all T steps from the initial state (each (B, H)); null: the state is already in slot 0. */
  abstract forward(be: Backend, input: LayerInput, initial: readonly Float32Array[] | null): void;

  /** Moves the final state (slot T) into slot 0, so the next forward continues from it (generation). */
  carryState(m: Float32Array): void {
    const bh = this.B * this.H;
    m.copyWithin(this.hs, this.hs + this.T * bh, this.hs + (this.T + 1) * bh);
  }

  /** Zeroes the state in slot 0. */
  clearState(m: Float32Array): void {
    m.fill(0, this.hs, this.hs + this.B * this.H);
  }

  /**
   * Back through all steps from dOut (T·B, H), which it may overwrite; the final state's gradient is zero
   * (truncated BPTT detaches it). Accumulates packed weight gradients; writes dInput (T·B, I) unless null.
   */
  abstract backward(be: Backend, input: LayerInput, dOut: number, dInput: number | null): void;

  /** Copies of the final state tensors' data, each (B, H). */
  abstract finalState(m: Float32Array): Float32Array[];
}

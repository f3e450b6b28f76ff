// One recurrent layer (one direction of one) in the fused engine: its packed weights and gradients, its per-step
// buffers, and the forward/backward through time common to every cell. What differs per cell (gate math, state
// count) is in the subclasses. Rows are packed by step (src/kernels/ref/steps.ts): without lengths N = T·B rows,
// time-major; with them, the rows taking each step (the batch sorted longest first).
// The per-gate parameters stay where they are (JavaScript arrays, or the backend's memory: residency.ts); the layer
// packs them into its own blocks once per update and adds its packed gradients into theirs.
// Shapes: input (N, I) rows (or parts of I side by side: a bidirectional layer below) or (N,) one-hot ids; packed
// Wx (I, G·H), Wh (H, G·H), bias (G·H); hs (B + N, H) with slot 0 the initial h, then the layer's output (N, H).
import type { Tensor } from '../core/tensor.js';
import type { Backend } from '../kernels/backend.js';
import type { Arena } from './arena.js';
import { walk as walkSteps } from '../kernels/ref/steps.js';
import { addPackedGrads, heldAt, packColumns } from './pack.js';

/**
 * The layer's input: rows of floats; or several blocks of rows whose columns sit side by side (the two directions
 * of a bidirectional layer below, each (N, I / parts)); or token ids standing for one-hot rows (a row lookup);
 * or token ids into a table of `count` rows (an embedding (V, I)): the time loop then gathers rows of the table's
 * projection table·Wx, computed once per step for V rows instead of N.
 */
export type LayerInput = { rows: number } | { parts: readonly number[] } | { ids: number; table?: { rows: number; count: number } };

export interface LayerShape {
  B: number;
  /** The most steps a batch may have: buffers hold T·B rows. */
  T: number;
  I: number;
  H: number;
  /** The second direction of a bidirectional layer: runs from the last step down. */
  reverse?: boolean;
  /** Rows may have different lengths (steps taken by fewer than B rows). */
  packed?: boolean;
  /** Rows of the largest table its ids may index (see LayerInput), if any. */
  table?: number;
  /** The most rows a batch may have in all (N ≤ T·B; the default T·B). */
  rows?: number;
  /**
   * The per-gate tensors (values and gradients) live in the backend's memory (Backend.adopt): U is packed straight
   * from them and gradients are written into theirs, so the layer needs no staging area for U or its gradient.
   */
  resident?: boolean;
}

/** The steps of one batch: T ≤ the shape's, N rows in all, and the i32 offset of active[t] (or -1: all B each step). */
export interface LayerSteps {
  T: number;
  N: number;
  active: number;
}

export abstract class FusedLayer {
  readonly B: number;
  readonly T: number;
  readonly I: number;
  readonly H: number;
  readonly reverse: boolean;
  readonly packed: boolean;
  readonly resident: boolean;
  /** Rows the buffers hold: the most a batch may have. */
  readonly rows: number;
  /** The current batch's steps (set by forward, read by backward). */
  protected steps: LayerSteps;
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
  /** One gate's block of a packed gradient, (max(I, H), H), on its way to a JavaScript `.grad` (-1: resident). */
  protected gradScratch = -1;
  /** An input table's projection table·Wx and its gradient, (V, G·H) (layers given `table` only). */
  private tableXG = -1;
  private dTable = -1;
  private readonly tableRows: number;

  constructor(shape: LayerShape) {
    this.B = shape.B;
    this.T = shape.T;
    this.I = shape.I;
    this.H = shape.H;
    this.reverse = shape.reverse ?? false;
    this.packed = shape.packed ?? false;
    this.resident = shape.resident ?? false;
    this.tableRows = shape.table ?? 0;
    this.rows = shape.rows ?? shape.T * shape.B;
    this.steps = { T: shape.T, N: shape.T * shape.B, active: -1 };
  }

  /** Per-gate matrices in packed order: input weights, recurrent weights, biases. */
  protected abstract gateParams(): { W: Tensor[]; U: Tensor[]; b: Array<Tensor | undefined> };

  /** Lays out weights and the shared buffers; subclasses add their own after calling this. */
  allocate(arena: Arena, be: Backend): void {
    const { I, H, G, B, rows } = this;
    this.WhPacked = arena.take(be.packedFloats(H, G * H));
    this.WhTPacked = arena.take(be.packedFloats(G * H, H));
    this.Wx = arena.take(I * G * H);
    this.bias = arena.take(G * H);
    this.dWx = arena.take(I * G * H);
    // dWh is written by the backward's one product and read out right after. Resident, it takes WhPacked's floats
    // (at least H·G·H): the forward's packed U, which the backward never reads and every update packs again.
    // Copied, [U_i | U_f | ...] is staged in it before packing, so it needs its own (and so does each gradient).
    this.dWh = this.resident ? this.WhPacked : arena.take(H * G * H);
    this.dBias = arena.take(G * H);
    this.hs = arena.take((B + rows) * H);
    if (!this.resident) this.gradScratch = arena.take(Math.max(I, H) * H);
    if (this.tableRows > 0) {
      this.tableXG = arena.take(this.tableRows * G * H);
      this.dTable = arena.take(this.tableRows * G * H);
    }
  }

  /**
   * Packs the parameters once per update: Wx and the bias side by side, U both ways for the step products (straight
   * from U_i, U_f, ... where the backend holds them). Clears the packed gradients.
   */
  pack(be: Backend): void {
    const { W, U, b } = this.gateParams();
    const G = this.G * this.H;
    packColumns(be, this.Wx, W, this.I, this.H);
    packColumns(be, this.bias, b, 1, this.H);
    if (this.resident) {
      const blocks = U.map((u) => heldAt(be, u));
      be.packGatesB(this.H, G, blocks, false, this.WhPacked);
      be.packGatesB(G, this.H, blocks, true, this.WhTPacked);
    } else {
      // [U_i | U_f | ...] is only needed to pack it, so it passes through dWh, which backward overwrites (the one
      // product dWh = Σ_t h_{t-1}ᵀ dG_t).
      packColumns(be, this.dWh, U, this.H, this.H);
      be.packB(this.H, G, this.dWh, false, this.WhPacked);
      be.packB(G, this.H, this.dWh, true, this.WhTPacked);
    }
    // The other gradients are sums built up in place, so they start at zero.
    const m = be.f32;
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

  /** Offset of the layer's output rows (N, H), packed by step. */
  get output(): number {
    return this.hs + this.B * this.H;
  }

  /**
   * Where the time loop finds the batch's steps, and this layer's direction. The task models' layers (packed)
   * flush tiny gradients going back through their long sequences; the language model's keep every bit as before.
   */
  protected walk(): { T: number; B: number; H: number; reverse: boolean; active: number; flush: boolean } {
    return { T: this.steps.T, B: this.B, H: this.H, reverse: this.reverse, active: this.steps.active, flush: this.packed };
  }

  /**
   * The input side XG = input Wx + bias ((N, G·H) at `out`): input rows are projected here, all N at once (a
   * block of columns of the input by the matching rows of Wx at a time); one-hot ids are left to the time loop,
   * which gathers each step's rows of Wx just before using them. Returns the part of a Sequence that says which:
   * { ids, Wx, bias }, ids -1 when XG is already in place.
   */
  protected inputSide(be: Backend, input: LayerInput, out: number): { ids: number; Wx: number; bias: number } {
    const side = { ids: -1, Wx: this.Wx, bias: this.bias };
    const width = this.G * this.H;
    if ('ids' in input) {
      if (input.table === undefined) return { ...side, ids: input.ids };
      be.gemm(input.table.count, width, this.I, input.table.rows, this.Wx, this.tableXG, false, false, 0);
      return { ...side, ids: input.ids, Wx: this.tableXG };
    }
    const n = this.steps.N;
    be.fillRows(n, width, this.bias, out);
    const parts = inputParts(input);
    const I = this.I / parts.length;
    parts.forEach((rows, k) => be.gemm(n, width, I, rows, this.Wx + k * I * width, out, false, false, 1));
    return side;
  }

  /**
   * Weight gradients from all steps at once: dWx += inputᵀ dXG, dBias += Σ dXG; and dInput = dXG Wxᵀ (per block
   * of the input, written over it with beta 0 or added to it with beta 1).
   */
  protected inputGrads(be: Backend, input: LayerInput, dXG: number, dInput: number | readonly number[] | null, beta: 0 | 1): void {
    const n = this.steps.N;
    const width = this.G * this.H;
    be.addColumnSums(n, width, dXG, this.dBias);
    const to = dInput === null ? null : typeof dInput === 'number' ? [dInput] : dInput;
    if ('ids' in input) {
      if (input.table === undefined) {
        be.scatterAddRows(n, width, dXG, input.ids, this.dWx);
        return;
      }
      // Through the table: dTable = Σ of dXG rows by id, then dWx += tableᵀ dTable and dTable Wxᵀ to the table.
      const { rows, count } = input.table;
      be.f32.fill(0, this.dTable, this.dTable + count * width);
      be.scatterAddRows(n, width, dXG, input.ids, this.dTable);
      be.gemm(this.I, width, count, rows, this.dTable, this.dWx, true, false, 1);
      if (to !== null) be.gemm(count, this.I, width, this.dTable, this.Wx, to[0]!, false, true, beta);
      return;
    }
    const parts = inputParts(input);
    const I = this.I / parts.length;
    parts.forEach((rows, k) => {
      be.gemm(I, width, n, rows, dXG, this.dWx + k * I * width, true, false, 1);
      if (to !== null) be.gemm(n, I, width, dXG, this.Wx + k * I * width, to[k]!, false, true, beta);
    });
  }

  /**
   * Each row's previous h as an (N, H) matrix aligned with the step rows (for dWh = Σ h_prevᵀ dG): hs itself when
   * every row takes every step forward in time; otherwise copied together, step by step, into `scratch` (N, H): the
   * backward's dOut, which the time loop has finished with.
   */
  protected previousRows(be: Backend, scratch: number): number {
    if (!this.reverse && this.steps.active < 0) return this.hs;
    const { B, H } = this;
    const m = be.f32;
    for (const step of walkSteps(be, this.walk())) {
      const split = Math.min(step.rows, step.prevRows);
      const to = scratch + step.off * H;
      m.copyWithin(to, this.hs + (B + step.prev) * H, this.hs + (B + step.prev + split) * H);
      m.copyWithin(to + split * H, this.hs + split * H, this.hs + step.rows * H);
    }
    return scratch;
  }

  /** Runs the batch's steps from the initial state (each (B, H)); null: the state is already in slot 0. */
  abstract forward(be: Backend, input: LayerInput, initial: readonly Float32Array[] | null, steps?: LayerSteps): void;

  /** Moves the final state (slot T) into slot 0, so the next forward continues from it (generation). */
  carryState(m: Float32Array): void {
    const bh = this.B * this.H;
    m.copyWithin(this.hs, this.hs + this.T * bh, this.hs + (this.T + 1) * bh);
  }

  /** Zeroes the state in slot 0. */
  clearState(m: Float32Array): void {
    m.fill(0, this.hs, this.hs + this.B * this.H);
  }

  /** Takes the batch's steps (all T·B rows when omitted) for this forward and the backward after it. */
  protected begin(steps: LayerSteps | undefined): void {
    this.steps = steps ?? { T: this.T, N: this.T * this.B, active: -1 };
  }

  /**
   * Back through all steps from dOut (N, H), which it may overwrite; the final state's gradient is zero
   * (truncated BPTT detaches it). Accumulates packed weight gradients; writes dInput (N, I), or each block of it,
   * or an input table's gradient (V, I), unless null: over it (beta 0) or added to it (beta 1, the second direction
   * of the layer above).
   */
  abstract backward(be: Backend, input: LayerInput, dOut: number, dInput: number | readonly number[] | null, beta?: 0 | 1): void;

  /** Copies of the final state tensors' data, each (B, H). */
  abstract finalState(m: Float32Array): Float32Array[];
}

function inputParts(input: { rows: number } | { parts: readonly number[] }): readonly number[] {
  return 'rows' in input ? [input.rows] : input.parts;
}

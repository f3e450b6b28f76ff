// The fused layers' time loops, forward then backward, written once over a Backend's per-step kernels (gemmPacked,
// the cell kernels, addInPlace, gatherRows): the reference for the WebAssembly loops in wasm/assembly/steps.ts,
// which run the same steps per band of batch rows. Each Sequence names a layer's buffers by heap offset. With
// one-hot input (`ids` ≥ 0) the loop also gathers each step's input side, Wx[id] + b, just before its product,
// so it is written where it is about to be read; otherwise the caller projected all steps' inputs beforehand.
// Rows of different lengths (pack_padded_sequence): rows sorted longest first, active[t] of them take step t
// (`active` < 0: all B), so buffers are packed by step, row b of step t at off(t) + b, off(t) = Σ_{t'<t} active[t'].
// A reverse layer runs t = T-1 down to 0; a row that did not take the previous step (t-1 forward, t+1 reverse)
// starts from the initial state in slot 0. With `flush`, backward zeroes gradients below 2^-100 (rows.ts: flushTiny).
// Shapes: gates (N, G·H) packed by step (N = T·B without lengths); hs and cs (B + N, H), slot 0 the initial state.
import type { Backend } from '../backend.js';

/** What every layer's time loop has: sizes, direction, lengths, the input side's source, hs, packed Wh, dh (B, H). */
export interface Sequence {
  T: number;
  B: number;
  H: number;
  /** Runs from t = T-1 down to 0 (the second direction of a bidirectional layer). */
  reverse: boolean;
  /** i32 offset of active[t] (T counts, non-increasing), or -1: every row takes every step. */
  active: number;
  /** Backward zeroes gradients below 2^-100 after each step's cell and product (ref/rows.ts: flushTiny). */
  flush: boolean;
  /** Token ids (N,) of one-hot input, packed by step, or -1 when the input side is already in place. */
  ids: number;
  Wx: number;
  bias: number;
  hs: number;
  WhPacked: number;
  WhTPacked: number;
  dh: number;
}

/** An LSTM layer's: gates and dGates (N, 4H), cs (B + N, H), tanhC (N, H), dc (B, H). */
export interface LSTMSequence extends Sequence {
  gates: number;
  cs: number;
  tanhC: number;
  dGates: number;
  dc: number;
}

/** A GRU layer's: xg, hg, dxg, dhg (N, 3H); hiddenBias (3H) = [0, 0, b_hn]. */
export interface GRUSequence extends Sequence {
  xg: number;
  hg: number;
  hiddenBias: number;
  dxg: number;
  dhg: number;
}

/** An Elman RNN layer's: pre, dPre (N, H). */
export interface RNNSequence extends Sequence {
  relu: boolean;
  pre: number;
  dPre: number;
}

/**
 * One step of the loop: its rows `rows` packed from `off`, and the step before it in the layer's direction, whose
 * first `prevRows` rows (0 at the start) sit at `prev`. Rows [0, min(rows, prevRows)) continue from there, the
 * others start from slot 0.
 */
export interface Step {
  t: number;
  rows: number;
  off: number;
  prev: number;
  prevRows: number;
}

/** The loop's steps in the order the layer runs them (forward in time, or backward for a reverse layer). */
export function walk(be: Backend, s: Pick<Sequence, 'T' | 'B' | 'reverse' | 'active'>): Step[] {
  const n = (t: number): number => (s.active < 0 ? s.B : be.i32[s.active + t]!);
  const off = [0];
  for (let t = 0; t < s.T; t++) off.push(off[t]! + n(t));
  return Array.from({ length: s.T }, (_, k) => {
    const t = s.reverse ? s.T - 1 - k : k;
    const p = s.reverse ? t + 1 : t - 1;
    return { t, rows: n(t), off: off[t]!, prev: k === 0 ? 0 : off[p]!, prevRows: k === 0 ? 0 : n(p) };
  });
}

/** The two parts of a step's rows, [0, split) continuing and [split, rows) starting, each with its h_prev row. */
function parts(s: Sequence, step: Step): Array<{ lo: number; hi: number; from: number }> {
  const split = Math.min(step.rows, step.prevRows);
  return [
    { lo: 0, hi: split, from: s.B + step.prev },
    { lo: split, hi: step.rows, from: split },
  ].filter((p) => p.hi > p.lo);
}

/** Step t's input side x_t W + b at `out` from its token ids, when the loop gathers it. */
function gatherStep(be: Backend, s: Sequence, step: Step, width: number, out: number): void {
  if (s.ids >= 0) be.gatherRows(step.rows, width, s.Wx, s.ids + step.off, s.bias, out + step.off * width);
}

/** gates_t = x_t W + b + h_prev U, then the cell: c_t, h_t and the activated gates. */
export function lstmForwardSteps(be: Backend, s: LSTMSequence): void {
  const { B, H } = s;
  for (const step of walk(be, s)) {
    gatherStep(be, s, step, 4 * H, s.gates);
    for (const { lo, hi, from } of parts(s, step)) {
      const g = s.gates + (step.off + lo) * 4 * H;
      const r = step.off + lo;
      be.gemmPacked(hi - lo, 4 * H, H, s.hs + from * H, s.WhPacked, g, false, 1);
      be.lstmCellForward(hi - lo, H, g, s.cs + from * H, s.cs + (B + r) * H, s.hs + (B + r) * H, s.tanhC + r * H);
    }
  }
}

/**
 * Back through the steps: dy_t += dh (what the step after sent back, zero at first), then `step`, which writes
 * the next dh for the rows that continued from the step before. The loop every cell's backward shares.
 */
function backThroughTime(be: Backend, s: Sequence, dOut: number, step: (at: Step, dy: number) => void): void {
  be.f32.fill(0, s.dh, s.dh + s.B * s.H);
  for (const at of walk(be, s).reverse()) {
    const dy = dOut + at.off * s.H;
    be.addInPlace(at.rows * s.H, s.dh, dy);
    step(at, dy);
  }
}

/** dh = dy_t + dG_next Uᵀ (written over dy_t), the cell's backward into dGates_t; the initial state's is dropped. */
export function lstmBackwardSteps(be: Backend, s: LSTMSequence, dOut: number): void {
  const { H } = s;
  be.f32.fill(0, s.dc, s.dc + s.B * H);
  backThroughTime(be, s, dOut, (step, dy) => {
    const dg = s.dGates + step.off * 4 * H;
    for (const { lo, hi, from } of parts(s, step)) {
      const r = step.off + lo;
      be.lstmCellBackward(hi - lo, H, s.gates + r * 4 * H, s.cs + from * H, s.tanhC + r * H, dy + lo * H, s.dc + lo * H, dg + lo * 4 * H);
    }
    if (s.flush) {
      be.flushTiny(step.rows * 4 * H, dg);
      be.flushTiny(step.rows * H, s.dc);
    }
    const split = Math.min(step.rows, step.prevRows);
    if (split > 0) be.gemmPacked(split, H, 4 * H, dg, s.WhTPacked, s.dh, false, 0);
    if (s.flush) be.flushTiny(split * H, s.dh);
  });
}

/** xg_t = x_t W + b, hg_t = h_prev U, then the cell (adds b_hn to hg_t's n part; xg_t becomes r, z, n). */
export function gruForwardSteps(be: Backend, s: GRUSequence): void {
  const { B, H } = s;
  for (const step of walk(be, s)) {
    gatherStep(be, s, step, 3 * H, s.xg);
    for (const { lo, hi, from } of parts(s, step)) {
      const r = step.off + lo;
      be.gemmPacked(hi - lo, 3 * H, H, s.hs + from * H, s.WhPacked, s.hg + r * 3 * H, false, 0);
      be.gruCellForward(hi - lo, H, s.xg + r * 3 * H, s.hg + r * 3 * H, s.hiddenBias + 2 * H, s.hs + from * H, s.hs + (B + r) * H);
    }
  }
}

/** The cell writes dh_prev = dh_t ⊙ z, then the recurrent path adds dhg_t Uᵀ. */
export function gruBackwardSteps(be: Backend, s: GRUSequence, dOut: number): void {
  const { H } = s;
  backThroughTime(be, s, dOut, (step, dy) => {
    for (const { lo, hi, from } of parts(s, step)) {
      const r = step.off + lo;
      be.gruCellBackward(hi - lo, H, s.xg + r * 3 * H, s.hg + r * 3 * H, s.hs + from * H, dy + lo * H, s.dxg + r * 3 * H, s.dhg + r * 3 * H, s.dh + lo * H);
    }
    if (s.flush) {
      be.flushTiny(step.rows * 3 * H, s.dxg + step.off * 3 * H);
      be.flushTiny(step.rows * 3 * H, s.dhg + step.off * 3 * H);
    }
    const split = Math.min(step.rows, step.prevRows);
    if (split > 0) be.gemmPacked(split, H, 3 * H, s.dhg + step.off * 3 * H, s.WhTPacked, s.dh, false, 1);
    if (s.flush) be.flushTiny(step.rows * H, s.dh);
  });
}

/** pre_t = x_t W + b + h_prev U, h_t = φ(pre_t). */
export function rnnForwardSteps(be: Backend, s: RNNSequence): void {
  const { B, H } = s;
  for (const step of walk(be, s)) {
    gatherStep(be, s, step, H, s.pre);
    for (const { lo, hi, from } of parts(s, step)) be.gemmPacked(hi - lo, H, H, s.hs + from * H, s.WhPacked, s.pre + (step.off + lo) * H, false, 1);
    be.rnnCellForward(step.rows * H, s.relu, s.pre + step.off * H, s.hs + (B + step.off) * H);
  }
}

/** dpre_t = dh_t ⊙ φ'(pre_t), dh_prev = dpre_t Uᵀ. */
export function rnnBackwardSteps(be: Backend, s: RNNSequence, dOut: number): void {
  const { B, H } = s;
  backThroughTime(be, s, dOut, (step, dy) => {
    be.rnnCellBackward(step.rows * H, s.relu, s.hs + (B + step.off) * H, dy, s.dPre + step.off * H);
    if (s.flush) be.flushTiny(step.rows * H, s.dPre + step.off * H);
    const split = Math.min(step.rows, step.prevRows);
    if (split > 0) be.gemmPacked(split, H, H, s.dPre + step.off * H, s.WhTPacked, s.dh, false, 0);
    if (s.flush) be.flushTiny(split * H, s.dh);
  });
}

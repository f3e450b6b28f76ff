// The fused layers' time loops, forward then backward, written once over a Backend's per-step kernels (gemmPacked,
// the cell kernels, addInPlace, gatherRows): the reference for the WebAssembly loops in wasm/assembly/steps.ts,
// which run the same steps per band of batch rows. Each Sequence names a layer's buffers by heap offset. With
// one-hot input (`ids` ≥ 0) the loop also gathers each step's input side, Wx[id] + b, just before its product,
// so it is written where it is about to be read; otherwise the caller projected all steps' inputs beforehand.
// Shapes: per step t, rows of (B, G·H) gates and (B, H) states; hs and cs (T+1, B, H), slot 0 the initial state.
import type { Backend } from '../backend.js';

/** What every layer's time loop has: sizes, the input side's source, hs (T+1, B, H), packed Wh both ways, dh (B, H). */
export interface Sequence {
  T: number;
  B: number;
  H: number;
  /** Token ids (T, B) of one-hot input, or -1 when the input side is already in place. */
  ids: number;
  Wx: number;
  bias: number;
  hs: number;
  WhPacked: number;
  WhTPacked: number;
  dh: number;
}

/** An LSTM layer's: gates and dGates (T, B, 4H), cs (T+1, B, H), tanhC (T, B, H), dc (B, H). */
export interface LSTMSequence extends Sequence {
  gates: number;
  cs: number;
  tanhC: number;
  dGates: number;
  dc: number;
}

/** A GRU layer's: xg, hg, dxg, dhg (T, B, 3H); hiddenBias (3H) = [0, 0, b_hn]. */
export interface GRUSequence extends Sequence {
  xg: number;
  hg: number;
  hiddenBias: number;
  dxg: number;
  dhg: number;
}

/** An Elman RNN layer's: pre, dPre (T, B, H). */
export interface RNNSequence extends Sequence {
  relu: boolean;
  pre: number;
  dPre: number;
}

/** Step t's input side x_t W + b at `out` ((B, G·H)) from its token ids, when the loop gathers it. */
function gatherStep(be: Backend, s: Sequence, t: number, width: number, out: number): void {
  if (s.ids >= 0) be.gatherRows(s.B, width, s.Wx, s.ids + t * s.B, s.bias, out);
}

/** gates_t = x_t W + b + h_{t-1} U, then the cell: c_t, h_t and the activated gates. */
export function lstmForwardSteps(be: Backend, s: LSTMSequence): void {
  const { T, B, H } = s;
  const bh = B * H;
  for (let t = 0; t < T; t++) {
    const g = s.gates + t * 4 * bh;
    gatherStep(be, s, t, 4 * H, g);
    be.gemmPacked(B, 4 * H, H, s.hs + t * bh, s.WhPacked, g, false, 1);
    be.lstmCellForward(B, H, g, s.cs + t * bh, s.cs + (t + 1) * bh, s.hs + (t + 1) * bh, s.tanhC + t * bh);
  }
}

/**
 * From t = T-1 down to 0: dy_t += dh (what step t+1 sent back through h_t U, zero at first), then `step(t, dy_t)`,
 * which writes the next dh. The loop every cell's backward shares.
 */
function backThroughTime(be: Backend, s: Sequence, dOut: number, step: (t: number, dy: number) => void): void {
  const bh = s.B * s.H;
  be.f32.fill(0, s.dh, s.dh + bh);
  for (let t = s.T - 1; t >= 0; t--) {
    const dy = dOut + t * bh;
    be.addInPlace(bh, s.dh, dy);
    step(t, dy);
  }
}

/** dh_t = dy_t + dG_{t+1} Uᵀ (written over dy_t), the cell's backward into dGates_t; dh_{-1} is never needed. */
export function lstmBackwardSteps(be: Backend, s: LSTMSequence, dOut: number): void {
  const { B, H } = s;
  const bh = B * H;
  be.f32.fill(0, s.dc, s.dc + bh);
  backThroughTime(be, s, dOut, (t, dy) => {
    const dg = s.dGates + t * 4 * bh;
    be.lstmCellBackward(B, H, s.gates + t * 4 * bh, s.cs + t * bh, s.tanhC + t * bh, dy, s.dc, dg);
    if (t > 0) be.gemmPacked(B, H, 4 * H, dg, s.WhTPacked, s.dh, false, 0); // the state is detached: no dh_{-1}
  });
}

/** xg_t = x_t W + b, hg_t = h_{t-1} U, then the cell (adds b_hn to hg_t's n part; xg_t becomes r, z, n). */
export function gruForwardSteps(be: Backend, s: GRUSequence): void {
  const { T, B, H } = s;
  const bh = B * H;
  for (let t = 0; t < T; t++) {
    const hg = s.hg + t * 3 * bh;
    gatherStep(be, s, t, 3 * H, s.xg + t * 3 * bh);
    be.gemmPacked(B, 3 * H, H, s.hs + t * bh, s.WhPacked, hg, false, 0);
    be.gruCellForward(B, H, s.xg + t * 3 * bh, hg, s.hiddenBias + 2 * H, s.hs + t * bh, s.hs + (t + 1) * bh);
  }
}

/** The cell writes dh_{t-1} = dh_t ⊙ z, then the recurrent path adds dhg_t Uᵀ. */
export function gruBackwardSteps(be: Backend, s: GRUSequence, dOut: number): void {
  const { B, H } = s;
  const bh = B * H;
  backThroughTime(be, s, dOut, (t, dy) => {
    const dhg = s.dhg + t * 3 * bh;
    be.gruCellBackward(B, H, s.xg + t * 3 * bh, s.hg + t * 3 * bh, s.hs + t * bh, dy, s.dxg + t * 3 * bh, dhg, s.dh);
    if (t > 0) be.gemmPacked(B, H, 3 * H, dhg, s.WhTPacked, s.dh, false, 1);
  });
}

/** pre_t = x_t W + b + h_{t-1} U, h_t = φ(pre_t). */
export function rnnForwardSteps(be: Backend, s: RNNSequence): void {
  const { T, B, H } = s;
  const bh = B * H;
  for (let t = 0; t < T; t++) {
    gatherStep(be, s, t, H, s.pre + t * bh);
    be.gemmPacked(B, H, H, s.hs + t * bh, s.WhPacked, s.pre + t * bh, false, 1);
    be.rnnCellForward(bh, s.relu, s.pre + t * bh, s.hs + (t + 1) * bh);
  }
}

/** dpre_t = dh_t ⊙ φ'(pre_t), dh_{t-1} = dpre_t Uᵀ. */
export function rnnBackwardSteps(be: Backend, s: RNNSequence, dOut: number): void {
  const { B, H } = s;
  const bh = B * H;
  backThroughTime(be, s, dOut, (t, dy) => {
    be.rnnCellBackward(bh, s.relu, s.hs + (t + 1) * bh, dy, s.dPre + t * bh);
    if (t > 0) be.gemmPacked(B, H, H, s.dPre + t * bh, s.WhTPacked, s.dh, false, 0);
  });
}

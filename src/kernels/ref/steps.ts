// The fused layers' time loops, forward then backward, written once over a Backend's per-step kernels (gemmPacked,
// the cell kernels, addInPlace, gatherRows): the reference for the WebAssembly loops in wasm/assembly/steps.ts,
// which run the same steps per band of batch rows. Each Sequence names a layer's buffers by heap offset. With
// one-hot input (`ids` ≥ 0) the loop also gathers each step's input side, Wx[id] + b, just before its product,
// so it is written where it is about to be read; otherwise the caller projected all steps' inputs beforehand.
// Shapes: per step t, rows of (B, G·H) gates and (B, H) states; hs and cs (T+1, B, H), slot 0 the initial state.
import type { Backend } from '../backend.js';

/** An LSTM layer's time loop buffers: gates and dGates (T, B, 4H), cs (T+1, B, H), tanhC (T, B, H), dh, dc (B, H). */
export interface LSTMSequence {
  T: number;
  B: number;
  H: number;
  /** Token ids (T, B) of one-hot input, or -1 when the input side is already in place. */
  ids: number;
  Wx: number;
  bias: number;
  gates: number;
  hs: number;
  cs: number;
  tanhC: number;
  WhPacked: number;
  WhTPacked: number;
  dGates: number;
  dh: number;
  dc: number;
}

/** A GRU layer's: xg, hg, dxg, dhg (T, B, 3H); hiddenBias (3H) = [0, 0, b_hn]; dh (B, H). */
export interface GRUSequence {
  T: number;
  B: number;
  H: number;
  /** Token ids (T, B) of one-hot input, or -1 when the input side is already in place. */
  ids: number;
  Wx: number;
  bias: number;
  xg: number;
  hg: number;
  hiddenBias: number;
  hs: number;
  WhPacked: number;
  WhTPacked: number;
  dxg: number;
  dhg: number;
  dh: number;
}

/** An Elman RNN layer's: pre, dPre (T, B, H); dh (B, H). */
export interface RNNSequence {
  T: number;
  B: number;
  H: number;
  /** Token ids (T, B) of one-hot input, or -1 when the input side is already in place. */
  ids: number;
  Wx: number;
  bias: number;
  relu: boolean;
  pre: number;
  hs: number;
  WhPacked: number;
  WhTPacked: number;
  dPre: number;
  dh: number;
}

/** Step t's input side x_t W + b at `out` ((B, G·H)) from its token ids, when the loop gathers it. */
function gatherStep(be: Backend, s: { ids: number; Wx: number; bias: number; B: number }, t: number, width: number, out: number): void {
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

/** From t = T-1 down: dh_t = dy_t + dG_{t+1} Uᵀ (written over dy_t), then the cell's backward into dGates_t. */
export function lstmBackwardSteps(be: Backend, s: LSTMSequence, dOut: number): void {
  const { T, B, H } = s;
  const bh = B * H;
  be.f32.fill(0, s.dh, s.dh + bh);
  be.f32.fill(0, s.dc, s.dc + bh);
  for (let t = T - 1; t >= 0; t--) {
    const dy = dOut + t * bh;
    be.addInPlace(bh, s.dh, dy);
    const dg = s.dGates + t * 4 * bh;
    be.lstmCellBackward(B, H, s.gates + t * 4 * bh, s.cs + t * bh, s.tanhC + t * bh, dy, s.dc, dg);
    if (t > 0) be.gemmPacked(B, H, 4 * H, dg, s.WhTPacked, s.dh, false, 0); // dh_{-1} would be dropped: the state is detached
  }
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

/** From t = T-1 down: the cell writes dh_{t-1} = dh_t ⊙ z, then the recurrent path adds dhg_t Uᵀ. */
export function gruBackwardSteps(be: Backend, s: GRUSequence, dOut: number): void {
  const { T, B, H } = s;
  const bh = B * H;
  be.f32.fill(0, s.dh, s.dh + bh);
  for (let t = T - 1; t >= 0; t--) {
    const dy = dOut + t * bh;
    be.addInPlace(bh, s.dh, dy);
    const dhg = s.dhg + t * 3 * bh;
    be.gruCellBackward(B, H, s.xg + t * 3 * bh, s.hg + t * 3 * bh, s.hs + t * bh, dy, s.dxg + t * 3 * bh, dhg, s.dh);
    if (t > 0) be.gemmPacked(B, H, 3 * H, dhg, s.WhTPacked, s.dh, false, 1);
  }
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

/** From t = T-1 down: dpre_t = dh_t ⊙ φ'(pre_t), dh_{t-1} = dpre_t Uᵀ. */
export function rnnBackwardSteps(be: Backend, s: RNNSequence, dOut: number): void {
  const { T, B, H } = s;
  const bh = B * H;
  be.f32.fill(0, s.dh, s.dh + bh);
  for (let t = T - 1; t >= 0; t--) {
    const dy = dOut + t * bh;
    be.addInPlace(bh, s.dh, dy);
    be.rnnCellBackward(bh, s.relu, s.hs + (t + 1) * bh, dy, s.dPre + t * bh);
    if (t > 0) be.gemmPacked(B, H, H, s.dPre + t * bh, s.WhTPacked, s.dh, false, 0);
  }
}

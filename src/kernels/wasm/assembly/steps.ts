// The fused layers' time loops, forward then backward, for one band of batch rows [b0, b1). Rows of a recurrent
// layer never meet within a sequence (h_t[b] depends only on row b), so each thread runs its own rows through all
// T steps: no barrier and no data crossing between cores per step, and the same sums in the same order as one
// thread, so results do not depend on the split. Same loops as src/kernels/ref/steps.ts (ids != 0: one-hot input,
// each step's input side Wx[id] + b gathered just before its product).
// Shapes: per step t, rows of (B, G·H) gates and (B, H) states; hs and cs (T+1, B, H) with slot 0 the initial state.
import { sgemmPackedColumns } from './sgemm';
import { gruCellBackward, gruCellForward, lstmCellBackward, lstmCellForward, rnnCellBackward, rnnCellForward } from './cells';
import { addInPlace, gatherRows } from './rows';

/** Byte pointer of row b of step t in an array of (·, B, width) floats. */
@inline function row(p: usize, t: i32, B: i32, b: i32, width: i32): usize {
  return p + ((<usize>(t * B + b) * <usize>width) << 2);
}

/** Rows [b0, b0 + rows) of step t's input side x_t W + b from their token ids (nothing when ids == 0). */
@inline function gatherStep(ids: usize, Wx: usize, bias: usize, t: i32, B: i32, b0: i32, rows: i32, width: i32, out: usize): void {
  if (ids != 0) gatherRows(rows, width, Wx, row(ids, t, B, b0, 1), bias, out);
}

/** gates_t = x_t W + b + h_{t-1} U, then the cell: c_t, h_t and the activated gates. */
export function lstmForwardSteps(T: i32, B: i32, H: i32, ids: usize, Wx: usize, bias: usize, gates: usize, WhPacked: usize, hs: usize, cs: usize, tanhC: usize, b0: i32, b1: i32, scratch: usize): void {
  const rows = b1 - b0;
  const G = 4 * H;
  for (let t = 0; t < T; t++) {
    const g = row(gates, t, B, b0, G);
    gatherStep(ids, Wx, bias, t, B, b0, rows, G, g);
    sgemmPackedColumns(rows, G, H, row(hs, t, B, b0, H), WhPacked, g, 0, 1, 0, G, scratch);
    lstmCellForward(rows, H, g, row(cs, t, B, b0, H), row(cs, t + 1, B, b0, H), row(hs, t + 1, B, b0, H), row(tanhC, t, B, b0, H));
  }
}

/** From t = T-1 down: dh_t = dy_t + dG_{t+1} Uᵀ (dy_t is overwritten with it), the cell's backward into dGates_t. */
export function lstmBackwardSteps(T: i32, B: i32, H: i32, gates: usize, cs: usize, tanhC: usize, dOut: usize, dh: usize, dc: usize, dGates: usize, WhTPacked: usize, b0: i32, b1: i32, scratch: usize): void {
  const rows = b1 - b0;
  const G = 4 * H;
  const dhRows = row(dh, 0, B, b0, H);
  const dcRows = row(dc, 0, B, b0, H);
  memory.fill(dhRows, 0, (<usize>(rows * H)) << 2);
  memory.fill(dcRows, 0, (<usize>(rows * H)) << 2);
  for (let t = T - 1; t >= 0; t--) {
    const dy = row(dOut, t, B, b0, H);
    addInPlace(rows * H, dhRows, dy);
    const dg = row(dGates, t, B, b0, G);
    lstmCellBackward(rows, H, row(gates, t, B, b0, G), row(cs, t, B, b0, H), row(tanhC, t, B, b0, H), dy, dcRows, dg);
    if (t > 0) sgemmPackedColumns(rows, H, G, dg, WhTPacked, dhRows, 0, 0, 0, H, scratch); // dh_{-1} is dropped
  }
}

/** xg_t = x_t W + b, hg_t = h_{t-1} U, then the cell (adds b_hn to hg_t's n part; xg_t becomes r, z, n). */
export function gruForwardSteps(T: i32, B: i32, H: i32, ids: usize, Wx: usize, bias: usize, xg: usize, hg: usize, hiddenBias: usize, WhPacked: usize, hs: usize, b0: i32, b1: i32, scratch: usize): void {
  const rows = b1 - b0;
  const G = 3 * H;
  for (let t = 0; t < T; t++) {
    const y = row(hg, t, B, b0, G);
    gatherStep(ids, Wx, bias, t, B, b0, rows, G, row(xg, t, B, b0, G));
    sgemmPackedColumns(rows, G, H, row(hs, t, B, b0, H), WhPacked, y, 0, 0, 0, G, scratch);
    gruCellForward(rows, H, row(xg, t, B, b0, G), y, hiddenBias + ((<usize>(2 * H)) << 2), row(hs, t, B, b0, H), row(hs, t + 1, B, b0, H));
  }
}

/** From t = T-1 down: the cell writes dh_{t-1} = dh_t ⊙ z, then the recurrent path adds dhg_t Uᵀ. */
export function gruBackwardSteps(T: i32, B: i32, H: i32, xg: usize, hg: usize, hs: usize, dOut: usize, dh: usize, dxg: usize, dhg: usize, WhTPacked: usize, b0: i32, b1: i32, scratch: usize): void {
  const rows = b1 - b0;
  const G = 3 * H;
  const dhRows = row(dh, 0, B, b0, H);
  memory.fill(dhRows, 0, (<usize>(rows * H)) << 2);
  for (let t = T - 1; t >= 0; t--) {
    const dy = row(dOut, t, B, b0, H);
    addInPlace(rows * H, dhRows, dy);
    const dy3 = row(dhg, t, B, b0, G);
    gruCellBackward(rows, H, row(xg, t, B, b0, G), row(hg, t, B, b0, G), row(hs, t, B, b0, H), dy, row(dxg, t, B, b0, G), dy3, dhRows);
    if (t > 0) sgemmPackedColumns(rows, H, G, dy3, WhTPacked, dhRows, 0, 1, 0, H, scratch);
  }
}

/** pre_t = x_t W + b + h_{t-1} U, h_t = φ(pre_t). */
export function rnnForwardSteps(T: i32, B: i32, H: i32, relu: i32, ids: usize, Wx: usize, bias: usize, pre: usize, WhPacked: usize, hs: usize, b0: i32, b1: i32, scratch: usize): void {
  const rows = b1 - b0;
  for (let t = 0; t < T; t++) {
    const p = row(pre, t, B, b0, H);
    gatherStep(ids, Wx, bias, t, B, b0, rows, H, p);
    sgemmPackedColumns(rows, H, H, row(hs, t, B, b0, H), WhPacked, p, 0, 1, 0, H, scratch);
    rnnCellForward(rows * H, relu, p, row(hs, t + 1, B, b0, H));
  }
}

/** From t = T-1 down: dpre_t = dh_t ⊙ φ'(pre_t), dh_{t-1} = dpre_t Uᵀ. */
export function rnnBackwardSteps(T: i32, B: i32, H: i32, relu: i32, hs: usize, dOut: usize, dh: usize, dPre: usize, WhTPacked: usize, b0: i32, b1: i32, scratch: usize): void {
  const rows = b1 - b0;
  const dhRows = row(dh, 0, B, b0, H);
  memory.fill(dhRows, 0, (<usize>(rows * H)) << 2);
  for (let t = T - 1; t >= 0; t--) {
    const dy = row(dOut, t, B, b0, H);
    addInPlace(rows * H, dhRows, dy);
    const dp = row(dPre, t, B, b0, H);
    rnnCellBackward(rows * H, relu, row(hs, t + 1, B, b0, H), dy, dp);
    if (t > 0) sgemmPackedColumns(rows, H, H, dp, WhTPacked, dhRows, 0, 0, 0, H, scratch);
  }
}

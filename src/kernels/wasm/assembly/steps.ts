// The fused layers' time loops, forward then backward, for one band of batch rows [b0, b1). Rows of a recurrent
// layer never meet within a sequence (h_t[b] depends only on row b), so each thread runs its own rows through all
// T steps: no barrier and no data crossing between cores per step, and the same sums in the same order as one
// thread, so results do not depend on the split. Same loops as src/kernels/ref/steps.ts (ids != 0: one-hot input,
// each step's input side Wx[id] + b gathered just before its product).
// Rows of different lengths (pack_padded_sequence): rows are sorted longest first and active[t] of them take step
// t (active == 0: all B), so a step's rows are a prefix of the batch and the buffers are packed by step: row b of
// step t is row off(t) + b, off(t) = Σ_{t' < t} active[t']. A reverse layer (reverse != 0) runs t = T-1 down to 0;
// a row whose previous step (t-1 forward, t+1 reverse) it did not take starts from the initial state, slot 0.
// With `flush`, backward zeroes gradients below 2^-100 after each step's cell and product (src/kernels/ref/rows.ts:
// flushTiny says why); without it (the language model's loops) every bit is as it always was.
// Shapes: gates (N, G·H) packed by step; hs and cs (B + N, H): slot 0 (B rows) the initial state, then outputs.
import { sgemmPackedColumns } from './sgemm';
import { gruCellBackward, gruCellForward, lstmCellBackward, lstmCellForward, rnnCellBackward, rnnCellForward } from './cells';
import { addInPlace, flushTiny, gatherRows } from './rows';

/** Byte pointer of row r of an array of rows `width` floats wide. */
@inline function rowAt(p: usize, r: i32, width: i32): usize {
  return p + ((<usize>r * <usize>width) << 2);
}

/** Rows taking step t. */
@inline function rowsAt(active: usize, t: i32, B: i32): i32 {
  return active == 0 ? B : load<i32>(active + ((<usize>t) << 2));
}

/** N: the rows of every step. */
function total(active: usize, T: i32, B: i32): i32 {
  if (active == 0) return T * B;
  let n = 0;
  for (let t = 0; t < T; t++) n += rowsAt(active, t, B);
  return n;
}

/** The time step loop step k runs: k for a forward layer, T-1-k for a reverse one. */
@inline function stepOf(k: i32, T: i32, reverse: i32): i32 {
  return reverse != 0 ? T - 1 - k : k;
}

/** Rows of the step before loop step k in the layer's direction (0 at its start: every row starts from slot 0). */
@inline function rowsBefore(active: usize, k: i32, T: i32, B: i32, reverse: i32): i32 {
  return k > 0 ? rowsAt(active, stepOf(k - 1, T, reverse), B) : 0;
}

/** Offset of the rows of loop step k - 1, given step k's (`off`, `rows`): packed by time, t-1 sits below, t+1 above. */
@inline function offBefore(off: i32, rows: i32, prevRows: i32, reverse: i32): i32 {
  return reverse != 0 ? off + rows : off - prevRows;
}

/** Offset of loop step 0's rows (forward through the loop) and of loop step T - 1's (back through it). */
@inline function firstOff(active: usize, T: i32, B: i32, reverse: i32): i32 {
  return reverse != 0 ? total(active, T, B) - rowsAt(active, T - 1, B) : 0;
}

@inline function lastOff(active: usize, T: i32, B: i32, reverse: i32): i32 {
  return reverse != 0 ? 0 : total(active, T, B) - rowsAt(active, T - 1, B);
}

/** Offset of loop step k + 1's rows from step k's. */
@inline function offAfter(active: usize, off: i32, rows: i32, k: i32, T: i32, B: i32, reverse: i32): i32 {
  if (reverse == 0) return off + rows;
  return k + 1 < T ? off - rowsAt(active, stepOf(k + 1, T, reverse), B) : off;
}

/** gates_t = x_t W + b + h_prev U, then the cell: c_t, h_t and the activated gates. */
export function lstmForwardSteps(T: i32, B: i32, H: i32, reverse: i32, active: usize, ids: usize, Wx: usize, bias: usize, gates: usize, WhPacked: usize, hs: usize, cs: usize, tanhC: usize, b0: i32, b1: i32, scratch: usize): void {
  const G = 4 * H;
  let off = firstOff(active, T, B, reverse);
  for (let k = 0; k < T; k++) {
    const rows = rowsAt(active, stepOf(k, T, reverse), B);
    const prevRows = rowsBefore(active, k, T, B, reverse);
    const prev = offBefore(off, rows, prevRows, reverse);
    const r1 = min(b1, rows);
    if (r1 > b0) {
      const g = rowAt(gates, off + b0, G);
      if (ids != 0) gatherRows(r1 - b0, G, Wx, rowAt(ids, off + b0, 1), bias, g);
      // Rows [b0, split) continue from the previous step's outputs; [split, r1) start from slot 0.
      const split = max(b0, min(r1, prevRows));
      for (let s = 0; s < 2; s++) {
        const lo = s == 0 ? b0 : split, hi = s == 0 ? split : r1;
        if (hi <= lo) continue;
        const from = s == 0 ? B + prev + lo : lo;
        const gs = rowAt(gates, off + lo, G);
        sgemmPackedColumns(hi - lo, G, H, rowAt(hs, from, H), WhPacked, gs, 0, 1, 0, G, scratch);
        lstmCellForward(hi - lo, H, gs, rowAt(cs, from, H), rowAt(cs, B + off + lo, H), rowAt(hs, B + off + lo, H), rowAt(tanhC, off + lo, H));
      }
    }
    off = offAfter(active, off, rows, k, T, B, reverse);
  }
}

/**
 * Back through the steps: dh = dy_t + what the step after sent back (dy_t is overwritten with it), the cell's
 * backward into dGates_t, and dh for the rows that continued from the step before = dG_t Uᵀ; the gradient of the
 * initial state is dropped (it is detached).
 */
export function lstmBackwardSteps(T: i32, B: i32, H: i32, reverse: i32, active: usize, flush: i32, gates: usize, cs: usize, tanhC: usize, dOut: usize, dh: usize, dc: usize, dGates: usize, WhTPacked: usize, b0: i32, b1: i32, scratch: usize): void {
  const G = 4 * H;
  const bytes = (<usize>(max(0, b1 - b0) * H)) << 2;
  memory.fill(rowAt(dh, b0, H), 0, bytes);
  memory.fill(rowAt(dc, b0, H), 0, bytes);
  let off = lastOff(active, T, B, reverse);
  for (let k = T - 1; k >= 0; k--) {
    const rows = rowsAt(active, stepOf(k, T, reverse), B);
    const prevRows = rowsBefore(active, k, T, B, reverse);
    const prev = offBefore(off, rows, prevRows, reverse);
    const r1 = min(b1, rows);
    if (r1 > b0) {
      const dy = rowAt(dOut, off + b0, H);
      addInPlace((r1 - b0) * H, rowAt(dh, b0, H), dy);
      const split = max(b0, min(r1, prevRows));
      for (let s = 0; s < 2; s++) {
        const lo = s == 0 ? b0 : split, hi = s == 0 ? split : r1;
        if (hi <= lo) continue;
        const from = s == 0 ? B + prev + lo : lo;
        lstmCellBackward(hi - lo, H, rowAt(gates, off + lo, G), rowAt(cs, from, H), rowAt(tanhC, off + lo, H), rowAt(dOut, off + lo, H), rowAt(dc, lo, H), rowAt(dGates, off + lo, G));
      }
      if (flush != 0) {
        flushTiny((r1 - b0) * G, rowAt(dGates, off + b0, G));
        flushTiny((r1 - b0) * H, rowAt(dc, b0, H));
      }
      if (split > b0) sgemmPackedColumns(split - b0, H, G, rowAt(dGates, off + b0, G), WhTPacked, rowAt(dh, b0, H), 0, 0, 0, H, scratch);
      if (flush != 0) flushTiny((split - b0) * H, rowAt(dh, b0, H));
    }
    off = prev;
  }
}

/** xg_t = x_t W + b, hg_t = h_prev U, then the cell (adds b_hn to hg_t's n part; xg_t becomes r, z, n). */
export function gruForwardSteps(T: i32, B: i32, H: i32, reverse: i32, active: usize, ids: usize, Wx: usize, bias: usize, xg: usize, hg: usize, hiddenBias: usize, WhPacked: usize, hs: usize, b0: i32, b1: i32, scratch: usize): void {
  const G = 3 * H;
  const bhn = hiddenBias + ((<usize>(2 * H)) << 2);
  let off = firstOff(active, T, B, reverse);
  for (let k = 0; k < T; k++) {
    const rows = rowsAt(active, stepOf(k, T, reverse), B);
    const prevRows = rowsBefore(active, k, T, B, reverse);
    const prev = offBefore(off, rows, prevRows, reverse);
    const r1 = min(b1, rows);
    if (r1 > b0) {
      if (ids != 0) gatherRows(r1 - b0, G, Wx, rowAt(ids, off + b0, 1), bias, rowAt(xg, off + b0, G));
      const split = max(b0, min(r1, prevRows));
      for (let s = 0; s < 2; s++) {
        const lo = s == 0 ? b0 : split, hi = s == 0 ? split : r1;
        if (hi <= lo) continue;
        const from = rowAt(hs, s == 0 ? B + prev + lo : lo, H);
        const y = rowAt(hg, off + lo, G);
        sgemmPackedColumns(hi - lo, G, H, from, WhPacked, y, 0, 0, 0, G, scratch);
        gruCellForward(hi - lo, H, rowAt(xg, off + lo, G), y, bhn, from, rowAt(hs, B + off + lo, H));
      }
    }
    off = offAfter(active, off, rows, k, T, B, reverse);
  }
}

/** Back through the steps: the cell writes dh_prev = dh_t ⊙ z, then the recurrent path adds dhg_t Uᵀ. */
export function gruBackwardSteps(T: i32, B: i32, H: i32, reverse: i32, active: usize, flush: i32, xg: usize, hg: usize, hs: usize, dOut: usize, dh: usize, dxg: usize, dhg: usize, WhTPacked: usize, b0: i32, b1: i32, scratch: usize): void {
  const G = 3 * H;
  memory.fill(rowAt(dh, b0, H), 0, (<usize>(max(0, b1 - b0) * H)) << 2);
  let off = lastOff(active, T, B, reverse);
  for (let k = T - 1; k >= 0; k--) {
    const rows = rowsAt(active, stepOf(k, T, reverse), B);
    const prevRows = rowsBefore(active, k, T, B, reverse);
    const prev = offBefore(off, rows, prevRows, reverse);
    const r1 = min(b1, rows);
    if (r1 > b0) {
      addInPlace((r1 - b0) * H, rowAt(dh, b0, H), rowAt(dOut, off + b0, H));
      const split = max(b0, min(r1, prevRows));
      for (let s = 0; s < 2; s++) {
        const lo = s == 0 ? b0 : split, hi = s == 0 ? split : r1;
        if (hi <= lo) continue;
        const from = rowAt(hs, s == 0 ? B + prev + lo : lo, H);
        gruCellBackward(hi - lo, H, rowAt(xg, off + lo, G), rowAt(hg, off + lo, G), from, rowAt(dOut, off + lo, H), rowAt(dxg, off + lo, G), rowAt(dhg, off + lo, G), rowAt(dh, lo, H));
      }
      if (flush != 0) {
        flushTiny((r1 - b0) * G, rowAt(dxg, off + b0, G));
        flushTiny((r1 - b0) * G, rowAt(dhg, off + b0, G));
      }
      if (split > b0) sgemmPackedColumns(split - b0, H, G, rowAt(dhg, off + b0, G), WhTPacked, rowAt(dh, b0, H), 0, 1, 0, H, scratch);
      if (flush != 0) flushTiny((r1 - b0) * H, rowAt(dh, b0, H));
    }
    off = prev;
  }
}

/** pre_t = x_t W + b + h_prev U, h_t = φ(pre_t). */
export function rnnForwardSteps(T: i32, B: i32, H: i32, relu: i32, reverse: i32, active: usize, ids: usize, Wx: usize, bias: usize, pre: usize, WhPacked: usize, hs: usize, b0: i32, b1: i32, scratch: usize): void {
  let off = firstOff(active, T, B, reverse);
  for (let k = 0; k < T; k++) {
    const rows = rowsAt(active, stepOf(k, T, reverse), B);
    const prevRows = rowsBefore(active, k, T, B, reverse);
    const prev = offBefore(off, rows, prevRows, reverse);
    const r1 = min(b1, rows);
    if (r1 > b0) {
      const p = rowAt(pre, off + b0, H);
      if (ids != 0) gatherRows(r1 - b0, H, Wx, rowAt(ids, off + b0, 1), bias, p);
      const split = max(b0, min(r1, prevRows));
      if (split > b0) sgemmPackedColumns(split - b0, H, H, rowAt(hs, B + prev + b0, H), WhPacked, p, 0, 1, 0, H, scratch);
      if (r1 > split) sgemmPackedColumns(r1 - split, H, H, rowAt(hs, split, H), WhPacked, rowAt(pre, off + split, H), 0, 1, 0, H, scratch);
      rnnCellForward((r1 - b0) * H, relu, p, rowAt(hs, B + off + b0, H));
    }
    off = offAfter(active, off, rows, k, T, B, reverse);
  }
}

/** Back through the steps: dpre_t = dh_t ⊙ φ'(pre_t), dh_prev = dpre_t Uᵀ. */
export function rnnBackwardSteps(T: i32, B: i32, H: i32, relu: i32, reverse: i32, active: usize, flush: i32, hs: usize, dOut: usize, dh: usize, dPre: usize, WhTPacked: usize, b0: i32, b1: i32, scratch: usize): void {
  memory.fill(rowAt(dh, b0, H), 0, (<usize>(max(0, b1 - b0) * H)) << 2);
  let off = lastOff(active, T, B, reverse);
  for (let k = T - 1; k >= 0; k--) {
    const rows = rowsAt(active, stepOf(k, T, reverse), B);
    const prevRows = rowsBefore(active, k, T, B, reverse);
    const prev = offBefore(off, rows, prevRows, reverse);
    const r1 = min(b1, rows);
    if (r1 > b0) {
      const dy = rowAt(dOut, off + b0, H);
      addInPlace((r1 - b0) * H, rowAt(dh, b0, H), dy);
      const dp = rowAt(dPre, off + b0, H);
      rnnCellBackward((r1 - b0) * H, relu, rowAt(hs, B + off + b0, H), dy, dp);
      if (flush != 0) flushTiny((r1 - b0) * H, dp);
      const split = max(b0, min(r1, prevRows));
      if (split > b0) sgemmPackedColumns(split - b0, H, H, dp, WhTPacked, rowAt(dh, b0, H), 0, 0, 0, H, scratch);
      if (flush != 0) flushTiny((split - b0) * H, rowAt(dh, b0, H));
    }
    off = prev;
  }
}

// The fused engine's backend contract: one linear memory (a Float32Array heap with an Int32Array view of the
// same bytes for token ids) and the kernels that work on offsets into it. Offsets count floats (4 bytes).
// `createRefBackend` is the plain TypeScript implementation; the WebAssembly backend keeps the same contract,
// so the engine that orchestrates a training step is written once. A backend may also hold tensors in its own
// memory (the WebAssembly one does: src/kernels/wasm/storage.ts), which its kernels then address in place.
import { gemm } from './ref/gemm.js';
import { lstmCellBackward, lstmCellForward } from './ref/lstm-cell.js';
import { gruCellBackward, gruCellForward } from './ref/gru-cell.js';
import { rnnCellBackward, rnnCellForward } from './ref/rnn-cell.js';
import { addColumnSums, fillRows, flushTiny, gatherRows, scatterAddRows } from './ref/rows.js';
import { regressionLoss, softmaxCrossEntropy } from './ref/losses.js';
import * as steps from './ref/steps.js';
import type { GRUSequence, LSTMSequence, RNNSequence } from './ref/steps.js';
import type { Storage, Tensor } from '../core/tensor.js';

export type { GRUSequence, LSTMSequence, RNNSequence } from './ref/steps.js';

export interface Backend {
  readonly name: string;
  /** Float view of the heap; replaced by `reserve`, so read it again after reserving. */
  readonly f32: Float32Array;
  /** Int view of the same bytes: ids at float offset k are i32[k]. */
  readonly i32: Int32Array;
  /** Makes at least `floats` floats addressable from offset 0; contents are kept. */
  reserve(floats: number): void;
  /**
   * Moves the float32 tensors' values (and, with `grads`, their gradients) into memory this backend's kernels
   * address, where it has such memory; false where it has not (the reference: tensors stay JavaScript arrays).
   */
  adopt(tensors: readonly Tensor[], grads: boolean): boolean;
  /**
   * The float offset of a storage this backend's kernels can address, or null. For kernel arguments only: it may
   * lie outside `f32` (before offset 0), and it holds until the next `reserve`.
   */
  offsetOf(storage: Storage | null): number | null;
  /** C = op(A) op(B) + beta·C with op(A) (m, k), op(B) (k, n), row-major. */
  gemm(m: number, n: number, k: number, a: number, b: number, c: number, transA: boolean, transB: boolean, beta: 0 | 1): void;
  /** Floats a packed op(B) of shape (k, n) takes (see packB). */
  packedFloats(k: number, n: number): number;
  /** Packs op(B) (k, n) at `dst` in the backend's own layout, for gemmPacked: weights packed once per update. */
  packB(k: number, n: number, b: number, transB: boolean, dst: number): void;
  /**
   * packB for a B kept as G blocks side by side, each in its own place: S = [S_0 | S_1 | ...], S_g (r, w) at
   * blocks[g]; op(B) = S (k = r, n = G·w), or Sᵀ (k = G·w, n = r) with transB. The same result as packB of S whole.
   */
  packGatesB(k: number, n: number, blocks: readonly number[], transB: boolean, dst: number): void;
  /** C = op(A) B̂ + beta·C with B̂ from packB. */
  gemmPacked(m: number, n: number, k: number, a: number, packed: number, c: number, transA: boolean, beta: 0 | 1): void;
  gatherRows(n: number, width: number, table: number, idsAt: number, bias: number, out: number): void;
  scatterAddRows(n: number, width: number, src: number, idsAt: number, table: number): void;
  fillRows(n: number, width: number, bias: number, out: number): void;
  /** y += x over n floats. */
  addInPlace(n: number, x: number, y: number): void;
  /** Zeroes the values below 2^-100 in magnitude over n floats (ref/rows.ts: why). */
  flushTiny(n: number, at: number): void;
  /** dst (rows, width) = the g-th block of `width` columns of src (rows, G·width) + beta·dst. */
  gatherColumns(rows: number, width: number, G: number, src: number, g: number, dst: number, beta: 0 | 1): void;
  /** The g-th block of `width` columns of dst (rows, G·width) = src (rows, width). */
  scatterColumns(rows: number, width: number, G: number, src: number, g: number, dst: number): void;
  addColumnSums(n: number, width: number, src: number, out: number): void;
  /** Σ_r w_t·(-log softmax(logits_r)[t_r]); dLogits = (softmax - onehot)·scale·w_t; weights (C floats) < 0: all 1. */
  softmaxCrossEntropy(n: number, classes: number, logits: number, targetsAt: number, weights: number, dLogits: number, scale: number): number;
  /** Σ_k l(pred_k - target_k), kind 0 MSE, 1 L1, 2 Huber(delta); dPred = scale·l'. */
  regressionLoss(n: number, kind: number, delta: number, pred: number, target: number, dPred: number, scale: number): number;
  lstmCellForward(B: number, H: number, gates: number, cPrev: number, c: number, h: number, tanhC: number): void;
  lstmCellBackward(B: number, H: number, gates: number, cPrev: number, tanhC: number, dh: number, dc: number, dGates: number): void;
  /** hg holds h U; the cell adds b_hn (at `bhn`, H floats) to its n part and keeps it there for backward. */
  gruCellForward(B: number, H: number, xg: number, hg: number, bhn: number, hPrev: number, h: number): void;
  gruCellBackward(B: number, H: number, xg: number, hg: number, hPrev: number, dh: number, dxg: number, dhg: number, dhPrev: number): void;
  rnnCellForward(n: number, relu: boolean, pre: number, h: number): void;
  rnnCellBackward(n: number, relu: boolean, h: number, dh: number, dPre: number): void;
  /** A layer's whole time loop (src/kernels/ref/steps.ts): backward overwrites dOut (T, B, H) with dh per step. */
  lstmForwardSteps(s: LSTMSequence): void;
  lstmBackwardSteps(s: LSTMSequence, dOut: number): void;
  gruForwardSteps(s: GRUSequence): void;
  gruBackwardSteps(s: GRUSequence, dOut: number): void;
  rnnForwardSteps(s: RNNSequence): void;
  rnnBackwardSteps(s: RNNSequence, dOut: number): void;
}

class RefBackend implements Backend {
  readonly name = 'ref';
  f32 = new Float32Array(0);
  i32 = new Int32Array(0);

  reserve(floats: number): void {
    if (floats <= this.f32.length) return;
    const grown = new Float32Array(Math.max(floats, Math.ceil(this.f32.length * 1.5)));
    grown.set(this.f32);
    this.f32 = grown;
    this.i32 = new Int32Array(grown.buffer);
  }

  adopt(): boolean {
    return false;
  }

  offsetOf(): number | null {
    return null;
  }

  gemm(m: number, n: number, k: number, a: number, b: number, c: number, transA: boolean, transB: boolean, beta: 0 | 1): void {
    const f = this.f32;
    gemm({ m, n, k, a: f.subarray(a), b: f.subarray(b), c: f.subarray(c), transA, transB, beta });
  }

  /** The reference's "packed" B is just op(B) laid out row-major (k, n). */
  packedFloats(k: number, n: number): number {
    return k * n;
  }

  packB(k: number, n: number, b: number, transB: boolean, dst: number): void {
    const f = this.f32;
    if (!transB) f.copyWithin(dst, b, b + k * n);
    else for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) f[dst + p * n + j] = f[b + j * k + p]!;
  }

  packGatesB(k: number, n: number, blocks: readonly number[], transB: boolean, dst: number): void {
    const f = this.f32;
    const w = (transB ? k : n) / blocks.length;
    // S[i, j] = S_g[i, j - g·w] with g = ⌊j / w⌋; op(B)[p, j] = transB ? S[j, p] : S[p, j].
    const s = (i: number, j: number): number => f[blocks[Math.floor(j / w)]! + i * w + (j % w)]!;
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) f[dst + p * n + j] = transB ? s(j, p) : s(p, j);
  }

  gemmPacked(m: number, n: number, k: number, a: number, packed: number, c: number, transA: boolean, beta: 0 | 1): void {
    this.gemm(m, n, k, a, packed, c, transA, false, beta);
  }

  gatherRows(n: number, width: number, table: number, idsAt: number, bias: number, out: number): void {
    gatherRows(this.f32, this.i32, n, width, table, idsAt, bias, out);
  }

  scatterAddRows(n: number, width: number, src: number, idsAt: number, table: number): void {
    scatterAddRows(this.f32, this.i32, n, width, src, idsAt, table);
  }

  fillRows(n: number, width: number, bias: number, out: number): void {
    fillRows(this.f32, n, width, bias, out);
  }

  addColumnSums(n: number, width: number, src: number, out: number): void {
    addColumnSums(this.f32, n, width, src, out);
  }

  gatherColumns(rows: number, width: number, G: number, src: number, g: number, dst: number, beta: 0 | 1): void {
    const f = this.f32;
    for (let r = 0; r < rows; r++) {
      const from = src + (r * G + g) * width;
      if (beta === 0) f.copyWithin(dst + r * width, from, from + width);
      else for (let j = 0; j < width; j++) f[dst + r * width + j]! += f[from + j]!;
    }
  }

  scatterColumns(rows: number, width: number, G: number, src: number, g: number, dst: number): void {
    const f = this.f32;
    for (let r = 0; r < rows; r++) f.copyWithin(dst + (r * G + g) * width, src + r * width, src + (r + 1) * width);
  }

  addInPlace(n: number, x: number, y: number): void {
    const f = this.f32;
    for (let k = 0; k < n; k++) f[y + k]! += f[x + k]!;
  }

  flushTiny(n: number, at: number): void {
    flushTiny(this.f32, n, at);
  }

  softmaxCrossEntropy(n: number, classes: number, logits: number, targetsAt: number, weights: number, dLogits: number, scale: number): number {
    return softmaxCrossEntropy(this.f32, this.i32, n, classes, logits, targetsAt, weights, dLogits, scale);
  }

  regressionLoss(n: number, kind: number, delta: number, pred: number, target: number, dPred: number, scale: number): number {
    return regressionLoss(this.f32, n, kind, delta, pred, target, dPred, scale);
  }

  lstmCellForward(B: number, H: number, gates: number, cPrev: number, c: number, h: number, tanhC: number): void {
    lstmCellForward(this.f32, B, H, gates, cPrev, c, h, tanhC);
  }

  lstmCellBackward(B: number, H: number, gates: number, cPrev: number, tanhC: number, dh: number, dc: number, dGates: number): void {
    lstmCellBackward(this.f32, B, H, gates, cPrev, tanhC, dh, dc, dGates);
  }

  gruCellForward(B: number, H: number, xg: number, hg: number, bhn: number, hPrev: number, h: number): void {
    gruCellForward(this.f32, B, H, xg, hg, bhn, hPrev, h);
  }

  gruCellBackward(B: number, H: number, xg: number, hg: number, hPrev: number, dh: number, dxg: number, dhg: number, dhPrev: number): void {
    gruCellBackward(this.f32, B, H, xg, hg, hPrev, dh, dxg, dhg, dhPrev);
  }

  rnnCellForward(n: number, relu: boolean, pre: number, h: number): void {
    rnnCellForward(this.f32, n, relu, pre, h);
  }

  rnnCellBackward(n: number, relu: boolean, h: number, dh: number, dPre: number): void {
    rnnCellBackward(this.f32, n, relu, h, dh, dPre);
  }

  lstmForwardSteps(s: LSTMSequence): void {
    steps.lstmForwardSteps(this, s);
  }

  lstmBackwardSteps(s: LSTMSequence, dOut: number): void {
    steps.lstmBackwardSteps(this, s, dOut);
  }

  gruForwardSteps(s: GRUSequence): void {
    steps.gruForwardSteps(this, s);
  }

  gruBackwardSteps(s: GRUSequence, dOut: number): void {
    steps.gruBackwardSteps(this, s, dOut);
  }

  rnnForwardSteps(s: RNNSequence): void {
    steps.rnnForwardSteps(this, s);
  }

  rnnBackwardSteps(s: RNNSequence, dOut: number): void {
    steps.rnnBackwardSteps(this, s, dOut);
  }
}

export function createRefBackend(): Backend {
  return new RefBackend();
}

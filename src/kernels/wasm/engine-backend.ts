// The fused engine's Backend on WebAssembly: its heap is one region of the module's linear memory, offsets are
// floats from the region's start, and every kernel call turns them into byte pointers. Shares the instance (and
// memory) with the wasm gemm kernels. Shapes: as in src/kernels/backend.ts.
import type { Storage, Tensor } from '../../core/tensor.js';
import type { Backend, GRUSequence, LSTMSequence, RNNSequence } from '../backend.js';
import * as steps from '../ref/steps.js';
import type { Sequence } from '../ref/steps.js';
import { initWasmSync, type WasmExports, type WasmInstance } from './backend.js';
import { ensureGemmChoice } from './gemm-variants.js';
import { growScratch, regionPool } from './memory-pool.js';
import { placeInWasm, WasmStorage } from './storage.js';
import type { Region } from './regions.js';
import { ensureSplitChoice } from './split-choice.js';
import { stepArgList, type StepArgs, type StepKernel } from './step-kernels.js';
import { threadPool, type ThreadPool } from './threads.js';

class WasmBackend implements Backend {
  readonly name = 'wasm';
  private readonly ex: WasmExports;
  private readonly pool: ThreadPool;
  private region: Region | null = null;
  /** Whether the pool's split threshold has been timed (split-choice.ts: once its workers are up). */
  private splitTimed = false;
  private base = 0;
  private capacity = 0;
  private f32View: Float32Array = new Float32Array(0);
  /** Time loops run so far by each path: whole in wasm (ThreadPool.steps; `split`: on more than one thread), or step by step. */
  readonly loops = { wasm: 0, split: 0, byStep: 0 };
  private i32View: Int32Array = new Int32Array(0);

  constructor(private readonly inst: WasmInstance) {
    this.ex = inst.exports;
    this.pool = threadPool(inst);
  }

  get threads(): number {
    return this.pool.active;
  }

  /** The pool, its split threshold timed the first time its workers are all up. */
  private get threadPool(): ThreadPool {
    if (!this.splitTimed) this.splitTimed = ensureSplitChoice(this.inst, this.pool);
    return this.pool;
  }

  /** Views are rebuilt when memory was replaced (an unshared memory detaches its buffer when it grows). */
  get f32(): Float32Array {
    if (this.f32View.buffer !== this.inst.memory.buffer) this.refresh();
    return this.f32View;
  }

  get i32(): Int32Array {
    if (this.i32View.buffer !== this.inst.memory.buffer) this.refresh();
    return this.i32View;
  }

  private refresh(): void {
    const buffer = this.inst.memory.buffer;
    this.f32View = new Float32Array(buffer, this.base, this.capacity);
    this.i32View = new Int32Array(buffer, this.base, this.capacity);
  }

  reserve(floats: number): void {
    if (floats <= this.capacity) return;
    const regions = regionPool(this.inst);
    // The allocator's last block grows in place to just what is asked, its contents where they are, nothing left
    // behind (a model whose batches keep getting longer would otherwise leave a trail of outgrown regions).
    const grown = this.region === null ? null : regions.extend(this.region, Math.ceil(floats / 16) * 64, this.ex.mark());
    if (grown !== null) return this.claim(grown, null);
    // Otherwise regions grow geometrically; an outgrown one (and this whole backend's, once it is garbage) is reused later.
    const capacity = Math.ceil(Math.max(floats, this.capacity * 1.5) / 16) * 16; // whole 64-byte blocks
    const old = this.capacity > 0 ? this.f32.slice() : null;
    if (this.region !== null) regions.give(this.region);
    this.claim(regions.take(capacity * 4), old);
  }

  /** Makes `region` this backend's heap: zeroed (a reused region holds a dropped model's numbers), then `old` copied in. */
  private claim(region: Region, old: Float32Array | null): void {
    const regions = regionPool(this.inst);
    const grownFrom = this.region?.base === region.base ? this.capacity : 0;
    regions.forget(this);
    this.region = region;
    regions.watch(this, region);
    this.base = region.base;
    this.capacity = region.bytes >> 2;
    growScratch(this.inst);
    this.refresh();
    this.f32View.fill(0, grownFrom); // kept in place: only the new part; elsewhere, all of it
    if (old !== null) this.f32View.set(old);
  }

  private p(offset: number): number {
    return this.base + offset * 4;
  }

  adopt(tensors: readonly Tensor[], grads: boolean): boolean {
    // An unshared memory (a page that is not cross-origin isolated) detaches every view when it grows, so a
    // `.data` array a user kept would read as empty: there the weights stay in JavaScript arrays and are copied
    // in and out at each update (1-2% of a step), as on the reference backend.
    if (!this.inst.shared) return false;
    placeInWasm(this.inst, tensors, grads);
    return true;
  }

  /** A storage in this instance's memory, as a float offset from this heap's start (negative when below it). */
  offsetOf(storage: Storage | null): number | null {
    if (!(storage instanceof WasmStorage) || storage.inst !== this.inst) return null;
    return (storage.byteOffset - this.base) / 4;
  }

  gemm(m: number, n: number, k: number, a: number, b: number, c: number, transA: boolean, transB: boolean, beta: 0 | 1): void {
    if (m === 0 || n === 0) return;
    this.threadPool.gemm(m, n, k, this.p(a), this.p(b), this.p(c), transA ? 1 : 0, transB ? 1 : 0, beta);
  }

  packedFloats(k: number, n: number): number {
    return this.ex.packedBFloats(k, n);
  }

  packB(k: number, n: number, b: number, transB: boolean, dst: number): void {
    this.ex.packAllB(k, n, this.p(b), transB ? 1 : 0, this.p(dst));
  }

  packGatesB(k: number, n: number, blocks: readonly number[], transB: boolean, dst: number): void {
    if (blocks.length < 1 || blocks.length > 4) throw new Error(`packGatesB: 1 to 4 blocks, got ${blocks.length}`);
    const s = blocks.map((b) => this.p(b));
    this.ex.packGatesB(k, n, transB ? 1 : 0, blocks.length, s[0]!, s[1] ?? 0, s[2] ?? 0, s[3] ?? 0, this.p(dst));
  }

  gemmPacked(m: number, n: number, k: number, a: number, packed: number, c: number, transA: boolean, beta: 0 | 1): void {
    if (m === 0 || n === 0) return;
    this.threadPool.gemmPacked(m, n, k, this.p(a), this.p(packed), this.p(c), transA ? 1 : 0, beta);
  }

  gatherRows(n: number, width: number, table: number, idsAt: number, bias: number, out: number): void {
    this.ex.gatherRows(n, width, this.p(table), this.p(idsAt), bias < 0 ? 0 : this.p(bias), this.p(out));
  }

  scatterAddRows(n: number, width: number, src: number, idsAt: number, table: number): void {
    this.ex.scatterAddRows(n, width, this.p(src), this.p(idsAt), this.p(table));
  }

  fillRows(n: number, width: number, bias: number, out: number): void {
    this.ex.fillRows(n, width, this.p(bias), this.p(out));
  }

  scatterColumns(rows: number, width: number, G: number, src: number, g: number, dst: number): void {
    this.ex.scatterColumns(rows, width, G, this.p(src), g, this.p(dst));
  }

  addColumnSums(n: number, width: number, src: number, out: number): void {
    this.ex.addColumnSums(n, width, this.p(src), this.p(out));
  }

  addInPlace(n: number, x: number, y: number): void {
    this.ex.addInPlace(n, this.p(x), this.p(y));
  }

  flushTiny(n: number, at: number): void {
    this.ex.flushTiny(n, this.p(at));
  }

  gatherColumns(rows: number, width: number, G: number, src: number, g: number, dst: number, beta: 0 | 1): void {
    this.ex.gatherColumns(rows, width, G, this.p(src), g, this.p(dst), beta);
  }

  softmaxCrossEntropy(n: number, classes: number, logits: number, targetsAt: number, weights: number, dLogits: number, scale: number): number {
    return this.ex.softmaxCrossEntropy(n, classes, this.p(logits), this.p(targetsAt), weights < 0 ? 0 : this.p(weights), this.p(dLogits), scale);
  }

  regressionLoss(n: number, kind: number, delta: number, pred: number, target: number, dPred: number, scale: number): number {
    return this.ex.regressionLoss(n, kind, delta, this.p(pred), this.p(target), this.p(dPred), scale);
  }

  lstmCellForward(B: number, H: number, gates: number, cPrev: number, c: number, h: number, tanhC: number): void {
    this.ex.lstmCellForward(B, H, this.p(gates), this.p(cPrev), this.p(c), this.p(h), this.p(tanhC));
  }

  lstmCellBackward(B: number, H: number, gates: number, cPrev: number, tanhC: number, dh: number, dc: number, dGates: number): void {
    this.ex.lstmCellBackward(B, H, this.p(gates), this.p(cPrev), this.p(tanhC), this.p(dh), this.p(dc), this.p(dGates));
  }

  gruCellForward(B: number, H: number, xg: number, hg: number, bhn: number, hPrev: number, h: number): void {
    this.ex.gruCellForward(B, H, this.p(xg), this.p(hg), this.p(bhn), this.p(hPrev), this.p(h));
  }

  gruCellBackward(B: number, H: number, xg: number, hg: number, hPrev: number, dh: number, dxg: number, dhg: number, dhPrev: number): void {
    this.ex.gruCellBackward(B, H, this.p(xg), this.p(hg), this.p(hPrev), this.p(dh), this.p(dxg), this.p(dhg), this.p(dhPrev));
  }

  rnnCellForward(n: number, relu: boolean, pre: number, h: number): void {
    this.ex.rnnCellForward(n, relu ? 1 : 0, this.p(pre), this.p(h));
  }

  rnnCellBackward(n: number, relu: boolean, h: number, dh: number, dPre: number): void {
    this.ex.rnnCellBackward(n, relu ? 1 : 0, this.p(h), this.p(dh), this.p(dPre));
  }

  /**
   * Runs a time loop: in wasm with the batch rows split over the threads (ThreadPool.steps), its arguments named
   * as the kernel's parameters (the Sequence's own fields). With fewer than two rows per thread (generation runs
   * B = 1) rows cannot keep the threads busy: if each step's product (B, H) by (H, G·H) is big enough to split
   * (split-choice.ts), the reference loop `byStep` runs on this backend's kernels with each product split by
   * columns; otherwise the wasm loop runs on as many threads as the rows allow. `loops` counts which path ran.
   */
  private timeLoop<K extends StepKernel>(kernel: K, s: Sequence, gates: number, args: StepArgs<K>, byStep: () => void): void {
    const pool = this.threadPool;
    const threads = pool.active;
    if (threads > 1 && s.B < 2 * threads && s.B * s.H * gates * s.H >= pool.minParallelMacs) {
      this.loops.byStep++;
      return byStep();
    }
    this.loops.wasm++;
    if (pool.steps(kernel, s.B, stepArgList(kernel, args, (offset) => this.p(offset)), this.rowLengths(s)) > 1) this.loops.split++;
  }

  /** Each row's steps when rows differ (active[t] rows take step t), so the threads get equal work; else none. */
  private rowLengths(s: Sequence): Int32Array | undefined {
    if (s.active < 0) return undefined;
    const lengths = new Int32Array(s.B);
    const i32 = this.i32;
    for (let t = 0; t < s.T; t++) for (let b = 0; b < i32[s.active + t]!; b++) lengths[b]!++;
    return lengths;
  }

  lstmForwardSteps(s: LSTMSequence): void {
    this.timeLoop('lstmForwardSteps', s, 4, s, () => steps.lstmForwardSteps(this, s));
  }

  lstmBackwardSteps(s: LSTMSequence, dOut: number): void {
    this.timeLoop('lstmBackwardSteps', s, 4, { ...s, dOut }, () => steps.lstmBackwardSteps(this, s, dOut));
  }

  gruForwardSteps(s: GRUSequence): void {
    this.timeLoop('gruForwardSteps', s, 3, s, () => steps.gruForwardSteps(this, s));
  }

  gruBackwardSteps(s: GRUSequence, dOut: number): void {
    this.timeLoop('gruBackwardSteps', s, 3, { ...s, dOut }, () => steps.gruBackwardSteps(this, s, dOut));
  }

  rnnForwardSteps(s: RNNSequence): void {
    this.timeLoop('rnnForwardSteps', s, 1, s, () => steps.rnnForwardSteps(this, s));
  }

  rnnBackwardSteps(s: RNNSequence, dOut: number): void {
    this.timeLoop('rnnBackwardSteps', s, 1, { ...s, dOut }, () => steps.rnnBackwardSteps(this, s, dOut));
  }
}

/**
 * A fresh engine backend on the shared wasm instance; throws where WebAssembly SIMD is missing. The first one
 * times the sgemm variants (gemm-variants.ts) unless one was set.
 */
export function createWasmBackend(): Backend {
  const inst = initWasmSync();
  ensureGemmChoice(inst);
  return new WasmBackend(inst);
}

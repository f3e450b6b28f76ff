// The fused engine's Backend on WebAssembly: its heap is one region of the module's linear memory, offsets are
// floats from the region's start, and every kernel call turns them into byte pointers. Shares the instance (and
// memory) with the wasm gemm kernels. Shapes: as in src/kernels/backend.ts.
import type { Backend } from '../backend.js';
import { initWasmSync, type WasmInstance } from './backend.js';
import { threadPool, type ThreadPool } from './threads.js';

/** Extra bytes grown up front for sgemm's packing scratch, so no kernel call grows (and detaches) memory later. */
const GEMM_SCRATCH_BYTES = 16 << 20;

export interface WasmEngineExports {
  sgemm(m: number, n: number, k: number, a: number, b: number, c: number, transA: number, transB: number, beta: number): void;
  alloc(bytes: number): number;
  packedBFloats(k: number, n: number): number;
  packAllB(k: number, n: number, b: number, transB: number, dst: number): void;
  mark(): number;
  release(mark: number): void;
  lstmCellForward(B: number, H: number, gates: number, cPrev: number, c: number, h: number, tanhC: number): void;
  lstmCellBackward(B: number, H: number, gates: number, cPrev: number, tanhC: number, dh: number, dc: number, dGates: number): void;
  gruCellForward(B: number, H: number, xg: number, hg: number, hPrev: number, h: number): void;
  gruCellBackward(B: number, H: number, xg: number, hg: number, hPrev: number, dh: number, dxg: number, dhg: number, dhPrev: number): void;
  rnnCellForward(n: number, relu: number, pre: number, h: number): void;
  rnnCellBackward(n: number, relu: number, h: number, dh: number, dPre: number): void;
  gatherRows(n: number, width: number, table: number, ids: number, bias: number, out: number): void;
  scatterAddRows(n: number, width: number, src: number, ids: number, table: number): void;
  fillRows(n: number, width: number, bias: number, out: number): void;
  addColumnSums(n: number, width: number, src: number, out: number): void;
  addInPlace(n: number, x: number, y: number): void;
  gatherColumns(rows: number, width: number, G: number, src: number, g: number, dst: number): void;
  softmaxCrossEntropy(n: number, classes: number, logits: number, targets: number, dLogits: number, scale: number): number;
}

class WasmBackend implements Backend {
  readonly name = 'wasm';
  private readonly ex: WasmEngineExports;
  private readonly pool: ThreadPool;
  private base = 0;
  private capacity = 0;
  private f32View: Float32Array = new Float32Array(0);
  private i32View: Int32Array = new Int32Array(0);

  constructor(private readonly inst: WasmInstance) {
    this.ex = inst.exports as unknown as WasmEngineExports;
    this.pool = threadPool(inst);
  }

  get threads(): number {
    return this.pool.active;
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
    const capacity = Math.max(floats, Math.ceil(this.capacity * 1.5));
    const old = this.capacity > 0 ? this.f32.slice() : null;
    // A new region at the top; an outgrown one stays allocated (regions grow geometrically, so this is bounded).
    this.base = this.ex.alloc(capacity * 4);
    this.capacity = capacity;
    const scratch = this.ex.mark();
    this.ex.alloc(GEMM_SCRATCH_BYTES);
    this.ex.release(scratch);
    this.refresh();
    if (old !== null) this.f32View.set(old);
  }

  private p(offset: number): number {
    return this.base + offset * 4;
  }

  gemm(m: number, n: number, k: number, a: number, b: number, c: number, transA: boolean, transB: boolean, beta: 0 | 1): void {
    if (m === 0 || n === 0) return;
    this.pool.gemm(m, n, k, this.p(a), this.p(b), this.p(c), transA ? 1 : 0, transB ? 1 : 0, beta);
  }

  packedFloats(k: number, n: number): number {
    return this.ex.packedBFloats(k, n);
  }

  packB(k: number, n: number, b: number, transB: boolean, dst: number): void {
    this.ex.packAllB(k, n, this.p(b), transB ? 1 : 0, this.p(dst));
  }

  gemmPacked(m: number, n: number, k: number, a: number, packed: number, c: number, transA: boolean, beta: 0 | 1): void {
    if (m === 0 || n === 0) return;
    this.pool.gemmPacked(m, n, k, this.p(a), this.p(packed), this.p(c), transA ? 1 : 0, beta);
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

  addColumnSums(n: number, width: number, src: number, out: number): void {
    this.ex.addColumnSums(n, width, this.p(src), this.p(out));
  }

  addInPlace(n: number, x: number, y: number): void {
    this.ex.addInPlace(n, this.p(x), this.p(y));
  }

  gatherColumns(rows: number, width: number, G: number, src: number, g: number, dst: number): void {
    this.ex.gatherColumns(rows, width, G, this.p(src), g, this.p(dst));
  }

  softmaxCrossEntropy(n: number, classes: number, logits: number, targetsAt: number, dLogits: number, scale: number): number {
    return this.ex.softmaxCrossEntropy(n, classes, this.p(logits), this.p(targetsAt), this.p(dLogits), scale);
  }

  // Cell kernels split their batch rows over the threads; each pointer's row is G·H or H floats.
  lstmCellForward(B: number, H: number, gates: number, cPrev: number, c: number, h: number, tanhC: number): void {
    const [g, r] = [16 * H, 4 * H];
    this.pool.cells('lstmCellForward', B, H, [gates, cPrev, c, h, tanhC].map((q) => this.p(q)), [g, r, r, r, r]);
  }

  lstmCellBackward(B: number, H: number, gates: number, cPrev: number, tanhC: number, dh: number, dc: number, dGates: number): void {
    const [g, r] = [16 * H, 4 * H];
    this.pool.cells('lstmCellBackward', B, H, [gates, cPrev, tanhC, dh, dc, dGates].map((q) => this.p(q)), [g, r, r, r, r, g]);
  }

  gruCellForward(B: number, H: number, xg: number, hg: number, hPrev: number, h: number): void {
    const [g, r] = [12 * H, 4 * H];
    this.pool.cells('gruCellForward', B, H, [xg, hg, hPrev, h].map((q) => this.p(q)), [g, g, r, r]);
  }

  gruCellBackward(B: number, H: number, xg: number, hg: number, hPrev: number, dh: number, dxg: number, dhg: number, dhPrev: number): void {
    const [g, r] = [12 * H, 4 * H];
    this.pool.cells('gruCellBackward', B, H, [xg, hg, hPrev, dh, dxg, dhg, dhPrev].map((q) => this.p(q)), [g, g, r, r, g, g, r]);
  }

  rnnCellForward(n: number, relu: boolean, pre: number, h: number): void {
    this.ex.rnnCellForward(n, relu ? 1 : 0, this.p(pre), this.p(h));
  }

  rnnCellBackward(n: number, relu: boolean, h: number, dh: number, dPre: number): void {
    this.ex.rnnCellBackward(n, relu ? 1 : 0, this.p(h), this.p(dh), this.p(dPre));
  }
}

/** A fresh engine backend on the shared wasm instance; throws where WebAssembly SIMD is missing. */
export function createWasmBackend(): Backend {
  return new WasmBackend(initWasmSync());
}

// The WebAssembly module's exports, typed once (src/kernels/wasm/assembly/index.ts lists them): pointers are byte
// offsets into linear memory, flags and beta are 0/1. Every TypeScript caller of the module goes through this type.
// Shapes: as in the kernels' own files (gemm: op(A) (M, K), op(B) (K, N), C (M, N); cells: (B, G·H) and (B, H)).

export interface WasmExports {
  // Memory (assembly/memory.ts)
  alloc(bytes: number): number;
  reset(): void;
  mark(): number;
  release(mark: number): void;
  used(): number;
  // Products (assembly/sgemm.ts, gemv.ts)
  sgemm(m: number, n: number, k: number, a: number, b: number, c: number, transA: number, transB: number, beta: number): void;
  sgemmColumns(m: number, n: number, k: number, a: number, b: number, c: number, tA: number, tB: number, beta: number, j0: number, j1: number, scratch: number): void;
  sgemmScratchBytes(width: number, k: number): number;
  packedBFloats(k: number, n: number): number;
  packAllB(k: number, n: number, b: number, transB: number, dst: number): void;
  sgemmPackedColumns(m: number, n: number, k: number, a: number, packed: number, c: number, tA: number, beta: number, j0: number, j1: number, scratch: number): void;
  gemvDot(rows: number, cols: number, mat: number, x: number, y: number, beta: number): void;
  gemvStream(rows: number, cols: number, mat: number, x: number, y: number, beta: number): void;
  // Cells (assembly/cells.ts)
  lstmCellForward(B: number, H: number, gates: number, cPrev: number, c: number, h: number, tanhC: number): void;
  lstmCellBackward(B: number, H: number, gates: number, cPrev: number, tanhC: number, dh: number, dc: number, dGates: number): void;
  gruCellForward(B: number, H: number, xg: number, hg: number, bhn: number, hPrev: number, h: number): void;
  gruCellBackward(B: number, H: number, xg: number, hg: number, hPrev: number, dh: number, dxg: number, dhg: number, dhPrev: number): void;
  rnnCellForward(n: number, relu: number, pre: number, h: number): void;
  rnnCellBackward(n: number, relu: number, h: number, dh: number, dPre: number): void;
  // Rows (assembly/rows.ts)
  gatherRows(n: number, width: number, table: number, ids: number, bias: number, out: number): void;
  scatterAddRows(n: number, width: number, src: number, ids: number, table: number): void;
  fillRows(n: number, width: number, bias: number, out: number): void;
  addColumnSums(n: number, width: number, src: number, out: number): void;
  addInPlace(n: number, x: number, y: number): void;
  gatherColumns(rows: number, width: number, G: number, src: number, g: number, dst: number, beta: number): void;
  softmaxCrossEntropy(n: number, classes: number, logits: number, targets: number, dLogits: number, scale: number): number;
  // Time loops over batch rows [b0, b1) (assembly/steps.ts); their arguments are passed as a list (threads.ts)
  lstmForwardSteps(...args: number[]): void;
  lstmBackwardSteps(...args: number[]): void;
  gruForwardSteps(...args: number[]): void;
  gruBackwardSteps(...args: number[]): void;
  rnnForwardSteps(...args: number[]): void;
  rnnBackwardSteps(...args: number[]): void;
  // Optimizers (assembly/optim.ts)
  sumSquares(n: number, g: number): number;
  scaleInPlace(n: number, g: number, c: number): void;
  sgdUpdate(n: number, p: number, g: number, buf: number, lr: number, mu: number, wd: number, nesterov: number, wScale: number, sScale: number): number;
  adamUpdate(n: number, p: number, g: number, m: number, v: number, stepSize: number, sqrtBc2: number, beta1: number, beta2: number, eps: number, shrink: number, l2: number, wScale: number, sScale: number): number;
  // Benchmarks (assembly/peak.ts)
  simdPeak(iters: number, seed: number): number;
  clockLoop(iters: number, y: number, z: number): number;
}

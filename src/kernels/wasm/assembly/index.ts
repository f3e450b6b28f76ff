// Entry point of the WebAssembly kernel module (compiled by scripts/build-wasm.mjs into bytes.generated.ts).
// Exports: the bump allocator (alloc, reset, mark, release, used), sgemm (dispatching m = 1 / n = 1 to gemv), the gemv
// kernels, and simdPeak/clockLoop for benchmarks. Shapes: op(A) (M, K), op(B) (K, N), C (M, N), f32 row-major.
import { gemvDot, gemvStream } from './gemv';
import { sgemmBlocked } from './sgemm';
export { sgemmColumns, sgemmScratchBytes, packedBFloats, packAllB, packGatesB, sgemmPackedColumns } from './sgemm';
export { gemmTiles, gemmTileShape, gemmRowTiles, gemmRowTilePanels, setGemmTiles, gemmTile, gemmRowTile } from './sgemm';

export { alloc, reset, mark, release, used } from './memory';
export { gemvDot, gemvStream } from './gemv';
export { simdPeak, clockLoop } from './peak';

/** C = op(A) op(B) + beta C (beta 0 or 1); pointers are byte offsets into this module's memory. */
export function sgemm(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, transA: i32, transB: i32, beta: i32): void {
  if (m <= 0 || n <= 0) return;
  if (k > 0 && m == 1) {
    // c (1, N) = a (1, K) op(B); a is contiguous whether or not it is "transposed".
    if (transB != 0) gemvDot(n, k, b, a, c, beta);
    else gemvStream(k, n, b, a, c, beta);
    return;
  }
  if (k > 0 && n == 1) {
    // c (M, 1) = op(A) b; b is contiguous either way.
    if (transA != 0) gemvStream(k, m, a, b, c, beta);
    else gemvDot(m, k, a, b, c, beta);
    return;
  }
  sgemmBlocked(m, n, k, a, b, c, transA, transB, beta);
}
export { lstmCellForward, lstmCellBackward, gruCellForward, gruCellBackward, rnnCellForward, rnnCellBackward } from './cells';
export { gatherRows, scatterAddRows, fillRows, addColumnSums, addInPlace, flushTiny, gatherColumns, scatterColumns } from './rows';
export { softmaxCrossEntropy, regressionLoss } from './losses';
export { lstmForwardSteps, lstmBackwardSteps, gruForwardSteps, gruBackwardSteps, rnnForwardSteps, rnnBackwardSteps } from './steps';
export { sumSquares, scaleInPlace, sgdUpdate, adamUpdate } from './optim';

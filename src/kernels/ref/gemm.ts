// Reference general matrix multiply in plain TypeScript: C = op(A) op(B) + beta C, row-major, where op is the
// identity or the transpose. It is the fallback where WebAssembly SIMD is missing and the yardstick the fast
// kernels are tested against. Shapes: op(A) is (M, K), op(B) is (K, N), C is (M, N).
import type { Data } from '../../core/tensor.js';

export interface GemmArgs {
  m: number;
  n: number;
  k: number;
  a: Data;
  b: Data;
  c: Data;
  /** A is stored (K, M) and read transposed. */
  transA?: boolean;
  /** B is stored (N, K) and read transposed. */
  transB?: boolean;
  /** 0 overwrites C, 1 accumulates into it (backward passes accumulate gradients). */
  beta?: 0 | 1;
}

export function gemm({ m, n, k, a, b, c, transA = false, transB = false, beta = 0 }: GemmArgs): void {
  if (beta === 0) c.fill(0, 0, m * n);
  if (!transB) {
    // i-p-j order: the inner loop walks rows of B and C contiguously.
    for (let i = 0; i < m; i++) {
      const cRow = i * n;
      for (let p = 0; p < k; p++) {
        const aip = transA ? a[p * m + i]! : a[i * k + p]!;
        if (aip === 0) continue; // one-hot inputs are mostly zeros
        const bRow = p * n;
        for (let j = 0; j < n; j++) c[cRow + j]! += aip * b[bRow + j]!;
      }
    }
  } else {
    // B transposed: C[i, j] = sum_p A[i, p] B[j, p], a dot product of two contiguous rows when A is not transposed.
    for (let i = 0; i < m; i++) {
      const cRow = i * n;
      for (let j = 0; j < n; j++) {
        const bRow = j * k;
        let acc = 0;
        if (transA) for (let p = 0; p < k; p++) acc += a[p * m + i]! * b[bRow + p]!;
        else {
          const aRow = i * k;
          for (let p = 0; p < k; p++) acc += a[aRow + p]! * b[bRow + p]!;
        }
        c[cRow + j]! += acc;
      }
    }
  }
}

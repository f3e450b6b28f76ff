// Matrix product and its gradient. Forward C = A B; backward dA += dC Bᵀ, dB += Aᵀ dC.
// Shapes: A (M, K), B (K, N), C (M, N). The arithmetic is the dispatcher's gemm, so fast backends speed up
// every layer that is built from this op.
import { Tensor, allocLike, shapeString } from '../tensor.js';
import { kernels } from '../../kernels/index.js';

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[1] !== b.shape[0]) {
    throw new Error(`matmul: expected (M, K) and (K, N), got ${shapeString(a.shape)} and ${shapeString(b.shape)}`);
  }
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const c = allocLike(m * n, a, b);
  kernels().gemm({ m, n, k, a: a.data, b: b.data, c });
  return Tensor.fromOp(c, [m, n], [a, b], (out) => {
    const dC = out.grad!;
    if (a.requiresGrad) kernels().gemm({ m, n: k, k: n, a: dC, b: b.data, c: a.gradBuffer(), transB: true, beta: 1 });
    if (b.requiresGrad) kernels().gemm({ m: k, n, k: m, a: a.data, b: dC, c: b.gradBuffer(), transA: true, beta: 1 });
  });
}

// Pointwise nonlinearities and their derivatives, written in terms of the forward output where that is cheaper:
// σ'(x) = y(1 - y), tanh'(x) = 1 - y², relu'(x) = [x > 0], exp'(x) = y, log'(x) = 1/x.
// Shapes: any; y has the shape of x.
import { Tensor, allocLike } from '../tensor.js';

function pointwise(x: Tensor, f: (v: number) => number, dydx: (xv: number, yv: number) => number): Tensor {
  const n = x.size;
  const X = x.data;
  const y = allocLike(n, x);
  for (let k = 0; k < n; k++) y[k] = f(X[k]!);
  return Tensor.fromOp(y, x.shape, [x], (out) => {
    const dy = out.grad!;
    const dx = x.gradBuffer();
    // x's values read again, not kept from the forward pass: a tensor in WebAssembly memory hands out a new view
    // when that memory has been replaced in between (core/tensor.ts).
    const Xb = x.data;
    for (let k = 0; k < n; k++) dx[k]! += dy[k]! * dydx(Xb[k]!, y[k]!);
  });
}

export function sigmoid(x: Tensor): Tensor {
  return pointwise(x, (v) => 1 / (1 + Math.exp(-v)), (_, y) => y * (1 - y));
}

export function tanh(x: Tensor): Tensor {
  return pointwise(x, Math.tanh, (_, y) => 1 - y * y);
}

export function relu(x: Tensor): Tensor {
  return pointwise(x, (v) => (v > 0 ? v : 0), (v) => (v > 0 ? 1 : 0));
}

export function exp(x: Tensor): Tensor {
  return pointwise(x, Math.exp, (_, y) => y);
}

export function log(x: Tensor): Tensor {
  return pointwise(x, Math.log, (v) => 1 / v);
}

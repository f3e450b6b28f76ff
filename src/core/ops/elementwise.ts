// Binary arithmetic with NumPy broadcasting, and scaling by a constant. Forward first, then the gradients:
// add: da += dy, db += dy; sub: da += dy, db -= dy; mul: da += dy ⊙ b, db += dy ⊙ a; each summed over the
// dimensions that were broadcast. Shapes: a and b broadcast to y (e.g. (B, H) with (1, H) or (H,) for a bias).
import { Tensor, allocLike, shapeString, sizeOf } from '../tensor.js';

/** The broadcast result shape and, per output element, the element of a and of b it reads. */
interface Broadcast {
  shape: number[];
  /** null when the operand already has the output's shape (index = output index). */
  indexA: Int32Array | null;
  indexB: Int32Array | null;
}

function broadcast(op: string, a: readonly number[], b: readonly number[]): Broadcast {
  const rank = Math.max(a.length, b.length);
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) {
    const da = a[d - rank + a.length] ?? 1;
    const db = b[d - rank + b.length] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${shapeString(a)} and ${shapeString(b)} cannot be broadcast together`);
    }
    shape.push(da === 1 ? db : da);
  }
  return { shape, indexA: sourceIndex(a, shape), indexB: sourceIndex(b, shape) };
}

/** For each element of `out` (row-major), the flat index of the element of `src` broadcast onto it. */
function sourceIndex(src: readonly number[], out: readonly number[]): Int32Array | null {
  const offset = out.length - src.length;
  if (offset === 0 && src.every((d, k) => d === out[k])) return null;
  // Stride of src along each output dimension; 0 where src is broadcast (size 1 or absent).
  const strides = new Array<number>(out.length).fill(0);
  let stride = 1;
  for (let d = src.length - 1; d >= 0; d--) {
    if (src[d] !== 1) strides[d + offset] = stride;
    stride *= src[d]!;
  }
  const index = new Int32Array(sizeOf(out));
  const counter = new Array<number>(out.length).fill(0);
  let at = 0;
  for (let k = 0; k < index.length; k++) {
    index[k] = at;
    for (let d = out.length - 1; d >= 0; d--) {
      counter[d]!++;
      at += strides[d]!;
      if (counter[d]! < out[d]!) break;
      at -= strides[d]! * counter[d]!;
      counter[d] = 0;
    }
  }
  return index;
}

type Kind = 'add' | 'sub' | 'mul';

function binary(kind: Kind, a: Tensor, b: Tensor): Tensor {
  const { shape, indexA, indexB } = broadcast(kind, a.shape, b.shape);
  const n = sizeOf(shape);
  const y = allocLike(n, a, b);
  const A = a.data;
  const B = b.data;
  for (let k = 0; k < n; k++) {
    const x1 = A[indexA === null ? k : indexA[k]!]!;
    const x2 = B[indexB === null ? k : indexB[k]!]!;
    y[k] = kind === 'add' ? x1 + x2 : kind === 'sub' ? x1 - x2 : x1 * x2;
  }
  return Tensor.fromOp(y, shape, [a, b], (out) => {
    const dy = out.grad!;
    // The operands read again, not kept from the forward pass: a tensor in WebAssembly memory hands out a new view
    // when that memory has been replaced in between (core/tensor.ts).
    const Ab = a.data;
    const Bb = b.data;
    if (a.requiresGrad) {
      const da = a.gradBuffer();
      for (let k = 0; k < n; k++) {
        const g = kind === 'mul' ? dy[k]! * Bb[indexB === null ? k : indexB[k]!]! : dy[k]!;
        da[indexA === null ? k : indexA[k]!]! += g;
      }
    }
    if (b.requiresGrad) {
      const db = b.gradBuffer();
      for (let k = 0; k < n; k++) {
        const g = kind === 'mul' ? dy[k]! * Ab[indexA === null ? k : indexA[k]!]! : kind === 'sub' ? -dy[k]! : dy[k]!;
        db[indexB === null ? k : indexB[k]!]! += g;
      }
    }
  });
}

/** a + b (+ more terms), broadcasting. */
export function add(a: Tensor, b: Tensor, ...rest: Tensor[]): Tensor {
  let sum = binary('add', a, b);
  for (const t of rest) sum = binary('add', sum, t);
  return sum;
}

export function sub(a: Tensor, b: Tensor): Tensor {
  return binary('sub', a, b);
}

/** Elementwise (Hadamard) product a ⊙ b, broadcasting. */
export function mul(a: Tensor, b: Tensor): Tensor {
  return binary('mul', a, b);
}

/** y = s·x + t for constants s and t; dx += s·dy. (1 - z in a GRU is scale(z, -1, 1).) */
export function scale(x: Tensor, s: number, t = 0): Tensor {
  const n = x.size;
  const y = allocLike(n, x);
  const X = x.data;
  for (let k = 0; k < n; k++) y[k] = s * X[k]! + t;
  return Tensor.fromOp(y, x.shape, [x], (out) => {
    const dy = out.grad!;
    const dx = x.gradBuffer();
    for (let k = 0; k < n; k++) dx[k]! += s * dy[k]!;
  });
}

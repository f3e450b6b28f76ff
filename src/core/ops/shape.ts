// Ops that move values without arithmetic: reshape, transpose (any permutation), slice, select and indexSelect
// along an axis, concat and stack. Each backward routes dy back to where the value came from: dx[src] += dy[dst].
// Shapes: as each function says; `axis` may be negative (counted from the end).
import { Tensor, allocLike, shapeString, sizeOf } from '../tensor.js';
import { normalizeAxis, splitAtAxis } from './reduce.js';

/** Same values under a new shape; one dimension may be -1 (inferred). The data buffer is shared. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1);
  const free = shape.length - known.length;
  const knownSize = sizeOf(known);
  if (free > 1 || (free === 1 && (knownSize === 0 || x.size % knownSize !== 0)) || (free === 0 && knownSize !== x.size)) {
    throw new Error(`reshape: cannot view ${shapeString(x.shape)} (${x.size} elements) as ${shapeString(shape)}`);
  }
  const resolved = shape.map((d) => (d === -1 ? x.size / knownSize : d));
  return Tensor.fromOp(x.storage ?? x.data, resolved, [x], (out) => {
    const dy = out.grad!;
    const dx = x.gradBuffer();
    for (let k = 0; k < dx.length; k++) dx[k]! += dy[k]!;
  });
}

/** Permutes dimensions: y.shape[d] = x.shape[perm[d]]. With no perm, reverses them (a matrix transpose). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const rank = x.shape.length;
  const p = perm ?? x.shape.map((_, d) => rank - 1 - d);
  if (p.length !== rank || [...p].sort((u, v) => u - v).some((v, k) => v !== k)) {
    throw new Error(`transpose: [${p.join(', ')}] is not a permutation of the ${rank} dimensions of ${shapeString(x.shape)}`);
  }
  const shape = p.map((d) => x.shape[d]!);
  // Stride in x of each output dimension, then walk y in order with a counter.
  const xStrides = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    xStrides[d] = s;
    s *= x.shape[d]!;
  }
  const stride = p.map((d) => xStrides[d]!);
  const n = x.size;
  const source = new Int32Array(n);
  const counter = new Array<number>(rank).fill(0);
  for (let k = 0, at = 0; k < n; k++) {
    source[k] = at;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]!++;
      at += stride[d]!;
      if (counter[d]! < shape[d]!) break;
      at -= stride[d]! * counter[d]!;
      counter[d] = 0;
    }
  }
  const X = x.data;
  const y = allocLike(n, x);
  for (let k = 0; k < n; k++) y[k] = X[source[k]!]!;
  return Tensor.fromOp(y, shape, [x], (out) => {
    const dy = out.grad!;
    const dx = x.gradBuffer();
    for (let k = 0; k < n; k++) dx[source[k]!]! += dy[k]!;
  });
}

/** Elements start..end-1 along `axis`. */
export function slice(x: Tensor, axis: number, start: number, end: number): Tensor {
  const a = normalizeAxis('slice', axis, x.shape.length);
  const [outer, n, inner] = splitAtAxis(x.shape, a);
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start > end) {
    throw new Error(`slice: range [${start}, ${end}) does not fit axis ${axis} of size ${n} in ${shapeString(x.shape)}`);
  }
  const m = end - start;
  const shape = x.shape.map((d, k) => (k === a ? m : d));
  const X = x.data;
  const y = allocLike(outer * m * inner, x);
  for (let o = 0; o < outer; o++) y.set(X.subarray((o * n + start) * inner, (o * n + end) * inner), o * m * inner);
  return Tensor.fromOp(y, shape, [x], (out) => {
    const dy = out.grad!;
    const dx = x.gradBuffer();
    for (let o = 0; o < outer; o++) {
      const from = o * m * inner;
      const to = (o * n + start) * inner;
      for (let k = 0; k < m * inner; k++) dx[to + k]! += dy[from + k]!;
    }
  });
}

/** The slice at `index` along `axis`, with that axis removed: x[t] of a (T, B, I) tensor is (B, I). */
export function select(x: Tensor, axis: number, index: number): Tensor {
  const a = normalizeAxis('select', axis, x.shape.length);
  return reshape(slice(x, a, index, index + 1), x.shape.filter((_, k) => k !== a));
}

/** Joins tensors along an existing axis; all other dimensions must agree. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  const first = xs[0]!;
  const a = normalizeAxis('concat', axis, first.shape.length);
  for (const x of xs) {
    if (x.shape.length !== first.shape.length || x.shape.some((d, k) => k !== a && d !== first.shape[k])) {
      throw new Error(`concat: shapes ${shapeString(first.shape)} and ${shapeString(x.shape)} differ outside axis ${axis}`);
    }
  }
  const [outer, , inner] = splitAtAxis(first.shape, a);
  const total = xs.reduce((s, x) => s + x.shape[a]!, 0);
  const shape = first.shape.map((d, k) => (k === a ? total : d));
  // No spread of xs into a call: stacking 100K time steps would overflow the call stack.
  const y = xs.some((x) => x.data instanceof Float64Array) ? new Float64Array(outer * total * inner) : new Float32Array(outer * total * inner);
  let offset = 0;
  const offsets: number[] = [];
  for (const x of xs) {
    const m = x.shape[a]!;
    for (let o = 0; o < outer; o++) y.set(x.data.subarray(o * m * inner, (o + 1) * m * inner), (o * total + offset) * inner);
    offsets.push(offset);
    offset += m;
  }
  return Tensor.fromOp(y, shape, xs, (out) => {
    const dy = out.grad!;
    xs.forEach((x, j) => {
      if (!x.requiresGrad) return;
      const m = x.shape[a]!;
      const dx = x.gradBuffer();
      for (let o = 0; o < outer; o++) {
        const from = (o * total + offsets[j]!) * inner;
        for (let k = 0; k < m * inner; k++) dx[o * m * inner + k]! += dy[from + k]!;
      }
    });
  });
}

/** Joins equally shaped tensors along a new axis: T tensors (B, H) stacked on axis 0 give (T, B, H). */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('stack: needs at least one tensor');
  const shape = xs[0]!.shape;
  const a = normalizeAxis('stack', axis, shape.length + 1);
  for (const x of xs) {
    if (x.shape.length !== shape.length || x.shape.some((d, k) => d !== shape[k])) {
      throw new Error(`stack: shapes ${shapeString(shape)} and ${shapeString(x.shape)} must be equal`);
    }
  }
  const expanded = [...shape.slice(0, a), 1, ...shape.slice(a)];
  return concat(
    xs.map((x) => reshape(x, expanded)),
    a,
  );
}

/** The entries at `indices` along `axis`, in that order (torch.index_select); backward scatters dy back (+=). */
export function indexSelect(x: Tensor, axis: number, indices: ArrayLike<number>): Tensor {
  const a = normalizeAxis('indexSelect', axis, x.shape.length);
  const [outer, n, inner] = splitAtAxis(x.shape, a);
  const m = indices.length;
  for (let k = 0; k < m; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`indexSelect: index ${i} is outside [0, ${n}) on axis ${axis} of ${shapeString(x.shape)}`);
  }
  const shape = x.shape.map((d, k) => (k === a ? m : d));
  const X = x.data;
  const y = allocLike(outer * m * inner, x);
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < m; k++) y.set(X.subarray((o * n + indices[k]!) * inner, (o * n + indices[k]! + 1) * inner), (o * m + k) * inner);
  return Tensor.fromOp(y, shape, [x], (out) => {
    const dy = out.grad!;
    const dx = x.gradBuffer();
    for (let o = 0; o < outer; o++)
      for (let k = 0; k < m; k++) {
        const from = (o * m + k) * inner;
        const to = (o * n + indices[k]!) * inner;
        for (let j = 0; j < inner; j++) dx[to + j]! += dy[from + j]!;
      }
  });
}

// Every op in src/core/ops: "<op>" checks the forward pass against hand-computed or independently computed
// values, "<op> gradient" checks backward() against central finite differences with gradcheck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Tensor, sizeOf, type Data } from '../src/core/tensor.js';
import { Random } from '../src/core/random.js';
import { gradcheck, type GradcheckOptions } from '../src/core/gradcheck.js';
import {
  matmul,
  add,
  sub,
  mul,
  scale,
  sigmoid,
  tanh,
  relu,
  exp,
  log,
  sum,
  mean,
  reshape,
  transpose,
  slice,
  select,
  concat,
  stack,
  oneHot,
  embedding,
  logSoftmax,
  crossEntropy,
  dropout,
} from '../src/core/ops/index.js';
import { gemm } from '../src/kernels/ref/gemm.js';
import { readSafetensors } from '../src/io/safetensors.js';
import { randn } from './helpers/random-tensor.js';

// ---------------------------------------------------------------------------------------------------------------
// helpers

function t(data: readonly number[], shape: readonly number[], requiresGrad = false): Tensor {
  return new Tensor(data, shape, { requiresGrad });
}


/** Values whose magnitude is at least `gap`, so relu's kink at 0 is never within a finite-difference step. */
function awayFromZero(shape: readonly number[], seed: number, gap = 0.1): Tensor {
  const r = new Random(seed);
  return new Tensor(
    Float32Array.from({ length: sizeOf(shape) }, () => (r.next() < 0.5 ? -1 : 1) * (gap + 2 * r.next())),
    shape,
  );
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs expected ${expected.length}`);
  for (let k = 0; k < expected.length; k++) {
    const a = actual[k]!;
    const e = expected[k]!;
    assert.ok(Math.abs(a - e) <= tol * (1 + Math.abs(e)), `${what}[${k}]: got ${a}, expected ${e}`);
  }
}

function assertShape(x: Tensor, shape: readonly number[]): void {
  assert.deepEqual([...x.shape], [...shape]);
}

/** gradcheck must pass and must have compared every element of every input. */
function check(fn: () => Tensor, inputs: readonly Tensor[], options?: GradcheckOptions): void {
  const r = gradcheck(fn, inputs, options);
  assert.ok(r.ok, r.failure);
  assert.equal(r.checked, inputs.reduce((s, x) => s + x.size, 0));
}

/** Plain triple-loop matrix product, independent of the gemm kernel. */
function naiveMatmul(a: Data, b: Data, m: number, k: number, n: number): number[] {
  const c = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) c[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return c;
}

// ---------------------------------------------------------------------------------------------------------------
// matmul

test('matmul', () => {
  const a = t([1, 2, 3, 4, 5, 6], [3, 2]);
  const b = t([1, 0, -1, 2, 1, 0], [2, 3]);
  const c = matmul(a, b);
  assertShape(c, [3, 3]);
  assert.deepEqual([...c.data], [5, 2, -1, 11, 4, -3, 17, 6, -5]);

  const x = randn([4, 5], 1);
  const w = randn([5, 3], 2);
  assertClose(matmul(x, w).data, naiveMatmul(x.data, w.data, 4, 5, 3), 1e-6);
  // (1, K) x (K, 1) is a dot product.
  assert.equal(matmul(t([1, 2, 3], [1, 3]), t([4, 5, 6], [3, 1])).item(), 32);
});

test('matmul gradient', () => {
  const a = randn([3, 4], 3);
  const b = randn([4, 2], 4);
  check(() => matmul(a, b), [a]); // only A requires grad
  check(() => matmul(a, b), [b]); // only B requires grad
  check(() => matmul(a, b), [a, b]); // both
  // the same square matrix on both sides: d(S S) reaches S through both operands
  const s = randn([3, 3], 5);
  check(() => matmul(s, s), [s]);
  // a grad that already holds another path's contribution must be added to, not overwritten (beta = 1)
  const w = randn([3, 3], 19);
  check(() => add(matmul(s, w), s), [s, w]);
  check(() => add(matmul(w, s), s), [s, w]);
});

test('matmul gradient: an operand without requiresGrad gets no grad', () => {
  const a = new Tensor(randn([2, 3], 6).data, [2, 3], { requiresGrad: true });
  const b = randn([3, 2], 7);
  sum(matmul(a, b)).backward();
  assert.equal(b.grad, null);
  // d(sum(AB))/dA[i, p] = sum_j B[p, j]
  const expected: number[] = [];
  for (let i = 0; i < 2; i++) for (let p = 0; p < 3; p++) expected.push(b.data[p * 2]! + b.data[p * 2 + 1]!);
  assertClose(a.grad!, expected, 1e-6);
});

test('gemm kernel: every transpose combination and beta = 1 accumulation', () => {
  const m = 3;
  const k = 4;
  const n = 2;
  const A = randn([m, k], 8).data;
  const B = randn([k, n], 9).data;
  const expected = naiveMatmul(A, B, m, k, n);
  const At = transpose(new Tensor(A, [m, k])).data; // (k, m)
  const Bt = transpose(new Tensor(B, [k, n])).data; // (n, k)
  for (const [transA, transB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    const c = new Float64Array(m * n).fill(123); // beta 0 must overwrite this
    gemm({ m, n, k, a: transA ? At : A, b: transB ? Bt : B, c, transA, transB });
    assertClose(c, expected, 1e-6, `transA=${transA} transB=${transB}`);
    gemm({ m, n, k, a: transA ? At : A, b: transB ? Bt : B, c, transA, transB, beta: 1 });
    assertClose(
      c,
      expected.map((v) => 2 * v),
      1e-6,
      `beta=1 transA=${transA} transB=${transB}`,
    );
  }
});

// ---------------------------------------------------------------------------------------------------------------
// add, sub, mul, scale

test('add', () => {
  // same shapes
  assert.deepEqual([...add(t([1, 2, 3], [3]), t([10, 20, 30], [3])).data], [11, 22, 33]);
  // (B, H) + (1, H)
  const x = t([1, 2, 3, 4, 5, 6], [2, 3]);
  const y1 = add(x, t([10, 20, 30], [1, 3]));
  assertShape(y1, [2, 3]);
  assert.deepEqual([...y1.data], [11, 22, 33, 14, 25, 36]);
  // (B, H) + (H,)
  const y2 = add(x, t([10, 20, 30], [3]));
  assertShape(y2, [2, 3]);
  assert.deepEqual([...y2.data], [11, 22, 33, 14, 25, 36]);
  // (H,) + (B, H): the broadcast side may be either operand
  assert.deepEqual([...add(t([10, 20, 30], [3]), x).data], [11, 22, 33, 14, 25, 36]);
  // (B, 1) + (B, H)
  assert.deepEqual([...add(t([100, 200], [2, 1]), x).data], [101, 102, 103, 204, 205, 206]);
  // (3, 1) + (1, 4): outer sum
  const outer = add(t([0, 10, 20], [3, 1]), t([1, 2, 3, 4], [1, 4]));
  assertShape(outer, [3, 4]);
  assert.deepEqual([...outer.data], [1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24]);
  // scalar-shaped () + (2, 3) and (2, 3) + ()
  const s = Tensor.scalar(0.5);
  assertShape(add(s, x), [2, 3]);
  assert.deepEqual([...add(s, x).data], [1.5, 2.5, 3.5, 4.5, 5.5, 6.5]);
  assert.deepEqual([...add(x, s).data], [1.5, 2.5, 3.5, 4.5, 5.5, 6.5]);
  // () + () stays a scalar
  assertShape(add(Tensor.scalar(1), Tensor.scalar(2)), []);
  assert.equal(add(Tensor.scalar(1), Tensor.scalar(2)).item(), 3);
  // 3-D (2, 1, 3) + (4, 1): result (2, 4, 3)
  const a3 = t([1, 2, 3, 4, 5, 6], [2, 1, 3]);
  const b3 = t([0, 10, 20, 30], [4, 1]);
  const y3 = add(a3, b3);
  assertShape(y3, [2, 4, 3]);
  const expected3: number[] = [];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) expected3.push(a3.data[i * 3 + k]! + b3.data[j]!);
  assert.deepEqual([...y3.data], expected3);
  // more than two terms
  assert.deepEqual([...add(t([1], [1]), t([2], [1]), t([3], [1]), t([4], [1])).data], [10]);
});

test('add gradient', () => {
  const x = randn([4, 3], 10);
  const y = randn([4, 3], 11);
  check(() => add(x, y), [x, y]);
  const row = randn([1, 3], 12);
  check(() => add(x, row), [x, row]); // (B, H) + (1, H)
  const bias = randn([3], 13);
  check(() => add(x, bias), [x, bias]); // (B, H) + (H,)
  check(() => add(bias, x), [bias, x]);
  const col = randn([3, 1], 14);
  const r4 = randn([1, 4], 15);
  check(() => add(col, r4), [col, r4]); // (3, 1) + (1, 4)
  const s = randn([], 16);
  check(() => add(x, s), [x, s]); // scalar-shaped
  check(() => add(s, s), [s]); // same tensor twice
  const a3 = randn([2, 1, 3], 17);
  const b3 = randn([4, 1], 18);
  check(() => add(a3, b3), [a3, b3]);
  check(() => add(x, y, bias, row), [x, y, bias, row]);
});

test('add gradient: a broadcast bias receives the sum over the batch', () => {
  const x = t([1, 2, 3, 4, 5, 6], [2, 3], true);
  const b = t([0, 0, 0], [3], true);
  sum(mul(add(x, b), t([1, 2, 3, 4, 5, 6], [2, 3]))).backward();
  assert.deepEqual([...b.grad!], [5, 7, 9]);
  assert.deepEqual([...x.grad!], [1, 2, 3, 4, 5, 6]);
});

test('sub', () => {
  const x = t([1, 2, 3, 4, 5, 6], [2, 3]);
  assert.deepEqual([...sub(x, t([6, 5, 4, 3, 2, 1], [2, 3])).data], [-5, -3, -1, 1, 3, 5]);
  assert.deepEqual([...sub(x, t([1, 2, 3], [3])).data], [0, 0, 0, 3, 3, 3]);
  assert.deepEqual([...sub(t([1, 2, 3], [1, 3]), x).data], [0, 0, 0, -3, -3, -3]);
  const outer = sub(t([0, 10, 20], [3, 1]), t([1, 2, 3, 4], [1, 4]));
  assert.deepEqual([...outer.data], [-1, -2, -3, -4, 9, 8, 7, 6, 19, 18, 17, 16]);
  assert.deepEqual([...sub(Tensor.scalar(1), x).data], [0, -1, -2, -3, -4, -5]);
});

test('sub gradient', () => {
  const x = randn([4, 3], 20);
  const y = randn([4, 3], 21);
  check(() => sub(x, y), [x, y]);
  const row = randn([1, 3], 22);
  check(() => sub(x, row), [x, row]);
  check(() => sub(row, x), [row, x]);
  const bias = randn([3], 23);
  check(() => sub(x, bias), [x, bias]);
  const col = randn([3, 1], 24);
  const r4 = randn([1, 4], 25);
  check(() => sub(col, r4), [col, r4]);
  const s = randn([], 26);
  check(() => sub(s, x), [s, x]);
  // x - x is identically zero, so its gradient is zero
  const z = t([1, 2, 3], [3], true);
  sum(sub(z, z)).backward();
  assert.deepEqual([...z.grad!], [0, 0, 0]);
});

test('mul', () => {
  const x = t([1, 2, 3, 4, 5, 6], [2, 3]);
  assert.deepEqual([...mul(x, x).data], [1, 4, 9, 16, 25, 36]);
  assert.deepEqual([...mul(x, t([1, 0, -1], [1, 3])).data], [1, 0, -3, 4, 0, -6]);
  assert.deepEqual([...mul(x, t([2, 3, 4], [3])).data], [2, 6, 12, 8, 15, 24]);
  // (3, 1) * (1, 4): outer product
  const outer = mul(t([1, 2, 3], [3, 1]), t([1, 10, 100, 1000], [1, 4]));
  assertShape(outer, [3, 4]);
  assert.deepEqual([...outer.data], [1, 10, 100, 1000, 2, 20, 200, 2000, 3, 30, 300, 3000]);
  assert.deepEqual([...mul(Tensor.scalar(-2), x).data], [-2, -4, -6, -8, -10, -12]);
});

test('mul gradient', () => {
  const x = randn([4, 3], 30);
  const y = randn([4, 3], 31);
  check(() => mul(x, y), [x, y]);
  check(() => mul(x, x), [x]); // d(x²) = 2x through both operands
  const row = randn([1, 3], 32);
  check(() => mul(x, row), [x, row]);
  const bias = randn([3], 33);
  check(() => mul(bias, x), [bias, x]);
  const col = randn([3, 1], 34);
  const r4 = randn([1, 4], 35);
  check(() => mul(col, r4), [col, r4]); // (3, 1) * (1, 4)
  const s = randn([], 36);
  check(() => mul(x, s), [x, s]);
  check(() => mul(x, y), [y]); // one operand only
});

test('scale', () => {
  const x = t([1, -2, 3], [3]);
  assert.deepEqual([...scale(x, 2).data], [2, -4, 6]);
  assert.deepEqual([...scale(x, -1, 1).data], [0, 3, -2]); // 1 - x
  assertShape(scale(t([1, 2, 3, 4], [2, 2]), 3), [2, 2]);
});

test('scale gradient', () => {
  const x = randn([2, 5], 40);
  check(() => scale(x, 2.5), [x]);
  check(() => scale(x, -1, 1), [x]);
  const z = t([1, 2], [2], true);
  sum(scale(z, -3, 7)).backward();
  assert.deepEqual([...z.grad!], [-3, -3]);
});

// ---------------------------------------------------------------------------------------------------------------
// pointwise nonlinearities

const pointwiseCases = [
  { name: 'sigmoid', op: sigmoid, f: (v: number) => 1 / (1 + Math.exp(-v)) },
  { name: 'tanh', op: tanh, f: Math.tanh },
  { name: 'relu', op: relu, f: (v: number) => Math.max(v, 0) },
  { name: 'exp', op: exp, f: Math.exp },
] as const;

for (const { name, op, f } of pointwiseCases) {
  test(name, () => {
    const values = [-3, -1.5, -0.25, 0.4, 1, 2.5];
    const y = op(t(values, [2, 3]));
    assertShape(y, [2, 3]);
    assertClose(y.data, values.map(f), 1e-6);
  });
  test(`${name} gradient`, () => {
    const x = awayFromZero([3, 4], 50);
    check(() => op(x), [x]);
  });
}

test('sigmoid: saturates without NaN', () => {
  const y = sigmoid(t([-1000, 0, 1000], [3]));
  assert.deepEqual([...y.data], [0, 0.5, 1]);
});

test('relu: hand values and the gradient mask', () => {
  const x = t([-2, -0.5, 0.3, 1.5], [4], true);
  const y = relu(x);
  assert.deepEqual([...y.data], [0, 0, Math.fround(0.3), 1.5]);
  sum(mul(y, t([1, 2, 3, 4], [4]))).backward();
  assert.deepEqual([...x.grad!], [0, 0, 3, 4]);
});

test('log', () => {
  const values = [0.1, 0.5, 1, 2, Math.E, 10];
  assertClose(log(t(values, [6])).data, values.map(Math.log), 1e-6);
  assert.equal(log(t([1], [1])).data[0], 0);
});

test('log gradient', () => {
  const r = new Random(60);
  const x = new Tensor(Float32Array.from({ length: 8 }, () => 0.2 + 3 * r.next()), [2, 4]);
  check(() => log(x), [x]);
  check(() => log(exp(x)), [x]);
});

// ---------------------------------------------------------------------------------------------------------------
// reductions

/** x of shape (2, 3, 4) holding 0..23, so every sum below can be done by hand. */
function iota(shape: readonly number[]): Tensor {
  return new Tensor(Float32Array.from({ length: sizeOf(shape) }, (_, k) => k), shape);
}

test('sum', () => {
  const x = iota([2, 3, 4]);
  const all = sum(x);
  assertShape(all, []);
  assert.equal(all.item(), 276); // 0 + 1 + ... + 23
  assertShape(sum(x, undefined, true), [1, 1, 1]);
  assert.equal(sum(x, undefined, true).item(), 276);

  const s0 = sum(x, 0);
  assertShape(s0, [3, 4]);
  assert.deepEqual([...s0.data], Array.from({ length: 12 }, (_, k) => k + (k + 12)));
  const s1 = sum(x, 1);
  assertShape(s1, [2, 4]);
  // s1[i, k] = sum_j (12 i + 4 j + k) = 36 i + 12 + 3 k
  assert.deepEqual([...s1.data], [12, 15, 18, 21, 48, 51, 54, 57]);
  const s2 = sum(x, -1);
  assertShape(s2, [2, 3]);
  // s2[i, j] = sum_k (12 i + 4 j + k) = 48 i + 16 j + 6
  assert.deepEqual([...s2.data], [6, 22, 38, 54, 70, 86]);
  const keep = sum(x, 1, true);
  assertShape(keep, [2, 1, 4]);
  assert.deepEqual([...keep.data], [12, 15, 18, 21, 48, 51, 54, 57]);
});

test('sum gradient', () => {
  const x = randn([2, 3, 4], 70);
  check(() => sum(x), [x]);
  check(() => sum(x, 0), [x]);
  check(() => sum(x, 1), [x]);
  check(() => sum(x, -1, true), [x]);
  check(() => sum(x, undefined, true), [x]);
  const z = t([1, 2, 3, 4, 5, 6], [2, 3], true);
  sum(mul(sum(z, 1, true), t([10, 20], [2, 1]))).backward();
  assert.deepEqual([...z.grad!], [10, 10, 10, 20, 20, 20]);
});

test('mean', () => {
  const x = iota([2, 3, 4]);
  assertShape(mean(x), []);
  assert.equal(mean(x).item(), 11.5);
  assertShape(mean(x, undefined, true), [1, 1, 1]);
  const m1 = mean(x, 1);
  assertShape(m1, [2, 4]);
  assertClose(m1.data, [4, 5, 6, 7, 16, 17, 18, 19]);
  const m2 = mean(x, 2, true);
  assertShape(m2, [2, 3, 1]);
  assertClose(m2.data, [1.5, 5.5, 9.5, 13.5, 17.5, 21.5]);
  const m0 = mean(x, -3);
  assertShape(m0, [3, 4]);
  assertClose(m0.data, Array.from({ length: 12 }, (_, k) => k + 6));
});

test('mean gradient', () => {
  const x = randn([2, 3, 4], 80);
  check(() => mean(x), [x]);
  check(() => mean(x, 0), [x]);
  check(() => mean(x, 1, true), [x]);
  check(() => mean(x, -1), [x]);
  const z = t([1, 2, 3, 4], [4], true);
  mean(z).backward();
  assert.deepEqual([...z.grad!], [0.25, 0.25, 0.25, 0.25]);
});

test('reduce errors: axis out of range names the axis and rank', () => {
  assert.throws(() => sum(iota([2, 3]), 2), /sum: axis 2 .*rank 2/);
  assert.throws(() => mean(iota([2, 3]), -3), /mean: axis -3 .*rank 2/);
});

// ---------------------------------------------------------------------------------------------------------------
// shape ops

test('reshape', () => {
  const x = iota([2, 3]);
  const y = reshape(x, [3, 2]);
  assertShape(y, [3, 2]);
  assert.deepEqual([...y.data], [0, 1, 2, 3, 4, 5]);
  assertShape(reshape(x, [-1, 2]), [3, 2]);
  assertShape(reshape(x, [-1]), [6]);
  assertShape(reshape(x, [1, -1, 3]), [1, 2, 3]);
  assertShape(reshape(x, [6, 1]), [6, 1]);
  assertShape(reshape(Tensor.scalar(4), [1, 1]), [1, 1]);
  assertShape(reshape(t([4], [1]), []), []);
});

test('reshape gradient', () => {
  const x = randn([2, 6], 90);
  check(() => reshape(x, [3, 4]), [x]);
  check(() => reshape(x, [-1, 3]), [x]);
  check(() => mul(reshape(x, [4, -1]), reshape(x, [4, 3])), [x]);
});

/** Independent reference: y[idx] = x[permuted idx], written with explicit multi-indices. */
function referenceTranspose(x: Tensor, perm: readonly number[]): number[] {
  const shape = perm.map((d) => x.shape[d]!);
  const out: number[] = [];
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < sizeOf(shape); k++) {
    let rem = k;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rem % shape[d]!;
      rem = Math.floor(rem / shape[d]!);
    }
    const src = new Array<number>(x.shape.length);
    perm.forEach((p, d) => (src[p] = idx[d]!));
    let flat = 0;
    for (let d = 0; d < x.shape.length; d++) flat = flat * x.shape[d]! + src[d]!;
    out.push(x.data[flat]!);
  }
  return out;
}

test('transpose', () => {
  const x = iota([2, 3]);
  const y = transpose(x);
  assertShape(y, [3, 2]);
  assert.deepEqual([...y.data], [0, 3, 1, 4, 2, 5]);
  assert.deepEqual([...transpose(x, [1, 0]).data], [0, 3, 1, 4, 2, 5]);
  assert.deepEqual([...transpose(x, [0, 1]).data], [0, 1, 2, 3, 4, 5]);

  const z = iota([2, 3, 4]);
  const p = transpose(z, [2, 0, 1]);
  assertShape(p, [4, 2, 3]);
  // p[i, j, k] = z[j, k, i]: p[1, 0, 2] = z[0, 2, 1] = 9
  assert.equal(p.data[1 * 6 + 0 * 3 + 2], 9);
  assert.deepEqual([...p.data], referenceTranspose(z, [2, 0, 1]));
  for (const perm of [
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 1, 0],
  ]) {
    const q = transpose(z, perm);
    assertShape(
      q,
      perm.map((d) => z.shape[d]!),
    );
    assert.deepEqual([...q.data], referenceTranspose(z, perm), `perm ${perm}`);
  }
  // default on 3-D reverses the axes
  assert.deepEqual([...transpose(z).data], referenceTranspose(z, [2, 1, 0]));
});

test('transpose gradient', () => {
  const x = randn([3, 5], 100);
  check(() => transpose(x), [x]);
  const z = randn([2, 3, 4], 101);
  check(() => transpose(z, [2, 0, 1]), [z]);
  check(() => transpose(z, [1, 2, 0]), [z]);
  check(() => matmul(transpose(x), x), [x]);
});

test('transpose: a non-permutation is rejected', () => {
  assert.throws(() => transpose(iota([2, 3, 4]), [0, 0, 1]), /transpose: \[0, 0, 1\] .*\(2, 3, 4\)/);
  assert.throws(() => transpose(iota([2, 3]), [1, 0, 2]), /transpose: \[1, 0, 2\] .*\(2, 3\)/);
});

test('slice', () => {
  const x = iota([2, 5]);
  const y = slice(x, 1, 1, 4);
  assertShape(y, [2, 3]);
  assert.deepEqual([...y.data], [1, 2, 3, 6, 7, 8]);
  assert.deepEqual([...slice(x, -1, 3, 5).data], [3, 4, 8, 9]);
  assert.deepEqual([...slice(x, 0, 1, 2).data], [5, 6, 7, 8, 9]);
  assertShape(slice(x, 1, 2, 2), [2, 0]); // empty slice
  const z = iota([2, 3, 4]);
  const m = slice(z, 1, 1, 3);
  assertShape(m, [2, 2, 4]);
  assert.deepEqual([...m.data], [4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23]);
});

test('slice gradient', () => {
  const z = randn([2, 3, 4], 110);
  check(() => slice(z, 1, 1, 3), [z]);
  check(() => slice(z, 0, 0, 1), [z]);
  check(() => slice(z, -1, 2, 4), [z]);
  check(() => add(slice(z, 2, 0, 2), slice(z, 2, 1, 3)), [z]); // overlapping slices accumulate
});

test('select', () => {
  const x = iota([3, 2, 4]); // (T, B, I)
  const y = select(x, 0, 1);
  assertShape(y, [2, 4]);
  assert.deepEqual([...y.data], [8, 9, 10, 11, 12, 13, 14, 15]);
  const b = select(x, 1, 0);
  assertShape(b, [3, 4]);
  assert.deepEqual([...b.data], [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19]);
  const last = select(x, -1, 3);
  assertShape(last, [3, 2]);
  assert.deepEqual([...last.data], [3, 7, 11, 15, 19, 23]);
});

test('select gradient', () => {
  const x = randn([3, 2, 4], 120);
  check(() => select(x, 0, 2), [x]);
  check(() => select(x, 1, 1), [x]);
  check(() => stack([select(x, 0, 0), select(x, 0, 2), select(x, 0, 0)]), [x]);
});

test('concat', () => {
  const a = iota([2, 2]);
  const b = t([10, 11, 12, 13, 14, 15], [2, 3]);
  const c = t([20, 21], [2, 1]);
  const y = concat([a, b, c], 1);
  assertShape(y, [2, 6]);
  assert.deepEqual([...y.data], [0, 1, 10, 11, 12, 20, 2, 3, 13, 14, 15, 21]);
  const v = concat([a, t([7, 8], [1, 2])], 0);
  assertShape(v, [3, 2]);
  assert.deepEqual([...v.data], [0, 1, 2, 3, 7, 8]);
  assert.deepEqual([...concat([a, c], -1).data], [0, 1, 20, 2, 3, 21]);
  assert.deepEqual([...concat([a], 0).data], [0, 1, 2, 3]);
  // 3-D, middle axis
  const z = concat([iota([2, 1, 2]), t([9, 9, 9, 9, 8, 8, 8, 8], [2, 2, 2])], 1);
  assertShape(z, [2, 3, 2]);
  assert.deepEqual([...z.data], [0, 1, 9, 9, 9, 9, 2, 3, 8, 8, 8, 8]);
});

test('concat gradient', () => {
  const a = randn([2, 2], 130);
  const b = randn([2, 3], 131);
  const c = randn([2, 1], 132);
  check(() => concat([a, b, c], 1), [a, b, c]);
  check(() => concat([a, b, c], 1), [b]); // only the middle part requires grad
  const d = randn([1, 2], 133);
  check(() => concat([a, d, a], 0), [a, d]); // the same tensor twice
  const z1 = randn([2, 1, 3], 134);
  const z2 = randn([2, 2, 3], 135);
  check(() => concat([z1, z2], -2), [z1, z2]);
});

test('stack', () => {
  const a = t([1, 2, 3], [3]);
  const b = t([4, 5, 6], [3]);
  const s0 = stack([a, b]);
  assertShape(s0, [2, 3]);
  assert.deepEqual([...s0.data], [1, 2, 3, 4, 5, 6]);
  const s1 = stack([a, b], 1);
  assertShape(s1, [3, 2]);
  assert.deepEqual([...s1.data], [1, 4, 2, 5, 3, 6]);
  assert.deepEqual([...stack([a, b], -1).data], [1, 4, 2, 5, 3, 6]);
  // T tensors (B, H) on axis 0 give (T, B, H); on axis 1, (B, T, H)
  const hs = [iota([2, 2]), scale(iota([2, 2]), 1, 10), scale(iota([2, 2]), 1, 20)];
  const tm = stack(hs, 0);
  assertShape(tm, [3, 2, 2]);
  assert.deepEqual([...tm.data], [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]);
  const bf = stack(hs, 1);
  assertShape(bf, [2, 3, 2]);
  assert.deepEqual([...bf.data], [0, 1, 10, 11, 20, 21, 2, 3, 12, 13, 22, 23]);
});

test('stack gradient', () => {
  const a = randn([2, 3], 140);
  const b = randn([2, 3], 141);
  check(() => stack([a, b]), [a, b]);
  check(() => stack([a, b, a], 1), [a, b]);
  check(() => stack([a, b], 2), [a]);
});

// ---------------------------------------------------------------------------------------------------------------
// lookup

test('oneHot', () => {
  const y = oneHot([2, 0, 3], [3], 4);
  assertShape(y, [3, 4]);
  assert.deepEqual([...y.data], [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
  const z = oneHot(Int32Array.of(1, 1, 0, 2), [2, 2], 3);
  assertShape(z, [2, 2, 3]);
  assert.deepEqual([...z.data], [0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1]);
  assert.equal(y.requiresGrad, false);
});

test('oneHot gradient', () => {
  // oneHot is a constant; a product with it is a row lookup whose gradient flows to the other operand only.
  const ids = [1, 3, 1, 0];
  const w = randn([4, 3], 150);
  const x = oneHot(ids, [4], 4);
  assert.ok(x.isLeaf);
  check(() => matmul(x, w), [w]);
  const w2 = new Tensor(w.data, [4, 3], { requiresGrad: true });
  const w3 = new Tensor(w.data, [4, 3], { requiresGrad: true });
  const dy = randn([4, 3], 151);
  sum(mul(matmul(x, w2), dy)).backward();
  sum(mul(embedding(w3, ids, [4]), dy)).backward();
  assert.equal(x.grad, null);
  assertClose(w2.grad!, w3.grad!, 1e-6, 'oneHot·W vs embedding gradient');
});

test('embedding', () => {
  const w = t([0, 1, 10, 11, 20, 21, 30, 31], [4, 2]);
  const y = embedding(w, [3, 0, 3], [3]);
  assertShape(y, [3, 2]);
  assert.deepEqual([...y.data], [30, 31, 0, 1, 30, 31]);
  const z = embedding(w, Int32Array.of(1, 2, 0, 1), [2, 2]);
  assertShape(z, [2, 2, 2]);
  assert.deepEqual([...z.data], [10, 11, 20, 21, 0, 1, 10, 11]);
  // equal to oneHot(ids) · W
  const ids = [2, 2, 1, 3, 0];
  assert.deepEqual([...embedding(w, ids, [5]).data], [...matmul(oneHot(ids, [5], 4), w).data]);
});

test('embedding gradient', () => {
  const w = randn([5, 3], 160);
  check(() => embedding(w, [4, 1, 4, 4, 0], [5]), [w]); // repeated ids
  check(() => embedding(w, [2, 2, 3, 2], [2, 2]), [w]);
  // The scatter adds up the rows of dy of every position that reads the same id; unused rows get 0.
  const e = new Tensor(w.data, [5, 3], { requiresGrad: true });
  const dy = t([1, 2, 3, 10, 20, 30, 100, 200, 300], [3, 3]);
  sum(mul(embedding(e, [4, 1, 4], [3]), dy)).backward();
  assert.deepEqual([...e.grad!], [0, 0, 0, 10, 20, 30, 0, 0, 0, 0, 0, 0, 101, 202, 303]);
});

// ---------------------------------------------------------------------------------------------------------------
// losses

/** log_softmax along the last axis, computed directly in float64. */
function referenceLogSoftmax(x: ArrayLike<number>, classes: number): number[] {
  const out: number[] = [];
  for (let base = 0; base < x.length; base += classes) {
    let z = 0;
    for (let j = 0; j < classes; j++) z += Math.exp(x[base + j]!);
    for (let j = 0; j < classes; j++) out.push(x[base + j]! - Math.log(z));
  }
  return out;
}

test('logSoftmax', () => {
  // log_softmax([0, 0]) = [-log 2, -log 2]; log_softmax([0, log 3]) = [-log 4, log 3 - log 4]
  const y = logSoftmax(t([0, 0, 0, Math.log(3)], [2, 2]));
  assertClose(y.data, [-Math.LN2, -Math.LN2, -Math.log(4), Math.log(3) - Math.log(4)], 1e-6);
  const x = randn([3, 5], 170);
  const ls = logSoftmax(x);
  assertShape(ls, [3, 5]);
  assertClose(ls.data, referenceLogSoftmax(x.data, 5), 1e-6);
  for (let r = 0; r < 3; r++) {
    let total = 0;
    for (let j = 0; j < 5; j++) total += Math.exp(ls.data[r * 5 + j]!);
    assert.ok(Math.abs(total - 1) < 1e-6, `row ${r} of exp(logSoftmax) sums to ${total}`);
  }
  // shift invariance and no overflow for large logits
  const big = logSoftmax(t([1000, 1001, 1002], [1, 3]));
  assert.ok([...big.data].every(Number.isFinite), `${[...big.data]}`);
  assertClose(big.data, referenceLogSoftmax([0, 1, 2], 3), 1e-6);
  // any leading shape: the last axis is the class axis
  const z = randn([2, 3, 4], 171);
  const lz = logSoftmax(z);
  assertShape(lz, [2, 3, 4]);
  assertClose(lz.data, referenceLogSoftmax(z.data, 4), 1e-6);
});

test('logSoftmax gradient', () => {
  const x = randn([3, 5], 180);
  check(() => logSoftmax(x), [x]);
  const z = randn([2, 3, 4], 181);
  check(() => logSoftmax(z), [z]);
  check(() => logSoftmax(scale(x, 1, 50)), [x]);
});

test('crossEntropy', () => {
  const x = randn([4, 5], 190);
  const targets = [3, 0, 4, 3];
  const logp = referenceLogSoftmax(x.data, 5);
  const nll = targets.map((c, n) => -logp[n * 5 + c]!);
  const total = nll.reduce((s, v) => s + v, 0);
  const meanLoss = crossEntropy(x, targets);
  assertShape(meanLoss, []);
  assertClose([meanLoss.item()], [total / 4], 1e-6, 'mean');
  assertClose([crossEntropy(x, Int32Array.from(targets), { reduction: 'mean' }).item()], [total / 4], 1e-6, 'explicit mean');
  assertClose([crossEntropy(x, targets, { reduction: 'sum' }).item()], [total], 1e-6, 'sum');
  // uniform logits: the loss is log C
  assertClose([crossEntropy(t(new Array<number>(12).fill(0.7), [2, 6]), [5, 1]).item()], [Math.log(6)], 1e-6, 'uniform');
  // the composite of the ops it fuses: -mean_n logSoftmax(x)[n, t_n]
  const picked = targets.map((c, n) => select(select(logSoftmax(x), 0, n), 0, c));
  assertClose([scale(sum(stack(picked)), -1 / 4).item()], [meanLoss.item()], 1e-6, 'composite');
});

test('crossEntropy gradient', () => {
  const x = randn([4, 5], 200);
  const targets = [3, 0, 4, 3];
  check(() => crossEntropy(x, targets), [x]);
  check(() => crossEntropy(x, targets, { reduction: 'sum' }), [x]);
  // closed form: d mean-CE / dx = (softmax(x) - onehot(t)) / N
  const y = new Tensor(x.data, [4, 5], { requiresGrad: true });
  crossEntropy(y, targets).backward();
  const p = referenceLogSoftmax(x.data, 5).map(Math.exp);
  targets.forEach((c, n) => (p[n * 5 + c]! -= 1));
  assertClose(y.grad!, p.map((v) => v / 4), 1e-6);
});

// ---------------------------------------------------------------------------------------------------------------
// dropout

test('dropout', () => {
  const n = 20000;
  const x = new Tensor(Float32Array.from({ length: n }, (_, k) => 1 + (k % 7)), [100, 200]);
  const y = dropout(x, 0.25, new Random(1));
  assertShape(y, [100, 200]);
  let dropped = 0;
  for (let k = 0; k < n; k++) {
    const v = y.data[k]!;
    if (v === 0) dropped++;
    else assert.ok(Math.abs(v - x.data[k]! / 0.75) < 1e-5, `element ${k}: ${v} is neither 0 nor x/(1-p)`);
  }
  assert.ok(Math.abs(dropped / n - 0.25) < 0.02, `dropped fraction ${dropped / n}`);
  // the same seed gives the same mask; another seed a different one
  assert.deepEqual([...dropout(x, 0.25, new Random(1)).data], [...y.data]);
  assert.notDeepEqual([...dropout(x, 0.25, new Random(2)).data], [...y.data]);
  // evaluation and p = 0 are the identity
  assert.equal(dropout(x, 0.25, new Random(1), false), x);
  assert.equal(dropout(x, 0, new Random(1)), x);
  assert.throws(() => dropout(x, 1, new Random(1)), /dropout: probability must be in \[0, 1\), got 1/);
  assert.throws(() => dropout(x, -0.1, new Random(1)), /got -0\.1/);
});

test('dropout gradient', () => {
  const x = randn([4, 6], 210);
  // A fresh generator per call, so every finite-difference evaluation draws the same mask.
  check(() => dropout(x, 0.3, new Random(5)), [x]);
  check(() => dropout(x, 0.7, new Random(6)), [x]);
  // the backward mask is the forward mask: dx = y / x elementwise for dy = 1
  const z = new Tensor(Float32Array.from({ length: 50 }, (_, k) => k + 1), [50], { requiresGrad: true });
  const y = dropout(z, 0.5, new Random(9));
  sum(y).backward();
  for (let k = 0; k < 50; k++) assert.equal(z.grad![k], y.data[k]! / z.data[k]!, `element ${k}`);
});

// ---------------------------------------------------------------------------------------------------------------
// error messages name both shapes / values

test('errors: bad shapes name both sides', () => {
  assert.throws(() => matmul(iota([2, 3]), iota([4, 5])), /matmul: .*\(2, 3\) and \(4, 5\)/);
  assert.throws(() => matmul(iota([2, 3]), iota([3])), /matmul: .*\(2, 3\) and \(3,\)/);
  assert.throws(() => add(iota([2, 3]), iota([2])), /add: shapes \(2, 3\) and \(2,\) cannot be broadcast/);
  assert.throws(() => mul(iota([3, 2]), iota([2, 3])), /mul: shapes \(3, 2\) and \(2, 3\)/);
  assert.throws(() => sub(iota([4]), iota([2, 3])), /sub: shapes \(4,\) and \(2, 3\)/);
  assert.throws(() => reshape(iota([2, 3]), [4, 2]), /reshape: cannot view \(2, 3\) \(6 elements\) as \(4, 2\)/);
  assert.throws(() => reshape(iota([2, 3]), [-1, 4]), /reshape: .*\(2, 3\).*\(-1, 4\)/);
  assert.throws(() => reshape(iota([2, 3]), [-1, -1]), /reshape: .*\(2, 3\).*\(-1, -1\)/);
  assert.throws(() => slice(iota([2, 5]), 1, 3, 6), /slice: range \[3, 6\) .*axis 1 of size 5 in \(2, 5\)/);
  assert.throws(() => slice(iota([2, 5]), 1, 3, 2), /slice: range \[3, 2\)/);
  assert.throws(() => slice(iota([2, 5]), 0, -1, 1), /slice: range \[-1, 1\) .*size 2/);
  assert.throws(() => select(iota([2, 5]), 0, 2), /range \[2, 3\) .*size 2/);
  assert.throws(() => concat([iota([2, 3]), iota([3, 2])], 1), /concat: shapes \(2, 3\) and \(3, 2\) differ outside axis 1/);
  assert.throws(() => concat([iota([2, 3]), iota([2, 3, 1])], 0), /concat: shapes \(2, 3\) and \(2, 3, 1\)/);
  assert.throws(() => stack([iota([2, 3]), iota([3, 2])]), /stack: shapes \(2, 3\) and \(3, 2\)/);
  assert.throws(() => oneHot([1, 5, 2], [3], 4), /oneHot: id 5 at position 1 is outside \[0, 4\)/);
  assert.throws(() => oneHot([1, 2], [3], 4), /oneHot: 2 ids .*\(3,\)/);
  assert.throws(() => embedding(iota([4, 2]), [0, -1], [2]), /embedding: id -1 at position 1 is outside \[0, 4\)/);
  assert.throws(() => embedding(iota([8]), [0], [1]), /embedding: .*\(8,\)/);
  assert.throws(() => crossEntropy(iota([4, 5]), [0, 1, 2]), /crossEntropy: expected 4 targets for logits \(4, 5\), got 3/);
  assert.throws(() => crossEntropy(iota([2, 5]), [0, 5]), /crossEntropy: target 5 at row 1 is outside \[0, 5\)/);
  assert.throws(() => crossEntropy(iota([2, 3, 4]), [0, 1]), /crossEntropy: .*\(2, 3, 4\)/);
});

// ---------------------------------------------------------------------------------------------------------------
// gradcheck itself

/** y = x² with a backward that may be right (2x) or wrong (3x). */
function square(x: Tensor, factor: number): Tensor {
  const X = x.data;
  const y = X instanceof Float64Array ? new Float64Array(X.length) : new Float32Array(X.length);
  for (let k = 0; k < X.length; k++) y[k] = X[k]! * X[k]!;
  return Tensor.fromOp(y, x.shape, [x], (out) => {
    const dy = out.grad!;
    const dx = x.gradBuffer();
    for (let k = 0; k < X.length; k++) dx[k]! += factor * X[k]! * dy[k]!;
  });
}

test('gradcheck catches a wrong gradient', () => {
  const x = randn([2, 3], 220);
  const right = gradcheck(() => square(x, 2), [x]);
  assert.ok(right.ok, right.failure);
  assert.equal(right.checked, 6);
  const wrong = gradcheck(() => square(x, 3), [x]);
  assert.equal(wrong.ok, false);
  assert.match(wrong.failure ?? '', /input 0 .*element \d+: analytic .* vs numeric/);
  assert.ok(wrong.maxError > 1e-3, `maxError ${wrong.maxError}`);
  // a gradient that is missing altogether (backward writes nothing) also fails
  const missing = gradcheck(() => Tensor.fromOp(Float64Array.from(x.data), x.shape, [x], () => {}), [x]);
  assert.equal(missing.ok, false);
  // the inputs are restored afterwards
  assert.equal(x.data instanceof Float32Array, true);
  assert.equal(x.requiresGrad, false);
  assert.equal(x.grad, null);
});

// ---------------------------------------------------------------------------------------------------------------
// PyTorch reference values

const opsFixture = fileURLToPath(new URL('./fixtures/torch/ops.safetensors', import.meta.url));

function assertRelClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let k = 0; k < expected.length; k++) {
    const a = actual[k]!;
    const e = expected[k]!;
    assert.ok(Math.abs(a - e) <= rtol * Math.abs(e) + 1e-9, `${what}[${k}]: got ${a}, PyTorch ${e}`);
  }
}

test('logSoftmax and crossEntropy match PyTorch', { skip: !existsSync(opsFixture) && 'no ops.safetensors fixture' }, async () => {
  const f = await readSafetensors(opsFixture);
  const logits = f['logits']!;
  const targetsT = f['targets']!;
  assertShape(logits, [4, 7]);
  assertShape(targetsT, [4]);
  const targets = Array.from(targetsT.data);
  assertShape(f['ce_loss']!, []);

  // float32 logits, as the library stores them
  assertRelClose(logSoftmax(logits).data, f['log_softmax']!.data, 1e-5, 'log_softmax');
  const x = new Tensor(logits.data, logits.shape, { requiresGrad: true });
  const loss = crossEntropy(x, targets);
  assertRelClose([loss.item()], f['ce_loss']!.data, 1e-5, 'ce_loss');
  loss.backward();
  assertRelClose(x.grad!, f['grad.logits']!.data, 1e-5, 'grad.logits');

  // float64 logits reproduce PyTorch's float64 computation much more closely
  const x64 = new Tensor(Float64Array.from(logits.data), logits.shape, { requiresGrad: true });
  assertRelClose(logSoftmax(x64).data, f['log_softmax']!.data, 1e-12, 'log_softmax f64');
  const loss64 = crossEntropy(x64, targets);
  assertRelClose([loss64.item()], f['ce_loss']!.data, 1e-12, 'ce_loss f64');
  loss64.backward();
  assertRelClose(x64.grad!, f['grad.logits']!.data, 1e-12, 'grad.logits f64');
});

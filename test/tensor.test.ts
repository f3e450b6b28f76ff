// Tensor: construction, the autograd sweep (seeding, accumulation, shared nodes, detach, noGrad, deep graphs,
// release of intermediate grads) and dtype promotion.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Tensor, noGrad, gradEnabled, sizeOf, shapeString, allocLike, assertSameShape } from '../src/core/tensor.js';
import { add, mul, matmul, sum, scale, concat, tanh, sigmoid } from '../src/core/ops/index.js';

function leaf(data: readonly number[], shape: readonly number[]): Tensor {
  return new Tensor(data, shape, { requiresGrad: true });
}

test('constructor: data length must match the shape', () => {
  assert.throws(() => new Tensor([1, 2, 3], [2, 2]), /data has 3 elements but shape \(2, 2\) needs 4/);
  assert.throws(() => new Tensor(new Float64Array(5), [2, 3]), /data has 5 elements but shape \(2, 3\) needs 6/);
  assert.throws(() => new Tensor([1, 2], []), /data has 2 elements but shape \(\) needs 1/);
  assert.throws(() => new Tensor([1, 2], [2, -1]), /shape \(2, -1\) has a dimension that is not a non-negative integer/);
  assert.throws(() => new Tensor([1, 2], [1.5]), /shape \(1\.5,\)/);
  // valid ones
  const s = new Tensor([7], []);
  assert.equal(s.item(), 7);
  assert.equal(new Tensor([], [0, 3]).size, 0);
  assert.equal(new Tensor([1, 2, 3, 4, 5, 6], [2, 3]).size, 6);
});

test('constructor: number arrays become float32, typed arrays are kept', () => {
  const a = new Tensor([1.1, 2, 3], [3]);
  assert.ok(a.data instanceof Float32Array);
  assert.equal(a.dtype, 'float32');
  assert.equal(a.data[0], Math.fround(1.1));
  const buf = Float64Array.of(1, 2);
  const b = new Tensor(buf, [2]);
  assert.equal(b.data, buf);
  assert.equal(b.dtype, 'float64');
  assert.ok(Object.isFrozen(b.shape));
  assert.equal(b.requiresGrad, false);
  assert.ok(b.isLeaf);
  assert.equal(b.grad, null);
});

test('helpers: sizeOf, shapeString, zeros, scalar, item, assertSameShape', () => {
  assert.equal(sizeOf([2, 3, 4]), 24);
  assert.equal(sizeOf([]), 1);
  assert.equal(shapeString([3]), '(3,)');
  assert.equal(shapeString([2, 3]), '(2, 3)');
  assert.equal(shapeString([]), '()');
  const z = Tensor.zeros([2, 2], { dtype: 'float64', requiresGrad: true });
  assert.ok(z.data instanceof Float64Array);
  assert.deepEqual([...z.data], [0, 0, 0, 0]);
  assert.equal(z.requiresGrad, true);
  assert.ok(Tensor.zeros([3]).data instanceof Float32Array);
  assert.equal(Tensor.scalar(2.5).item(), 2.5);
  assert.deepEqual([...Tensor.scalar(2.5).shape], []);
  assert.throws(() => new Tensor([1, 2], [2]).item(), /item\(\): tensor of shape \(2,\) has 2 elements, expected 1/);
  assert.throws(() => assertSameShape('op', [2, 3], [3, 2]), /op: shapes \(2, 3\) and \(3, 2\) must be equal/);
  assert.doesNotThrow(() => assertSameShape('op', [2, 3], [2, 3]));
});

test('backward: a non-scalar without a gradient throws', () => {
  const x = leaf([1, 2, 3, 4, 5, 6], [2, 3]);
  const y = mul(x, x);
  assert.throws(() => y.backward(), /backward\(\): called without a gradient on a tensor of shape \(2, 3\)/);
  assert.throws(() => y.backward(new Float32Array(5)), /gradient has 5 elements, tensor of shape \(2, 3\) has 6/);
  // with an explicit upstream gradient it works: d(x²)·g = 2x·g
  y.backward(Float32Array.of(1, 1, 1, 0, 0, 2));
  assert.deepEqual([...x.grad!], [2, 4, 6, 0, 0, 24]);
});

test('backward: a tensor that does not require grad throws', () => {
  const c = new Tensor([1, 2], [2]);
  assert.throws(() => sum(c).backward(), /does not require grad/);
});

test('backward: a one-element non-scalar (1, 1) can be seeded implicitly', () => {
  const x = leaf([3], [1, 1]);
  matmul(x, x).backward();
  assert.deepEqual([...x.grad!], [6]);
});

test('backward accumulates into leaf grads over two calls', () => {
  const x = leaf([1, 2, 3], [3]);
  const w = leaf([4, 5, 6], [3]);
  const loss = sum(mul(x, w));
  loss.backward();
  assert.deepEqual([...x.grad!], [4, 5, 6]);
  assert.deepEqual([...w.grad!], [1, 2, 3]);
  // the same graph again: leaf grads double
  loss.backward();
  assert.deepEqual([...x.grad!], [8, 10, 12]);
  assert.deepEqual([...w.grad!], [2, 4, 6]);
  // a fresh graph adds once more
  sum(mul(x, w)).backward();
  assert.deepEqual([...x.grad!], [12, 15, 18]);
  // zeroGrad clears
  x.zeroGrad();
  assert.equal(x.grad, null);
  sum(mul(x, w)).backward();
  assert.deepEqual([...x.grad!], [4, 5, 6]);
});

test('a shared subexpression accumulates from every use', () => {
  // y = x*x + x*x with the product node reused: dy/dx = 4x
  const x = leaf([1, -2, 3], [3]);
  const sq = mul(x, x);
  sum(add(sq, sq)).backward();
  assert.deepEqual([...x.grad!], [4, -8, 12]);
  // two separate products give the same
  const x2 = leaf([1, -2, 3], [3]);
  sum(add(mul(x2, x2), mul(x2, x2))).backward();
  assert.deepEqual([...x2.grad!], [4, -8, 12]);
  // a diamond: h = tanh(x); y = h*a + h*b, with h feeding two branches, visited once in the sweep
  const x3 = leaf([0.5], [1]);
  const h = tanh(x3);
  const y = add(scale(h, 2), mul(h, h));
  y.backward();
  const hv = Math.tanh(Math.fround(0.5));
  const expected = (2 + 2 * hv) * (1 - hv * hv);
  assert.ok(Math.abs(x3.grad![0]! - expected) < 1e-6, `${x3.grad![0]} vs ${expected}`);
});

test('each node\'s backward runs once, however many paths reach it', () => {
  let calls = 0;
  const x = leaf([2], [1]);
  // an identity op that counts its backward calls
  const h = Tensor.fromOp(Float32Array.from(x.data), x.shape, [x], (out) => {
    calls++;
    const dx = x.gradBuffer();
    dx[0]! += out.grad![0]!;
  });
  sum(add(add(h, h), mul(h, h))).backward(); // h reached along four edges
  assert.equal(calls, 1);
  assert.deepEqual([...x.grad!], [2 + 2 * 2]);
  // 64 doublings, y = 2^64 x: a sweep that revisited shared nodes would take 2^64 steps
  const z = leaf([1], [1]);
  let y = z;
  for (let k = 0; k < 64; k++) y = add(y, y);
  y.backward();
  assert.equal(z.grad![0], 2 ** 64);
});

test('detach stops gradients', () => {
  const x = leaf([1, 2, 3], [3]);
  const d = x.detach();
  assert.equal(d.requiresGrad, false);
  assert.ok(d.isLeaf);
  assert.equal(d.data, x.data); // same values, no copy
  // y = stop(x) * x: only the second operand carries a gradient, dy/dx = x
  sum(mul(d, x)).backward();
  assert.deepEqual([...x.grad!], [1, 2, 3]);
  assert.equal(d.grad, null);
  // detaching an intermediate (truncated BPTT): nothing before the cut is reached
  const w = leaf([2], [1]);
  const h = sigmoid(mul(w, Tensor.scalar(1)));
  const cut = h.detach();
  const v = leaf([3], [1]);
  sum(mul(cut, v)).backward();
  assert.equal(w.grad, null);
  assert.ok(Math.abs(v.grad![0]! - h.data[0]!) < 1e-7);
});

test('noGrad records no graph', () => {
  const x = leaf([1, 2, 3], [3]);
  assert.equal(gradEnabled(), true);
  const y = noGrad(() => {
    assert.equal(gradEnabled(), false);
    return sum(mul(x, x));
  });
  assert.equal(gradEnabled(), true);
  assert.equal(y.item(), 14);
  assert.equal(y.requiresGrad, false);
  assert.ok(y.isLeaf);
  assert.equal(y.parents.length, 0);
  assert.throws(() => y.backward(), /does not require grad/);
  // nesting, and an exception inside still restores grad mode
  noGrad(() => noGrad(() => assert.equal(gradEnabled(), false)));
  assert.equal(gradEnabled(), true);
  assert.throws(() =>
    noGrad(() => {
      throw new Error('boom');
    }),
  /boom/);
  assert.equal(gradEnabled(), true);
  // and after it, the graph is recorded again
  const z = sum(mul(x, x));
  assert.equal(z.requiresGrad, true);
  assert.equal(z.parents.length, 1);
});

test('float64 promotion: float32 op float64 gives float64', () => {
  const a32 = new Tensor([1, 2, 3, 4], [2, 2]);
  const b64 = new Tensor(Float64Array.of(0.1, 0.2, 0.3, 0.4), [2, 2]);
  for (const [name, y] of [
    ['add', add(a32, b64)],
    ['add reversed', add(b64, a32)],
    ['mul', mul(a32, b64)],
    ['matmul', matmul(a32, b64)],
    ['matmul reversed', matmul(b64, a32)],
    ['concat', concat([a32, b64], 0)],
    ['sum', sum(b64)],
    ['scale', scale(b64, 2)],
  ] as const) {
    assert.equal(y.dtype, 'float64', name);
    assert.ok(y.data instanceof Float64Array, name);
  }
  // float64 keeps the exact double result: 1 + 0.1 in float64, not rounded to float32
  assert.equal(add(a32, b64).data[0], 1 + 0.1);
  assert.equal(add(a32, a32).dtype, 'float32');
  assert.equal(matmul(a32, a32).dtype, 'float32');
  assert.ok(allocLike(3, a32) instanceof Float32Array);
  assert.ok(allocLike(3, a32, b64) instanceof Float64Array);
  // gradients keep each leaf's own dtype
  const x = new Tensor([1, 2], [2], { requiresGrad: true });
  const w = new Tensor(Float64Array.of(3, 4), [2], { requiresGrad: true });
  sum(mul(x, w)).backward();
  assert.ok(x.grad instanceof Float32Array);
  assert.ok(w.grad instanceof Float64Array);
  assert.deepEqual([...x.grad], [3, 4]);
  assert.deepEqual([...w.grad], [1, 2]);
});

test('a deep chain of 20,000 ops backpropagates without stack overflow', () => {
  const x = leaf([0.5], [1]);
  const c = new Tensor([1], [1]);
  let y = x;
  for (let k = 0; k < 20000; k++) y = add(k % 2 === 0 ? y : mul(y, c), x);
  y.backward();
  assert.equal(x.grad![0], 20001);
  assert.equal(y.data[0], 0.5 * 20001);
});

test('intermediate grads are released, leaf grads kept', () => {
  const x = leaf([1, 2], [2]);
  const w = leaf([3, 4], [2]);
  const c = new Tensor([5, 6], [2]);
  const h = mul(x, w);
  const g = add(h, c);
  const loss = sum(g);
  loss.backward();
  assert.equal(h.grad, null);
  assert.equal(g.grad, null);
  assert.equal(loss.grad, null);
  assert.equal(c.grad, null); // a constant never gets one
  assert.deepEqual([...x.grad!], [3, 4]);
  assert.deepEqual([...w.grad!], [1, 2]);
  assert.ok(!h.isLeaf && x.isLeaf);
  assert.deepEqual(h.parents, [x, w]);
});

test('backward on a leaf seeds its own grad', () => {
  const s = new Tensor([2], [], { requiresGrad: true });
  s.backward();
  assert.deepEqual([...s.grad!], [1]);
  s.backward();
  assert.deepEqual([...s.grad!], [2]);
});

test('toString names shape, dtype and requiresGrad', () => {
  assert.equal(new Tensor([1, 2, 3, 4, 5, 6], [2, 3]).toString(), 'Tensor(2, 3) float32');
  assert.equal(new Tensor(new Float64Array(3), [3], { requiresGrad: true }).toString(), 'Tensor(3,) float64 requiresGrad');
});

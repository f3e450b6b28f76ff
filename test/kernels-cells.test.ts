// Every engine kernel on WebAssembly against its plain TypeScript reference: the same inputs laid at the same
// offsets of each backend's heap, and all outputs within 1e-5 (relative, or 1e-6 absolute near zero).
// Sizes include widths that are not multiples of 4, so SIMD loops' tails are exercised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../src/core/random.js';
import { createRefBackend, type Backend } from '../src/kernels/backend.js';
import { createWasmBackend } from '../src/kernels/wasm/engine-backend.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { assertClose } from './helpers/fixtures.js';

const skip = probeWasm().simd ? false : 'WebAssembly SIMD is not available here';
const HEAP = 1 << 16;

/** Two backends with identical random heaps (ids region filled with valid ids below `vocab`). */
function pair(seed: number, idsAt: number, idsCount: number, vocab: number): [Backend, Backend] {
  const random = new Random(seed);
  const data = Float32Array.from({ length: HEAP }, () => random.uniform(-2, 2));
  const ids = Int32Array.from({ length: idsCount }, () => random.int(vocab));
  const backends = [createRefBackend(), createWasmBackend()] as [Backend, Backend];
  for (const be of backends) {
    be.reserve(HEAP);
    be.f32.set(data);
    be.i32.set(ids, idsAt);
  }
  return backends;
}

function same(name: string, [ref, wasm]: [Backend, Backend], at: number, n: number): void {
  assertClose(wasm.f32.subarray(at, at + n), ref.f32.subarray(at, at + n), name, 1e-5, 1e-6);
}

for (const [B, H] of [[3, 5], [4, 16], [2, 33]] as const) {
  test(`lstm cell forward and backward (B=${B}, H=${H})`, { skip }, () => {
    const bs = pair(1, 0, 0, 1);
    const [gates, cPrev, c, h, tanhC, dh, dc, dG] = [0, 4096, 8192, 12288, 16384, 20480, 24576, 28672];
    for (const be of bs) be.lstmCellForward(B, H, gates, cPrev, c, h, tanhC);
    for (const [name, at, n] of [['gates', gates, B * 4 * H], ['c', c, B * H], ['h', h, B * H], ['tanhC', tanhC, B * H]] as const) same(name, bs, at, n);
    for (const be of bs) be.lstmCellBackward(B, H, gates, cPrev, tanhC, dh, dc, dG);
    same('dGates', bs, dG, B * 4 * H);
    same('dc', bs, dc, B * H);
  });

  test(`gru cell forward and backward (B=${B}, H=${H})`, { skip }, () => {
    const bs = pair(2, 0, 0, 1);
    const [xg, hg, hPrev, h, dh, dxg, dhg, dhPrev] = [0, 4096, 8192, 12288, 16384, 20480, 24576, 28672];
    for (const be of bs) be.gruCellForward(B, H, xg, hg, 32768, hPrev, h);
    same('activations', bs, xg, B * 3 * H);
    same('hg with b_hn', bs, hg, B * 3 * H);
    same('h', bs, h, B * H);
    for (const be of bs) be.gruCellBackward(B, H, xg, hg, hPrev, dh, dxg, dhg, dhPrev);
    same('dxg', bs, dxg, B * 3 * H);
    same('dhg', bs, dhg, B * 3 * H);
    same('dhPrev', bs, dhPrev, B * H);
  });

  for (const relu of [false, true]) {
    test(`rnn cell (${relu ? 'relu' : 'tanh'}) forward and backward (n=${B * H})`, { skip }, () => {
      const bs = pair(3, 0, 0, 1);
      for (const be of bs) be.rnnCellForward(B * H, relu, 0, 4096);
      same('h', bs, 4096, B * H);
      for (const be of bs) be.rnnCellBackward(B * H, relu, 4096, 8192, 12288);
      same('dPre', bs, 12288, B * H);
    });
  }
}

for (const width of [1, 7, 16, 30]) {
  test(`row kernels: gather, scatter-add, fill, column sums, add, gate columns (width ${width})`, { skip }, () => {
    const n = 13;
    const vocab = 9;
    const idsAt = 60000;
    const bs = pair(4, idsAt, n, vocab);
    for (const be of bs) be.gatherRows(n, width, 0, idsAt, 1000, 2000);
    same('gather with bias', bs, 2000, n * width);
    for (const be of bs) be.gatherRows(n, width, 0, idsAt, -1, 3000);
    same('gather', bs, 3000, n * width);
    for (const be of bs) be.scatterAddRows(n, width, 4000, idsAt, 0);
    same('scatter-add', bs, 0, vocab * width);
    for (const be of bs) be.fillRows(n, width, 1000, 5000);
    same('fill', bs, 5000, n * width);
    for (const be of bs) be.addColumnSums(n, width, 4000, 6000);
    same('column sums', bs, 6000, width);
    for (const be of bs) be.addInPlace(n * width, 4000, 7000);
    same('add', bs, 7000, n * width);
    // Gate 2 of 3 out of a packed (n, 3·width) matrix: copied, then added onto what is there.
    for (const be of bs) be.gatherColumns(n, width, 3, 10000, 2, 8000, 0);
    same('gate columns', bs, 8000, n * width);
    for (const be of bs) be.gatherColumns(n, width, 3, 20000, 1, 8000, 1);
    same('gate columns added', bs, 8000, n * width);
  });
}

test('softmax cross-entropy: loss and gradient', { skip }, () => {
  const [n, classes, targetsAt] = [11, 29, 60000];
  const bs = pair(6, targetsAt, n, classes);
  const losses = bs.map((be) => be.softmaxCrossEntropy(n, classes, 0, targetsAt, -1, 8192, 1 / n));
  assertClose(Float64Array.of(losses[1]!), Float64Array.of(losses[0]!), 'loss', 1e-5, 1e-6);
  same('dLogits', bs, 8192, n * classes);
});

for (const [m, n, k] of [[32, 1024, 256], [3, 20, 7], [1, 1024, 256], [5, 33, 300], [32, 256, 1024]] as const) {
  for (const transB of [false, true]) {
    test(`packed product (${m}x${n}x${k}, ${transB ? 'Bᵀ' : 'B'}) equals the plain one on both backends`, { skip }, () => {
      const bs = pair(7, 0, 0, 1);
      const [a, b, packed, c1, c2] = [0, 20000, 300000, 700000, 800000];
      for (const be of bs) {
        be.reserve(900000);
        const random = new Random(8);
        for (let q = 0; q < 300000; q++) be.f32[q] = random.uniform(-1, 1);
        be.f32.fill(0.5, c1, c1 + m * n);
        be.f32.fill(0.5, c2, c2 + m * n);
        be.packB(k, n, b, transB, packed);
        be.gemm(m, n, k, a, b, c1, false, transB, 1);
        be.gemmPacked(m, n, k, a, packed, c2, false, 1);
        // Sums of k terms of size ≤ 1 in a different order: rounding differences up to about k·2⁻²⁴.
        assertClose(be.f32.subarray(c2, c2 + m * n), be.f32.subarray(c1, c1 + m * n), `${be.name} packed vs plain`, 1e-5, k * 6e-8);
      }
      assertClose(bs[1].f32.subarray(c2, c2 + m * n), bs[0].f32.subarray(c2, c2 + m * n), 'packed product across backends', 1e-5, k * 6e-8);
    });
  }
}

test('flushTiny zeroes what is below 2^-100 in magnitude and keeps the rest, on both backends alike', () => {
  const values = [0, 1, -1, 2 ** -100, -(2 ** -100), 2 ** -101, -(2 ** -101), 1e-38, 1e-40, -1e-45, 3e-31, 7e-31, 8e-31, -8e-31, 1e-20, NaN];
  const want = values.map((v) => (Math.abs(v) < 2 ** -100 ? 0 : Math.fround(v)));
  const backends = probeWasm().simd ? [createRefBackend(), createWasmBackend()] : [createRefBackend()];
  for (const be of backends) {
    be.reserve(64);
    be.f32.set(values, 3); // 16 values from an unaligned offset, and the last three through the scalar tail
    be.flushTiny(values.length - 3, 3);
    be.flushTiny(3, 3 + values.length - 3);
    assertClose(be.f32.subarray(3, 3 + values.length).filter((v) => !Number.isNaN(v)), Float32Array.from(want.filter((v) => !Number.isNaN(v))), `${be.name}: flushed`, 0, 0);
    assert.ok(Number.isNaN(be.f32[3 + values.length - 1]!), `${be.name}: NaN stays NaN`);
  }
});

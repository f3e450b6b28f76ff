// The kernels that let the fused engine pack weights straight from the per-gate tensors that hold them: packGatesB
// (U_i, U_f, ... packed for the step products without being put side by side first) must write exactly what packB
// writes for the side-by-side matrix, bit for bit, on both backends; scatterColumns puts one gate into a packed
// matrix, as gatherColumns takes it out. Shapes: blocks S_g (r, w); S = [S_0 | ... | S_{G-1}] (r, G·w).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../src/core/random.js';
import { createRefBackend, type Backend } from '../src/kernels/backend.js';
import { createWasmBackend } from '../src/kernels/wasm/engine-backend.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';

const backends = (): Backend[] => (probeWasm().simd ? [createRefBackend(), createWasmBackend()] : [createRefBackend()]);

// G blocks of r rows by w columns: multiples of 16 (whole panels), block edges inside a panel, fewer than 16 or 4
// columns, single blocks, and k past the 256-row slice of the packed layout (slices then cut across blocks).
const SHAPES: Array<[G: number, r: number, w: number]> = [[4, 16, 16], [4, 5, 7], [3, 33, 20], [1, 290, 300], [4, 64, 64], [4, 100, 100], [3, 70, 128], [4, 3, 1], [2, 600, 70], [4, 130, 260]];

for (const [G, r, w] of SHAPES) {
  for (const transB of [false, true]) {
    test(`packGatesB of ${G} blocks (${r}, ${w})${transB ? ', transposed' : ''} writes what packB writes for the blocks side by side`, () => {
      const random = new Random(G * 1000 + r + w);
      const blocks = Array.from({ length: G }, () => Float32Array.from({ length: r * w }, () => random.uniform(-1, 1)));
      const [k, n] = transB ? [G * w, r] : [r, G * w];
      for (const be of backends()) {
        const packed = be.packedFloats(k, n);
        // Heap: the blocks (apart, in reverse order, with gaps), S side by side, then the two packed results.
        const at = blocks.map((_, g) => (G - g) * (r * w + 13));
        const S = (G + 2) * (r * w + 13);
        const [viaB, viaGates] = [S + r * G * w, S + r * G * w + packed];
        be.reserve(viaGates + packed);
        blocks.forEach((block, g) => {
          be.f32.set(block, at[g]!);
          for (let i = 0; i < r; i++) be.f32.set(block.subarray(i * w, (i + 1) * w), S + i * G * w + g * w);
        });
        be.f32.fill(7, viaB, viaB + packed);
        be.f32.fill(9, viaGates, viaGates + packed);
        be.packB(k, n, S, transB, viaB);
        be.packGatesB(k, n, at, transB, viaGates);
        const want = be.f32.slice(viaB, viaB + packed);
        const got = be.f32.slice(viaGates, viaGates + packed);
        const first = got.findIndex((v, q) => !Object.is(v, want[q]));
        assert.equal(first, -1, `${be.name}: packed float ${first} is ${got[first]}, packB wrote ${want[first]}`);
      }
    });
  }
}

test('scatterColumns puts a gate into a packed matrix (the rest untouched), and gatherColumns takes the same numbers out', () => {
  const [rows, width, G] = [7, 13, 3];
  const random = new Random(3);
  const gate = Float32Array.from({ length: rows * width }, () => random.uniform(-1, 1));
  for (const be of backends()) {
    const [src, packed, back] = [0, 200, 600];
    be.reserve(1000);
    be.f32.set(gate, src);
    be.f32.fill(5, packed, packed + rows * G * width);
    be.scatterColumns(rows, width, G, src, 1, packed);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < G * width; j++) {
        const want = j >= width && j < 2 * width ? gate[i * width + j - width]! : 5;
        assert.equal(be.f32[packed + i * G * width + j], want, `${be.name}: row ${i}, column ${j}`);
      }
    }
    be.gatherColumns(rows, width, G, packed, 1, back, 0);
    assert.deepEqual(be.f32.slice(back, back + rows * width), gate, `${be.name}: gathered back`);
  }
});

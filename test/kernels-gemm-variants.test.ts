// Every sgemm variant (register tiles for two rows or more, row tiles for one) against the reference gemm, on all
// four transposes, odd sizes, beta 0 and 1, B packed per call and packed once: within 1e-5 of the reference, and
// bit for bit equal to every other variant (they sum in the same order, so the timing's choice never changes a
// result). Also: the setting lives in shared memory (a second instance, as a worker makes, reads it), the override
// and its errors, the start-up timing's report, and a fused training step that is the same bits on every tile.
// Shapes: op(A) (M, K), op(B) (K, N), C (M, N); A stored (K, M) if transA, B stored (N, K) if transB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../src/core/random.js';
import { gemm as refGemm } from '../src/kernels/ref/gemm.js';
import { initWasmSync } from '../src/kernels/wasm/backend.js';
import { chooseGemmVariant, gemmChoice, gemmVariants, setGemmVariant } from '../src/kernels/wasm/gemm-variants.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { wasmApi } from '../src/kernels/wasm/wasm-api.js';

const skip = probeWasm().simd ? false : 'needs WebAssembly SIMD';

/** [m, n, k]: tile edges (1-7 rows, ragged columns), the k slice (256) and row block (128) edges, engine shapes. */
const SHAPES = [
  [1, 1, 1], [2, 3, 5], [3, 17, 7], [5, 33, 300], [7, 48, 513], [13, 9, 64], [16, 1024, 256], [1, 1024, 256],
  [1, 37, 515], [1, 100, 3], [130, 47, 259], [257, 35, 30], [6, 16, 1], [33, 8, 40],
] as const;

function run(m: number, n: number, k: number, A: Float32Array, B: Float32Array, C0: Float32Array, transA: boolean, transB: boolean, beta: 0 | 1, packed: boolean): Float32Array {
  const inst = initWasmSync();
  const ex = inst.exports;
  const mark = ex.mark();
  try {
    const [pa, pb, pc] = [ex.alloc(m * k * 4), ex.alloc(k * n * 4), ex.alloc(m * n * 4)];
    const pp = ex.alloc(ex.packedBFloats(k, n) * 4);
    const f32 = () => new Float32Array(inst.memory.buffer);
    f32().set(A, pa / 4);
    f32().set(B, pb / 4);
    f32().set(C0, pc / 4);
    if (packed) {
      ex.packAllB(k, n, pb, transB ? 1 : 0, pp);
      ex.sgemmPackedColumns(m, n, k, pa, pp, pc, transA ? 1 : 0, beta, 0, n, 0);
    } else ex.sgemmColumns(m, n, k, pa, pb, pc, transA ? 1 : 0, transB ? 1 : 0, beta, 0, n, 0);
    return f32().slice(pc / 4, pc / 4 + m * n);
  } finally {
    ex.release(mark);
  }
}

test('every sgemm variant matches the reference and every other variant bit for bit', { skip }, (t) => {
  const variants = gemmVariants();
  t.after(() => {
    setGemmVariant('2x16');
    setGemmVariant('row-pair');
  });
  const tiles = variants.filter((v) => v.kind === 'tile').map((v) => v.name);
  const rows = variants.filter((v) => v.kind === 'row').map((v) => v.name);
  assert.ok(tiles.length >= 4 && rows.length >= 3, `tiles ${tiles}, row tiles ${rows}`);
  const random = new Random(31);
  let cases = 0;
  for (const [m, n, k] of SHAPES) {
    for (const transA of [false, true]) for (const transB of [false, true]) for (const beta of [0, 1] as const) {
      const A = Float32Array.from({ length: m * k }, () => random.uniform(-1, 1));
      const B = Float32Array.from({ length: k * n }, () => random.uniform(-1, 1));
      const C0 = Float32Array.from({ length: m * n }, () => random.uniform(-1, 1));
      const expected = C0.slice();
      refGemm({ m, n, k, a: A, b: B, c: expected, transA, transB, beta });
      let scale = 1;
      for (const v of expected) scale = Math.max(scale, Math.abs(v));
      for (const packed of [false, true]) {
        // Row tiles only act on one-row products with B packed once; elsewhere they must leave results alone too.
        let first: Float32Array | null = null;
        for (const tile of tiles) for (const row of rows) {
          setGemmVariant(tile);
          setGemmVariant(row);
          const got = run(m, n, k, A, B, C0, transA, transB, beta, packed);
          const what = `${m}x${n}x${k} tA=${transA} tB=${transB} beta=${beta} ${packed ? 'packed' : 'unpacked'} ${tile}/${row}`;
          for (let q = 0; q < got.length; q++) {
            if (!(Math.abs(got[q]! - expected[q]!) <= 1e-5 * scale)) assert.fail(`${what}: C[${q}] = ${got[q]}, reference ${expected[q]}`);
          }
          if (first === null) first = got;
          else assert.deepEqual(got, first, `${what}: not the same bits as ${tiles[0]}/${rows[0]}`);
          cases++;
        }
      }
    }
  }
  assert.equal(cases, SHAPES.length * 8 * 2 * tiles.length * rows.length);
});

test('the chosen variant lives in shared memory: an instance made later on the same memory (a worker) runs it too', { skip }, (t) => {
  t.after(() => setGemmVariant('2x16'));
  const inst = initWasmSync();
  setGemmVariant('4x8');
  setGemmVariant('row32');
  const api = wasmApi()!;
  const worker = new api.Instance(inst.module, { env: { memory: inst.memory } }).exports as unknown as typeof inst.exports;
  const names = gemmVariants();
  assert.equal(names.find((v) => v.kind === 'tile' && v.index === worker.gemmTile())!.name, '4x8');
  assert.equal(names.find((v) => v.kind === 'row' && v.index === worker.gemmRowTile())!.name, 'row32');
  assert.equal(inst.exports.gemmTile(), worker.gemmTile(), 'instantiating did not reset the setting');
  setGemmVariant('row-pair');
});

test('setGemmVariant: the choice is reported as set; an unknown name is refused with the list', { skip }, () => {
  setGemmVariant('6x8');
  assert.equal(gemmChoice().tile, '6x8');
  assert.equal(gemmChoice().how, 'set');
  assert.throws(() => setGemmVariant('8x8'), /unknown sgemm variant "8x8"; the variants are 2x16, .*row16/);
  setGemmVariant('2x16');
});

test('chooseGemmVariant times every variant and keeps one of each kind', { skip }, () => {
  const choice = chooseGemmVariant();
  assert.equal(choice.how, 'measured');
  const variants = gemmVariants();
  assert.deepEqual(Object.keys(choice.gflops).sort(), variants.map((v) => v.name).sort());
  for (const [name, g] of Object.entries(choice.gflops)) assert.ok(Number.isFinite(g) && g > 0, `${name}: ${g} GFLOP/s`);
  assert.ok(variants.some((v) => v.kind === 'tile' && v.name === choice.tile));
  assert.ok(variants.some((v) => v.kind === 'row' && v.name === choice.rowTile));
  assert.equal(gemmChoice(), choice);
});

test('a fused training step gives the same bits on every tile (time loops and whole-sequence products)', { skip }, async (t) => {
  const { createWasmBackend } = await import('../src/kernels/wasm/engine-backend.js');
  const { FusedLanguageModel } = await import('../src/engine/language-model.js');
  const { GRU, LSTM, RNNModel } = await import('../src/nn/index.js');
  type Recurrent = import('../src/nn/recurrent.js').Recurrent;
  t.after(() => setGemmVariant('2x16'));
  const random = new Random(8);
  const [V, B, T] = [13, 9, 6];
  const x = Int32Array.from({ length: B * T }, () => random.int(V));
  const y = Int32Array.from({ length: B * T }, () => random.int(V));
  const makers: Array<() => Recurrent> = [() => new LSTM({ inputSize: V, hiddenSize: 37, numLayers: 2, seed: 2 }), () => new GRU({ inputSize: V, hiddenSize: 20, seed: 2 })];
  for (const make of makers) {
    let first: { loss: number; grads: Float32Array[] } | null = null;
    for (const tile of gemmVariants().filter((v) => v.kind === 'tile')) {
      setGemmVariant(tile.name);
      const model = new RNNModel(make(), V, { seed: 5 });
      const step = new FusedLanguageModel(model, createWasmBackend()).lossAndGrad(x, y, B, T);
      const result = { loss: step.loss, grads: model.parameters().map((p) => Float32Array.from(p.grad!)) };
      if (first === null) first = result;
      else {
        assert.equal(result.loss, first.loss, `${tile.name}: loss`);
        result.grads.forEach((g, k) => assert.deepEqual(g, first!.grads[k], `${tile.name}: parameter ${k}`));
      }
    }
  }
});

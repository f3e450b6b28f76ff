// Engine memory on WebAssembly: regions of the linear memory are reused best-fit, and a model that is dropped gives
// its region back once garbage-collected, so building and dropping models again and again does not grow memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RegionPool } from '../src/kernels/wasm/regions.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';

const skip = probeWasm().simd ? false : 'WebAssembly SIMD is not available here';

test('region pool: fresh bytes when nothing fits, best fit within twice the need, given-back regions reused', () => {
  let top = 0;
  const pool = new RegionPool((bytes) => {
    const base = top;
    top += bytes;
    return base;
  });
  const a = pool.take(1000);
  const b = pool.take(4000);
  assert.deepEqual([a.base, b.base, top], [0, 1000, 5000]);
  pool.give(b);
  pool.give(a);
  assert.equal(pool.freeBytes, 5000);
  assert.equal(pool.take(900).base, 0, 'the 1000-byte region is the best fit for 900');
  assert.equal(pool.take(1500).base, 5000, 'the 4000-byte region is more than twice 1500: fresh bytes');
  assert.equal(pool.take(3000).base, 1000);
  assert.equal(pool.freeBytes, 0);
});

test('dropped models give their wasm memory back: 24 LSTM 256 engines built and dropped in turn grow nothing after the first', { skip }, async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const { buildModel } = await import('../src/train/model-config.js');
  const { lossAndGrad } = await import('../src/train/step.js');
  const { initWasmSync } = await import('../src/kernels/wasm/backend.js');
  const memory = initWasmSync().memory;
  const x = Int32Array.from({ length: 32 * 35 }, (_, k) => k % 28);
  const sizes: number[] = [];
  for (let round = 0; round < 24; round++) {
    // Each round: a fresh model (its engine takes a region of about 17 MB), one training step, then it is dropped.
    const model = buildModel({ cell: 'lstm', hiddenSize: 256, numLayers: 1, dropout: 0, vocabSize: 28, seed: round });
    lossAndGrad(model, { x, y: x, batchSize: 32, numSteps: 35 }, undefined);
    sizes.push(memory.buffer.byteLength);
    for (let k = 0; k < 3; k++) {
      gc();
      await new Promise((r) => setTimeout(r, 5)); // finalizers run after a collection, on a later task
    }
  }
  const grown = sizes[sizes.length - 1]! - sizes[3]!;
  assert.ok(grown < 20 << 20, `wasm memory grew by ${(grown / 2 ** 20).toFixed(1)} MiB over 20 rounds (sizes in MiB: ${sizes.map((s) => (s / 2 ** 20).toFixed(0)).join(' ')})`);
});

test('region pool: a region that ends at the allocator\'s top grows in place, through the pool\'s allocator; others do not', () => {
  let top = 0;
  const pool = new RegionPool((bytes) => {
    const base = top;
    top += bytes;
    return base;
  });
  const a = pool.take(1024);
  assert.deepEqual(pool.extend(a, 4096, top), { base: 0, bytes: 4096 });
  assert.equal(top, 4096, 'the extra bytes came from the allocator, right after the region');
  const b = pool.take(100);
  assert.equal(pool.extend({ base: 0, bytes: 4096 }, 8192, top), null, 'no longer the last block');
  assert.equal(pool.extend(b, 200, top), null, 'its end is not 64-byte aligned (the allocator would leave a gap)');
  assert.equal(top, 4196, 'nothing was allocated for the refusals');
});

test('a backend whose region is the allocator\'s last block grows it in place: contents kept, nothing left behind', { skip }, async () => {
  const { createWasmBackend } = await import('../src/kernels/wasm/engine-backend.js');
  const { initWasmSync } = await import('../src/kernels/wasm/backend.js');
  const memory = initWasmSync().memory;
  const be = createWasmBackend();
  be.reserve(1 << 20); // 4 MiB, taken fresh at the top
  be.f32.set([1, 2, 3], (1 << 20) - 3);
  const before = memory.buffer.byteLength;
  be.reserve(4 << 20); // 16 MiB, then 32 MiB: a new region each time would leave 4 + 16 MiB behind
  be.reserve(8 << 20);
  assert.deepEqual([...be.f32.subarray((1 << 20) - 3, 1 << 20)], [1, 2, 3], 'the contents stay where they were');
  assert.ok(be.f32.subarray(1 << 20).every((v) => v === 0), 'the new part starts from zeros');
  const grown = memory.buffer.byteLength - before;
  assert.ok(grown <= (28 << 20) + (1 << 16), `memory grew by ${(grown / 2 ** 20).toFixed(1)} MiB for a region grown from 4 to 32 MiB`);
});

// The runtime face (src/kernels/runtime.ts): defaults, the one switch for every path (autograd products,
// optimizers, fused engine), option errors, and training where WebAssembly memory cannot be shared (a page that
// is not cross-origin isolated; here a Node child without SharedArrayBuffer, whose memory detaches on growth).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { init, initSync, kernels, optimKernels, runtimeInfo } from '../src/kernels/index.js';
import { availableCores } from '../src/kernels/wasm/threads.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { gemmChoice } from '../src/kernels/wasm/gemm-variants.js';
import { fusedEngineFor } from '../src/engine/index.js';
import { buildModel, trainOnText } from '../src/index.js';

const skip = probeWasm().simd ? false : 'WebAssembly SIMD is not available in this runtime';
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** A tiny run, the same in this process and in the child below: its loss after a few steps, to the bit. */
const RUN = `
const text = 'the quick brown fox jumps over the lazy dog. '.repeat(60);
const run = await lib.trainOnText(text, {
  model: { cell: 'lstm', hiddenSize: 48 }, text: { tokens: 'char' },
  training: { epochs: 2, batchSize: 8, numSteps: 12, validFraction: 0 },
});
const losses = run.trainer.history.map((s) => s.loss);
`;

async function tinyRun(): Promise<number[]> {
  const lib = { trainOnText };
  return new Function('lib', `return (async () => { ${RUN}; return losses; })()`)(lib) as Promise<number[]>;
}

test('by default every path runs on WebAssembly where SIMD is, with the cores available as threads', { skip }, () => {
  const info = runtimeInfo();
  assert.equal(info.backend, 'wasm');
  assert.equal(info.simd, true);
  assert.equal(info.float64, 'ref');
  assert.equal(info.threads, Math.min(availableCores(), 16));
  const [tile, rowTile] = info.kernelVariant!.split(',');
  assert.ok(info.kernelVariants.includes(tile!) && info.kernelVariants.includes(rowTile!), `${info.kernelVariant} in ${info.kernelVariants.join(', ')}`);
  assert.equal(kernels().name, 'wasm', 'autograd products');
  assert.equal(optimKernels().name, 'wasm', 'optimizers and clipping');
  const model = buildModel({ cell: 'gru', hiddenSize: 8, vocabSize: 5 });
  assert.equal(fusedEngineFor(model)?.backend.name, 'wasm', 'fused engine');
});

test("init({ backend: 'ref' }) switches every path; init() switches back", { skip }, async () => {
  try {
    const info = await init({ backend: 'ref' });
    assert.equal(info.backend, 'ref');
    assert.equal(info.threads, 1);
    assert.equal(kernels().name, 'ref');
    assert.equal(optimKernels().name, 'ref');
    assert.equal(fusedEngineFor(buildModel({ cell: 'lstm', hiddenSize: 8, vocabSize: 5 }))?.backend.name, 'ref');
  } finally {
    await init();
  }
  assert.equal(kernels().name, 'wasm');
  assert.equal(runtimeInfo().backend, 'wasm');
});

test('init checks its options and names the bad one', () => {
  assert.throws(() => initSync({ backend: 'gpu' as 'wasm' }), /backend must be 'auto', 'wasm' or 'ref', got "gpu"/);
  assert.throws(() => initSync({ threads: 0 }), /threads must be 'auto' or a positive integer, got 0/);
  assert.throws(() => initSync({ threads: 1.5 }), /threads must be 'auto' or a positive integer/);
  if (probeWasm().simd) assert.throws(() => initSync({ kernelVariant: 'avx9000' }), /unknown kernelVariant "avx9000"; available: 2x16, /);
  if (probeWasm().simd) assert.throws(() => initSync({ kernelVariant: '4x8,avx9000' }), /unknown kernelVariant "avx9000"/);
  assert.equal(runtimeInfo().backend, probeWasm().simd ? 'wasm' : 'ref', 'a rejected call changes nothing');
  if (probeWasm().simd) assert.notEqual(gemmChoice().how, 'set', 'a rejected variant list sets none of its names');
});

test('init({ threads: 1 }) runs on one thread and says it was asked for', { skip }, async () => {
  try {
    const info = await init({ threads: 1 });
    assert.equal(info.threads, 1);
    assert.equal(info.threadsReason, 'asked for');
  } finally {
    await init();
  }
});

test('without SharedArrayBuffer: wasm kernels on one thread, memory growth detaches nothing, same losses', { skip: skip || (!existsSync(DIST) && 'dist/ is not built (npm run build)') }, async () => {
  // V8 without SharedArrayBuffer is what a page without COOP/COEP gets: the kernels' memory is not shared, and
  // every growth (the engine's first reserve grows it well past its initial 2 MiB) detaches its buffer.
  const child = `
    const lib = await import(${JSON.stringify(DIST)});
    ${RUN}
    console.log(JSON.stringify({ info: lib.runtimeInfo(), losses, sab: typeof SharedArrayBuffer }));
  `;
  const out = execFileSync(process.execPath, ['--no-harmony-sharedarraybuffer', '--input-type=module', '-e', child], { encoding: 'utf8' });
  const { info, losses, sab } = JSON.parse(out.trim().split('\n').at(-1)!) as { info: ReturnType<typeof runtimeInfo>; losses: number[]; sab: string };
  assert.equal(sab, 'undefined');
  assert.equal(info.backend, 'wasm');
  assert.equal(info.sharedMemory, false);
  assert.equal(info.threads, 1);
  assert.match(info.threadsReason, /cannot share WebAssembly memory between threads \(no SharedArrayBuffer\)/);
  try {
    await init({ threads: 1 });
    assert.deepEqual(losses, await tinyRun(), 'unshared memory, one thread: the same losses as shared memory');
  } finally {
    await init();
  }
});

test('init({ kernelVariant }) forces a register tile and a row tile, and runtimeInfo reports them', { skip }, () => {
  const info = initSync({ kernelVariant: '4x8,row32' });
  assert.equal(info.kernelVariant, '4x8,row32');
  assert.equal(gemmChoice().how, 'set');
  assert.equal(runtimeInfo().kernelVariant, '4x8,row32');
});

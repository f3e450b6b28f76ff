// The language model's numbers do not move: short runs of `lstm train` (its defaults and --preset d2l on The Time
// Machine, sequential and random sampling, with and without dropout, the fused engine and the autograd tape)
// reproduce, bit for bit, the per-minibatch losses, epoch perplexities and checkpoint contents that main computed
// before the trainer was opened to other tasks (test/fixtures/lm-pinned.json, by scripts/pinned/make-lm-pinned.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { PIN_CASES, pinnedRun, type PinnedRun } from './helpers/lm-pin.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/lm-pinned.json', import.meta.url), 'utf8')) as { commit: string; runs: PinnedRun[] };

test('the pinned cases are the ones the fixture was computed for', () => {
  assert.deepEqual(fixture.runs.map((r) => [r.name, r.flags]), PIN_CASES.map((c) => [c.name, c.flags]));
  // The fused runs were computed with the WebAssembly SIMD kernels; the TypeScript reference sums in another order.
  assert.ok(probeWasm().simd, 'the pinned fused-engine numbers need the WebAssembly SIMD backend');
});

for (const pinned of fixture.runs) {
  test(`lstm train ${pinned.flags.join(' ')}: the same losses, perplexities and checkpoint as main`, async () => {
    const run = await pinnedRun(pinned.name, pinned.flags);
    assert.deepEqual(run.batchLosses, pinned.batchLosses, 'per-minibatch losses');
    assert.deepEqual(run.epochs, pinned.epochs, 'epoch loss, perplexity, validation perplexity and learning rate');
    assert.equal(run.tensors, pinned.tensors, 'checkpoint tensors (weights, optimizer buffers, carried state)');
    assert.equal(run.metadata, pinned.metadata, 'checkpoint metadata (config, vocabulary, options, progress)');
  });
}

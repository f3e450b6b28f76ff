// The training stop looks at what an update wrote, not only at the gradients: the SGD and Adam kernels (reference
// and WebAssembly) report, in the pass that updates, how close the values they wrote are to their bounds (NaN for
// a NaN), and the trainer stops on NaN, ±Inf or past-bound weights and optimizer state, naming the tensor; a save
// never writes such values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_STATE, MAX_WEIGHT } from '../src/core/limits.js';
import { refOptimKernels } from '../src/kernels/index.js';
import { createWasmOptimKernels } from '../src/kernels/wasm/optim.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { Trainer, TrainingDivergedError, encodeCheckpoint } from '../src/train/index.js';
import { tinyCheckpoint } from './helpers/hostile.js';

const tables = [refOptimKernels, ...(probeWasm().simd ? [createWasmOptimKernels()] : [])];
const N = 37; // nine SIMD quads and a tail

const filled = (v: number): Float32Array => new Float32Array(N).fill(v);

test('update kernels return max(|p|/MAX_WEIGHT, |state|/MAX_STATE), NaN for any NaN, in SIMD lanes and the tail', () => {
  const sgd = { lr: 0.1, momentum: 0.9, weightDecay: 0, nesterov: false };
  const adam = { stepSize: 0.01, sqrtBc2: 0.03, beta1: 0.9, beta2: 0.999, eps: 1e-8, shrink: 1, l2: 0 };
  for (const k of tables) {
    for (const at of [0, 5, N - 1]) {
      const p = filled(0.5);
      assert.ok(Math.abs(k.sgdUpdate(p, filled(0.1), filled(0), sgd) - (0.5 - 0.01) / MAX_WEIGHT) < 1e-12, `${k.name}: healthy SGD`);
      p[at] = 3 * MAX_WEIGHT;
      assert.ok(k.sgdUpdate(p, filled(0), null, sgd) > 2.9, `${k.name}: weight 3e6 at ${at}`);
      const b = filled(0);
      b[at] = NaN;
      assert.ok(Number.isNaN(k.sgdUpdate(filled(0.5), filled(0), b, sgd)), `${k.name}: NaN momentum at ${at}`);
      const g = filled(0);
      g[at] = Infinity;
      assert.ok(!(k.sgdUpdate(filled(0.5), g, null, sgd) <= 1), `${k.name}: Inf gradient at ${at}`);
      const v = filled(0);
      v[at] = 2 * MAX_STATE;
      assert.ok(k.adamUpdate(filled(0.5), filled(0), filled(0), v, adam) > 1.9, `${k.name}: Adam v past its bound at ${at}`);
      const m = filled(0);
      m[at] = NaN;
      assert.ok(Number.isNaN(k.adamUpdate(filled(0.5), filled(0), m, filled(0), adam)), `${k.name}: NaN Adam m at ${at}`);
      assert.ok(k.adamUpdate(filled(0.5), filled(0.1), filled(0), filled(0), adam) <= 1, `${k.name}: healthy Adam`);
    }
  }
});

test('the trainer stops when an update leaves a weight past 1e6 or an optimizer buffer past 1e18, naming it; nothing is saved', async () => {
  for (const poison of ['weight', 'buffer'] as const) {
    const input = await tinyCheckpoint();
    const trainer = input.trainer!;
    // A weight past the bound stays past it (one Adam step of lr 0.002 cannot bring it back); a second moment v past
    // its bound only shrinks the step, so the weights stay healthy and the buffer is what the stop must name.
    if (poison === 'weight') input.model.parameters()[3]!.data[2] = 1.5e6;
    else {
      const state = trainer.optimizer.stateDict();
      state.buffers['exp_avg_sq.1']![0] = 1.5e18;
      trainer.optimizer.loadStateDict(state);
    }
    const train = Int32Array.from({ length: 300 }, (_, k) => k % input.vocab.size);
    await assert.rejects(trainer.fit(train), (err: Error) => {
      assert.ok(err instanceof TrainingDivergedError, String(err));
      const names = new Map(input.model.namedParameters().map(([n], k) => [k, n]));
      const pattern = poison === 'weight'
        ? new RegExp(`after the update, ${names.get(3)!.replace(/\./g, '\\.')} holds \\S+ at element 2, beyond the bound 1000000 on weight values; the weights in memory are not saved`)
        : /after the update, optimizer buffer exp_avg_sq\.1 holds \S+ at element 0, beyond the bound 1000000000000000000/;
      assert.match(err.message, pattern);
      return true;
    });
    assert.throws(() => encodeCheckpoint(input), /saveCheckpoint: not saving: .* beyond the bound/);
  }
});

test('a healthy run is not stopped: the bound is far above what training reaches', async () => {
  const input = await tinyCheckpoint();
  const train = Int32Array.from({ length: 300 }, (_, k) => (k * 7) % input.vocab.size);
  const result = await input.trainer!.fit(train);
  assert.equal(result.stopReason, 'completed');
  assert.ok(input.trainer!.optimizer.boundRatio > 0 && input.trainer!.optimizer.boundRatio < 1e-4);
  assert.ok(new Trainer(input.model, { epochs: 1 }).optimizer.boundRatio === 0);
});

// The fused sequence engine beside the autograd path: one training step on each (or evaluation), compared within
// float32 rounding (see test/engine-sequence.test.ts for the tolerance and why), and random batches of the shapes
// the tests use. Shapes: x (B, T, F), ids (B, T), targets (B, horizon, targets) or (B,).
import assert from 'node:assert/strict';
import type { Random } from '../../src/core/random.js';
import { Tensor } from '../../src/core/tensor.js';
import { crossEntropy, huberLoss, l1Loss, mseLoss } from '../../src/core/ops/index.js';
import { FusedSequenceModel, type SequenceBatch, type SequenceLossOptions } from '../../src/engine/index.js';
import type { Backend } from '../../src/kernels/backend.js';
import { SequenceClassifier, SequenceRegressor } from '../../src/nn/index.js';
import { assertClose } from './fixtures.js';

export type Model = SequenceRegressor | SequenceClassifier;

export function autogradStep(model: Model, batch: SequenceBatch, options: SequenceLossOptions): { loss: number; output: Tensor } {
  const { input, lengths, targets } = batch;
  const output = model instanceof SequenceRegressor ? model.forward(input, lengths === undefined ? {} : { lengths }) : model.forward(input, lengths);
  const loss =
    model instanceof SequenceClassifier ? crossEntropy(output, targets, options.classWeights === undefined ? {} : { weight: options.classWeights })
    : options.loss === 'mae' ? l1Loss(output, targets)
    : options.loss === 'huber' ? huberLoss(output, targets, { delta: options.delta ?? 1 })
    : mseLoss(output, targets);
  if (options.backward !== false) loss.backward();
  return { loss: loss.item(), output };
}

/** Two steps on twin models, autograd and fused: loss, output and every gradient agree; returns the fused numbers. */
export function compare(what: string, make: () => Model, batches: SequenceBatch[], options: SequenceLossOptions, backend: Backend): Float32Array[] {
  const reference = make();
  const fused = make();
  const engine = new FusedSequenceModel(fused, backend);
  const out: Float32Array[] = [];
  batches.forEach((batch, step) => {
    reference.zeroGrad(step === 0);
    fused.zeroGrad(step === 0); // step 0 from null gradients (copied out), step 1 into kept, zeroed ones (added)
    const a = autogradStep(reference, batch, options);
    const b = engine.lossAndGrad(batch, options);
    const where = `${what}, step ${step}`;
    assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(a.loss) + 1e-7, `${where}: loss ${b.loss} vs ${a.loss}`);
    assert.deepEqual(b.output.shape, a.output.shape, `${where}: output shape`);
    assertClose(b.output, a.output, `${where}: output`, 1e-4, 1e-6);
    const named = reference.namedParameters();
    fused.namedParameters().forEach(([name, p], k) => {
      assert.equal(name, named[k]![0]);
      assert.ok(p.grad !== null, `${where}: ${name} has a gradient`);
      assertClose(p.grad!, named[k]![1].grad!, `${where}: grad ${name}`, 1e-4, 1e-6);
    });
    out.push(Float32Array.of(b.loss), b.output.data as Float32Array, ...fused.parameters().map((p) => Float32Array.from(p.grad!)));
  });
  return out;
}

export function denseBatch(random: Random, B: number, T: number, F: number, horizon: number, targets: number, lengths?: readonly number[]): SequenceBatch {
  return {
    input: new Tensor(Float32Array.from({ length: B * T * F }, () => random.uniform(-1.5, 1.5)), [B, T, F]),
    targets: new Tensor(Float32Array.from({ length: B * horizon * targets }, () => random.uniform(-1, 1)), [B, horizon, targets]),
    ...(lengths === undefined ? {} : { lengths }),
  };
}

export function idsBatch(random: Random, B: number, T: number, V: number, C: number, lengths?: readonly number[]): SequenceBatch {
  return {
    input: new Tensor(Float32Array.from({ length: B * T }, () => random.int(V)), [B, T]),
    targets: new Tensor(Float32Array.from({ length: B }, () => random.int(C)), [B]),
    ...(lengths === undefined ? {} : { lengths: Int32Array.from(lengths) }),
  };
}


// One minibatch of a forecaster or classifier: forward, the loss on the head, backward. This is the one place the
// forecast and classify tasks run their models: on the fused engine (src/engine: fusedSequenceEngineFor) where it
// applies (the built-in cells, float32, unless useEngine('autograd')), else on the autograd path, which computes the
// same numbers (test/task-engine.test.ts holds the two together).
//   regression:     L = mean over (B, horizon, K) of l(ŷ - y), l = d² (mse), |d| (mae) or Huber(δ)
//   classification: L = Σ_b w_{y_b} (-log softmax(z_b)[y_b]) / Σ_b w_{y_b}   (w = 1 without class weights)
// Shapes: x (B, T, F) or ids (B, T) with lengths (B,); targets (B, horizon, K) or (B,); output likewise.
import { crossEntropy, huberLoss, l1Loss, mseLoss } from '../core/ops/index.js';
import { Tensor, noGrad } from '../core/tensor.js';
import { SequenceRegressor, type SequenceClassifier } from '../nn/sequence-models.js';
import { fusedSequenceEngineFor } from '../engine/index.js';

export type RegressionLoss = 'mse' | 'mae' | 'huber';
export const REGRESSION_LOSSES: readonly RegressionLoss[] = ['mse', 'mae', 'huber'];

export interface SequenceBatchInput {
  /** x (B, T, F) floats for the regressor, token ids (B, T) for the classifier. */
  input: Tensor;
  /** Real steps of each row (classifier); all T when omitted. */
  lengths?: Int32Array;
  /** (B, horizon, K) for the regressor, (B,) class ids for the classifier. */
  targets: Tensor;
}

export interface HeadLossOptions {
  /** Regressor: the loss on the scaled targets (default 'mse'); Huber's δ is 1, as PyTorch's default. */
  loss?: RegressionLoss;
  /** Classifier: per-class weights (PyTorch's weight=). */
  classWeights?: ArrayLike<number> | null;
  /** false: the loss and output only, no tape and no gradients (evaluation). Default true. */
  backward?: boolean;
}

export interface SequenceStepResult {
  /** The mean (or class-weighted mean) loss of the batch. */
  loss: number;
  /** Predictions (B, horizon, K) or logits (B, C), detached. */
  output: Tensor;
}

function headLoss(model: SequenceRegressor | SequenceClassifier, output: Tensor, targets: Tensor, options: HeadLossOptions): Tensor {
  if (model instanceof SequenceRegressor) {
    const loss = options.loss ?? 'mse';
    return loss === 'mae' ? l1Loss(output, targets) : loss === 'huber' ? huberLoss(output, targets) : mseLoss(output, targets);
  }
  return crossEntropy(output, targets, options.classWeights == null ? {} : { weight: options.classWeights });
}

function forward(model: SequenceRegressor | SequenceClassifier, batch: SequenceBatchInput): Tensor {
  if (model instanceof SequenceRegressor) return model.forward(batch.input, batch.lengths === undefined ? {} : { lengths: batch.lengths });
  return model.forward(batch.input, batch.lengths);
}

/**
 * Forward, loss and (unless options.backward is false) backward of one batch; gradients ACCUMULATE into the
 * parameters' .grad. Dropout follows the model's train()/eval() mode.
 */
export function sequenceLossAndGrad(model: SequenceRegressor | SequenceClassifier, batch: SequenceBatchInput, options: HeadLossOptions = {}): SequenceStepResult {
  const engine = fusedSequenceEngineFor(model);
  if (engine !== null) {
    const { loss, classWeights, backward } = options;
    return engine.lossAndGrad(batch, { ...(loss === undefined ? {} : { loss }), ...(classWeights == null ? {} : { classWeights }), ...(backward === undefined ? {} : { backward }) });
  }
  if (options.backward === false) {
    return noGrad(() => {
      const output = forward(model, batch);
      return { loss: headLoss(model, output, batch.targets, options).item(), output };
    });
  }
  const output = forward(model, batch);
  const loss = headLoss(model, output, batch.targets, options);
  loss.backward();
  return { loss: loss.item(), output: new Tensor(output.data, output.shape) };
}

/** The model's output alone, with no tape (prediction). */
export function sequenceForward(model: SequenceRegressor | SequenceClassifier, input: Tensor, lengths?: Int32Array): Tensor {
  const engine = fusedSequenceEngineFor(model);
  if (engine !== null) return engine.forward(input, lengths);
  return noGrad(() => forward(model, { input, lengths, targets: input }));
}

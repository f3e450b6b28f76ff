// What the forecast and classify tasks hand the fused sequence engine and get back (see src/engine/index.ts for
// the contract in prose). Shapes: input x (B, T, F) or ids (B, T); lengths (B,); targets (B, horizon, targets)
// or (B,); output (B, horizon, targets) or logits (B, C).
import type { Tensor } from '../core/tensor.js';
import type { SequenceClassifier, SequenceRegressor } from '../nn/sequence-models.js';

export type SequenceModel = SequenceRegressor | SequenceClassifier;

export type RegressionLossKind = 'mse' | 'mae' | 'huber';

export interface SequenceBatch {
  /** The tensor model.forward takes: x (B, T, F) floats (regressor) or token ids (B, T) (classifier). */
  input: Tensor;
  /** Real steps of each row, B integers in [1, T] in any order (pack_padded_sequence); all T when omitted. */
  lengths?: ArrayLike<number> | Tensor;
  /** Regressor: (B, horizon, targets), the output's shape; classifier: (B,) class ids. */
  targets: Tensor;
}

export interface SequenceLossOptions {
  /** Regressor only: 'mse' (default), 'mae' (l1Loss) or 'huber' (huberLoss with `delta`). */
  loss?: RegressionLossKind;
  /** Huber's δ > 0 (default 1, as PyTorch). */
  delta?: number;
  /** Classifier only: per-class weights (C values), PyTorch's `weight=`; the loss is then the weighted mean. */
  classWeights?: ArrayLike<number> | Tensor;
  /** false: the loss and output only (evaluation); gradients are left alone. Default true. */
  backward?: boolean;
}

export interface SequenceStep {
  /** The mean loss (weighted mean with class weights), as the autograd losses reduce it. */
  loss: number;
  /** model.forward's output, detached: predictions (B, horizon, targets) or logits (B, C). */
  output: Tensor;
}

export interface FusedSequenceEngine {
  readonly model: SequenceModel;
  /** Forward, the loss on the head and (unless backward is false) backward, ADDING into every parameter's .grad. */
  lossAndGrad(batch: SequenceBatch, options?: SequenceLossOptions): SequenceStep;
  /** model.forward's output alone (prediction), with no tape. */
  forward(input: Tensor, lengths?: ArrayLike<number> | Tensor): Tensor;
}

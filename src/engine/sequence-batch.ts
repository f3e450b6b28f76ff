// A batch for the fused sequence engine, checked as the autograd path checks it (the same one-line errors, in the
// same order: the input's shape, its ids, the lengths, then the loss's targets and options) and laid out as the
// time loops want it: rows sorted longest first (stable, as packLengths), active[t] rows taking step t, and rows
// packed by step, row k of step t at off[t] + k (off[t] = Σ_{t'<t} active[t']).
// Shapes: x (B, T, F) or ids (B, T), batch-first, in the caller's row order; lengths (B,); active (T,); off (T+1,).
import { Tensor, shapeString } from '../core/tensor.js';
import { checkTargetShape } from '../core/ops/regression-loss.js';
import { packLengths } from '../nn/lengths.js';
import { SequenceClassifier } from '../nn/sequence-models.js';
import type { RegressionLossKind, SequenceLossOptions, SequenceModel } from './sequence-types.js';

export interface PackedBatch {
  B: number;
  T: number;
  /** Rows in all: Σ lengths. */
  N: number;
  /** Each row's length, in the caller's order. */
  lengths: Int32Array;
  /** Caller's row of sorted row k, and the sorted row of caller's row b. */
  order: Int32Array;
  inverse: Int32Array;
  active: Int32Array;
  off: Int32Array;
}

/** The regressor's input (B, T, F) or the classifier's ids (B, T), checked with the model's own messages. */
export function checkInput(model: SequenceModel, input: Tensor): { B: number; T: number } {
  if (!(input instanceof Tensor)) throw new Error(`fused sequence engine: input must be a Tensor, got ${typeof input}`);
  if (model instanceof SequenceClassifier) {
    if (input.shape.length !== 2) throw new Error(`SequenceClassifier: ids must be (B, T), got ${shapeString(input.shape)}`);
    const what = model.embedding === null ? 'oneHot' : 'embedding';
    const ids = input.data;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      if (!Number.isInteger(id) || id < 0 || id >= model.vocabSize) throw new Error(`${what}: id ${id} at position ${k} is outside [0, ${model.vocabSize})`);
    }
  } else {
    const F = model.rnn.inputSize;
    if (input.shape.length !== 3) throw new Error(`SequenceRegressor: expected input (B, T, F) with F = ${F}, got ${shapeString(input.shape)}`);
    if (input.shape[2] !== F) throw new Error(`forward: expected input (B, T, I) with I = ${F}, got ${shapeString(input.shape)}`);
  }
  return { B: input.shape[0]!, T: input.shape[1]! };
}

/** Sorts and packs the rows by their lengths (all T when none are given). */
export function packBatch(B: number, T: number, lengths: ArrayLike<number> | Tensor | undefined): PackedBatch {
  const given = lengths === undefined ? null : packLengths(lengths, B, T);
  const sizes = Int32Array.from({ length: B }, (_, b) => (given === null ? T : (lengths instanceof Tensor ? lengths.data : lengths!)[b]!));
  const order = given?.order ?? Int32Array.from({ length: B }, (_, b) => b);
  const inverse = given?.inverse ?? order;
  const active = given?.active ?? new Int32Array(T).fill(B);
  const off = new Int32Array(T + 1);
  for (let t = 0; t < T; t++) off[t + 1] = off[t]! + active[t]!;
  return { B, T, N: off[T]!, lengths: sizes, order, inverse, active, off };
}

/** Writes each valid step of each row of a batch-first (B, T, width) array to its packed row at `to` in `m`. */
export function packRows(m: Float32Array, data: ArrayLike<number>, width: number, p: PackedBatch, to: number): void {
  for (let t = 0; t < p.T; t++) {
    for (let k = 0; k < p.active[t]!; k++) {
      const from = (p.order[k]! * p.T + t) * width;
      const at = to + (p.off[t]! + k) * width;
      for (let j = 0; j < width; j++) m[at + j] = data[from + j]!;
    }
  }
}

export interface HeadLoss {
  /** 'cross-entropy' for the classifier. */
  kind: RegressionLossKind | 'cross-entropy';
  delta: number;
  classWeights: Float32Array | null;
}

/**
 * The loss the options ask for, checked against the model and the targets as the autograd losses check them;
 * `output` is the tensor the head's output will be written into.
 */
export function checkLoss(model: SequenceModel, output: Tensor, targets: Tensor, options: SequenceLossOptions): HeadLoss {
  const B = output.shape[0]!;
  if (model instanceof SequenceClassifier) {
    if (options.loss !== undefined) throw new Error(`fused sequence engine: a SequenceClassifier's loss is cross-entropy; loss must be omitted, got ${JSON.stringify(options.loss)}`);
    return { kind: 'cross-entropy', delta: 1, classWeights: checkClassTargets(model, B, targets, options.classWeights) };
  }
  if (options.classWeights !== undefined) throw new Error('fused sequence engine: classWeights apply to a SequenceClassifier only');
  const kind = options.loss ?? 'mse';
  const op = { mse: 'mseLoss', mae: 'l1Loss', huber: 'huberLoss' }[kind];
  if (op === undefined) throw new Error(`fused sequence engine: loss must be 'mse', 'mae' or 'huber', got ${JSON.stringify(kind)}`);
  const delta = options.delta ?? 1;
  if (kind === 'huber' && !(delta > 0 && Number.isFinite(delta))) throw new Error(`huberLoss: delta must be a finite number > 0, got ${delta}`);
  checkTargetShape(op, output, targets);
  return { kind, delta, classWeights: null };
}

/** Class ids (B,) in [0, C) and optional weights (C,), with crossEntropy's messages. */
function checkClassTargets(model: SequenceClassifier, B: number, targets: Tensor, weight: ArrayLike<number> | Tensor | undefined): Float32Array | null {
  const C = model.numClasses;
  if (!(targets instanceof Tensor)) throw new Error(`crossEntropy: targets must be a Tensor of ${B} class ids, got ${typeof targets}`);
  if (targets.shape.length !== 1) throw new Error(`crossEntropy: targets must be (${B},), got ${shapeString(targets.shape)}`);
  if (targets.size !== B) throw new Error(`crossEntropy: expected ${B} targets for logits (${B}, ${C}), got ${targets.size}`);
  for (let n = 0; n < B; n++) {
    const t = targets.data[n]!;
    if (!Number.isInteger(t) || t < 0 || t >= C) throw new Error(`crossEntropy: target ${t} at row ${n} is outside [0, ${C})`);
  }
  if (weight === undefined) return null;
  const w = weight instanceof Tensor ? weight.data : weight;
  if (w.length !== C) throw new Error(`crossEntropy: weight must have ${C} values (one per class), got ${w.length}`);
  for (let c = 0; c < C; c++) if (!Number.isFinite(w[c]!)) throw new Error(`crossEntropy: weight[${c}] is ${w[c]}, expected a finite number`);
  return Float32Array.from(w);
}

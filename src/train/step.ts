// The math of one training step and of held-out evaluation, kept behind two small functions so a faster fused
// engine can replace them without touching the trainer. Loss: mean cross-entropy per token,
// L = -(1/(B·T)) Σ_{b,t} log softmax(logits_{t,b})[y_{b,t}]; perplexity = exp(L).
// Truncated BPTT: the state handed back is detached, so the next minibatch's backward stops at its boundary.
import { Tensor, noGrad } from '../core/tensor.js';
import { crossEntropy } from '../core/ops/loss.js';
import type { State } from '../nn/cell.js';
import type { RNNModel } from '../nn/rnn-model.js';
import { fusedEngineFor } from '../engine/index.js';

/** A minibatch of ids, batch-major: x[b·numSteps + t], and y the next token of each. `Batch` from src/data fits. */
export interface TokenBatch {
  x: Int32Array;
  y: Int32Array;
  batchSize: number;
  numSteps: number;
}

export interface StepResult<S extends State> {
  /** Mean cross-entropy per token of this minibatch. */
  loss: number;
  /** The final state, cut from the graph. */
  state: S;
}

/** The same state values with no autograd history (a tensor or a tuple of tensors, as the cell keeps it). */
export function detachState<S extends State>(state: S): S {
  return (state instanceof Tensor ? state.detach() : state.map((s) => s.detach())) as S;
}

function idsTensor(ids: Int32Array, batch: number, steps: number): Tensor {
  return new Tensor(Float32Array.from(ids), [batch, steps]);
}

/**
 * The fused engine runs it where it applies (same numbers, no tape); otherwise the autograd path below.
 * Forward over the minibatch from `state` (zeros when undefined), mean cross-entropy against the next tokens,
 * and backward: gradients ACCUMULATE into the parameters' `.grad`, so zero them before calling.
 */
export function lossAndGrad<S extends State>(model: RNNModel<S>, batch: TokenBatch, state: S | undefined): StepResult<S> {
  const { x, y, batchSize: B, numSteps: T } = batch;
  if (x.length !== B * T || y.length !== B * T) {
    throw new Error(`lossAndGrad: x and y must hold batchSize·numSteps = ${B * T} ids, got ${x.length} and ${y.length}`);
  }
  const engine = fusedEngineFor(model);
  if (engine !== null) {
    const step = engine.lossAndGrad(x, y, B, T, state);
    return { loss: step.loss, state: step.state as S };
  }
  const [logits, next] = model.forward(idsTensor(x, B, T), state);
  const loss = crossEntropy(logits, model.targetsFor(y, B, T));
  loss.backward();
  return { loss: loss.item(), state: detachState(next) };
}

export interface EvaluateOptions {
  batchSize: number;
  numSteps: number;
}

export interface Evaluation {
  /** Mean cross-entropy per predicted token. */
  loss: number;
  perplexity: number;
  /** Number of tokens predicted. */
  tokens: number;
}

/**
 * Loss of the model on `ids`, in eval mode (no dropout) and without recording a graph. The text is laid out as
 * `batchSize` contiguous rows read `numSteps` columns at a time with the state carried across windows (as the
 * sequential sampler does), but from offset 0 and with a shorter last window, so every row's token is scored.
 */
export function evaluateLoss<S extends State>(model: RNNModel<S>, ids: Int32Array, options: EvaluateOptions): Evaluation {
  const { batchSize, numSteps } = options;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new Error(`evaluateLoss: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isSafeInteger(numSteps) || numSteps < 1) throw new Error(`evaluateLoss: numSteps must be a positive integer, got ${numSteps}`);
  if (ids.length < 2) throw new Error(`evaluateLoss: need at least 2 tokens (one to read, one to predict), got ${ids.length}`);
  const B = Math.min(batchSize, ids.length - 1);
  const rowLength = Math.floor((ids.length - 1) / B);
  const wasTraining = model.training;
  model.eval();
  try {
    const engine = fusedEngineFor(model);
    return noGrad(() => {
      let state: S = model.beginState(B);
      let total = 0;
      let count = 0;
      for (let t0 = 0; t0 < rowLength; t0 += numSteps) {
        const T = Math.min(numSteps, rowLength - t0);
        const x = new Int32Array(B * T);
        const y = new Int32Array(B * T);
        for (let b = 0; b < B; b++) {
          const start = b * rowLength + t0;
          x.set(ids.subarray(start, start + T), b * T);
          y.set(ids.subarray(start + 1, start + 1 + T), b * T);
        }
        if (engine !== null) {
          const step = engine.lossAndGrad(x, y, B, T, state, false);
          total += step.loss * B * T;
          state = step.state as S;
        } else {
          const [logits, next] = model.forward(idsTensor(x, B, T), state);
          total += crossEntropy(logits, model.targetsFor(y, B, T), { reduction: 'sum' }).item();
          state = next;
        }
        count += B * T;
      }
      const loss = total / count;
      return { loss, perplexity: Math.exp(loss), tokens: count };
    });
  } finally {
    model.train(wasTraining);
  }
}

// The fused engine: training steps with no autograd tape, for the library's own models. Two entry points:
//   fusedEngineFor(model: RNNModel) -> FusedLanguageModel | null       (language models; the trainer's LM task)
//   fusedSequenceEngineFor(model: SequenceRegressor | SequenceClassifier) -> FusedSequenceEngine | null
// Either returns null where the fused path does not apply (a user-written cell, float64 parameters, an LSTM with
// an output projection, a bidirectional language model, or useEngine('autograd'); useEngine('fused') throws
// instead, naming why); the caller then runs the autograd path, which computes the same numbers (tests hold the two
// together within float32 rounding; the sequence engine also drops backward-pass gradients below 2^-100, see
// src/kernels/ref/rows.ts). One engine is kept per model, its workspace reused across steps. On WebAssembly an
// engine moves the model's parameters and their gradients into the engine's memory when it is built
// (residency.ts): the tensors' `data` and `grad` are views of that memory from then on.
// The sequence engine's contract (what the forecast/classify tasks call):
//   engine.lossAndGrad({ input, lengths?, targets }, { loss?, delta?, classWeights?, backward? }) -> { loss, output }
//     input:   the tensor model.forward takes: x (B, T, F) floats for the regressor, token ids (B, T) for the classifier
//     lengths: real steps per row (B integers in [1, T], any order), as model.forward's; all T when omitted
//     targets: regressor (B, horizon, targets) as its output; classifier (B,) class ids
//     loss:    regressor 'mse' (default) | 'mae' | 'huber' (delta, default 1); classifier: cross-entropy, with
//              optional classWeights (C values, PyTorch's weight=); every loss is the mean (weighted mean) as
//              mseLoss / l1Loss / huberLoss / crossEntropy compute it
//     returns: the loss, and model.forward's output (predictions (B, horizon, targets) or logits (B, C)), detached;
//              gradients are ADDED into every parameter's .grad (zero them first); backward: false leaves them alone
//   engine.forward(input, lengths?) -> the output alone (prediction); both follow the model's train()/eval() mode
//     for dropout, drawing masks from model.rnn.random exactly as the autograd path does.
// Bad input (a length of 0 or past T, shapes that do not fit, an id outside the vocabulary) is refused with the
// autograd path's one-line errors.
import type { RNNModel } from '../nn/rnn-model.js';
import type { Backend } from '../kernels/backend.js';
import { createEngineBackend } from '../kernels/index.js';
import { FusedLanguageModel, fusedUnsupported } from './language-model.js';
import { FusedGenerator } from './generator.js';
import { FusedSequenceModel, fusedSequenceUnsupported } from './sequence-model.js';
import type { FusedSequenceEngine, SequenceModel } from './sequence-types.js';

export type { FusedSequenceEngine, RegressionLossKind, SequenceBatch, SequenceLossOptions, SequenceModel, SequenceStep } from './sequence-types.js';

export { useResidentWeights } from './residency.js';

export type EnginePreference = 'auto' | 'fused' | 'autograd';

let preference: EnginePreference = 'auto';
/** By default the runtime's choice (src/kernels/runtime.ts: `init`), made at first use, not at import. */
let backendFactory: () => Backend = createEngineBackend;
const engines = new WeakMap<RNNModel, FusedLanguageModel>();
const generators = new WeakMap<RNNModel, FusedGenerator>();
const sequenceEngines = new WeakMap<SequenceModel, FusedSequenceModel>();

/** 'auto' (default) uses the fused engine where it applies; 'autograd' forces the tape; 'fused' insists. */
export function useEngine(choice: EnginePreference): void {
  preference = choice;
}

/** Internal (tests): the backend new fused engines run on, instead of the runtime's (see `init`). */
export function setEngineBackend(factory: () => Backend): void {
  backendFactory = factory;
}

/** Whether to run the fused path, given why it cannot (null: it can); 'fused' insists, so a reason throws. */
function applies(reason: string | null): boolean {
  if (preference === 'autograd') return false;
  if (reason !== null && preference === 'fused') throw new Error(`the fused engine was requested but ${reason}`);
  return reason === null;
}

function fusedApplies(model: RNNModel): boolean {
  return applies(fusedUnsupported(model));
}

/**
 * A one-token-at-a-time generator for this model with its current weights packed and a zero state, or null when
 * the autograd path should run. It is reused between calls, so generation allocates nothing per token.
 */
export function fusedGeneratorFor(model: RNNModel): FusedGenerator | null {
  if (!fusedApplies(model)) return null;
  let generator = generators.get(model);
  if (generator === undefined) {
    generator = new FusedGenerator(model, backendFactory());
    generators.set(model, generator);
  } else generator.refresh();
  return generator;
}

/** The fused engine for this model, or null when the autograd path should run. */
export function fusedEngineFor(model: RNNModel): FusedLanguageModel | null {
  if (!fusedApplies(model)) return null;
  let engine = engines.get(model);
  if (engine === undefined) {
    engine = new FusedLanguageModel(model, backendFactory());
    engines.set(model, engine);
  }
  return engine;
}

/** The fused engine for a SequenceRegressor or SequenceClassifier, or null when the autograd path should run. */
export function fusedSequenceEngineFor(model: SequenceModel): FusedSequenceEngine | null {
  if (!applies(fusedSequenceUnsupported(model))) return null;
  let engine = sequenceEngines.get(model);
  if (engine === undefined) {
    engine = new FusedSequenceModel(model, backendFactory());
    sequenceEngines.set(model, engine);
  }
  return engine;
}

export { FusedLanguageModel, FusedGenerator, FusedSequenceModel, fusedUnsupported, fusedSequenceUnsupported };

// The default of every option a user can leave out, in one place: the library (buildModel, trainOnText,
// prepareCorpus, Trainer) fills them in from here, and the CLI's flags (src/cli/args.ts) show and use the same
// values, so `lstm train` without flags and `trainOnText(text)` without options train the same model the same way.
// Training defaults follow d2l ch. 8-9 (batch 32 x 35 steps, sequential minibatches, clipping at 1) with Adam.

export const MODEL_DEFAULTS = Object.freeze({
  cell: 'lstm',
  hiddenSize: 256,
  numLayers: 1,
  /** Between stacked layers only. */
  dropout: 0,
  seed: 0,
} as const);

export const TEXT_DEFAULTS = Object.freeze({
  tokens: 'char',
  preprocess: 'none',
} as const);

export const TRAIN_DEFAULTS = Object.freeze({
  batchSize: 32,
  numSteps: 35,
  epochs: 10,
  clip: 1,
  optimizer: 'adam',
  weightDecay: 0,
  momentum: 0,
  sampling: 'sequential',
  /** The tail of the text held out for validation perplexity. */
  validFraction: 0.1,
  lrSchedule: 'constant',
  lrGamma: 0.1,
  minLr: 0,
  seed: 0,
} as const);

/** Learning rates that work for the defaults: d2l uses 1 with plain SGD; Adam wants far smaller steps. */
export function defaultLearningRate(optimizer: 'sgd' | 'adam'): number {
  return optimizer === 'sgd' ? 1 : 0.002;
}

/** The 'step' schedule decays every third of the run unless told otherwise. */
export function defaultLrStepEpochs(epochs: number): number {
  return Math.max(1, Math.floor(epochs / 3));
}

// Forecasting and classification: the settings scripts/tasks/README.md chose by PyTorch sweeps on the built-in
// sets (daily US births; female/male first names), where the model, the optimizer and the schedule are the ones
// the PyTorch reference scripts use. Anything not listed here is the language model's default above.

export const FORECAST_DEFAULTS = Object.freeze({
  /** Past steps the model reads. */
  window: 28,
  /** Steps ahead it predicts, all at once from one head. */
  horizon: 7,
  loss: 'mae',
  cell: 'lstm',
  hiddenSize: 64,
  numLayers: 1,
  bidirectional: false,
  /** The tail of the rows held out for validation (before the test rows). */
  validFraction: 0.1,
  /** The last rows, held out for the test metrics. */
  testFraction: 0.1,
  fill: 'error',
  batchSize: 64,
  epochs: 30,
  lr: 0.003,
  lrSchedule: 'cosine',
} as const);

export const CLASSIFY_DEFAULTS = Object.freeze({
  tokens: 'char',
  lowercase: true,
  /** Tokens kept of each text; longer ones are cut (and counted). */
  maxLength: 500,
  embeddingDim: 32,
  cell: 'lstm',
  hiddenSize: 64,
  numLayers: 1,
  bidirectional: true,
  pool: 'last',
  validFraction: 0.1,
  testFraction: 0.1,
  batchSize: 32,
  epochs: 10,
  lr: 0.003,
  lrSchedule: 'cosine',
} as const);

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

// Training and generation: model configs, corpus preparation, the truncated-BPTT step and trainer, checkpoints,
// text generation, and whole jobs (train on a text, resume, evaluate, generate) for command-line front ends.
export { buildModel, countParameters, describeModel, shortModelName, validateModelConfig, type CellKind, type ModelConfig } from './model-config.js';
export { prepareCorpus, textToTokens, validateTextSettings, type PrepareOptions, type PreparedCorpus, type TextSettings } from './corpus.js';
export { detachState, evaluateLoss, lossAndGrad, type EvaluateOptions, type Evaluation, type StepResult, type TokenBatch } from './step.js';
export {
  DEFAULT_TRAIN_OPTIONS, defaultLearningRate, makeOptimizer, makeSchedule, resolveTrainOptions,
  type LRScheduleKind, type OptimizerKind, type TrainOptions,
} from './options.js';
export {
  Trainer, TrainingDivergedError,
  type BatchInfo, type EpochStats, type FitControls, type FitResult, type StopReason, type TrainerProgress, type TrainerSnapshot,
} from './trainer.js';
export {
  CHECKPOINT_FORMAT, CHECKPOINT_VERSION, checkpointContents, decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint,
  type Checkpoint, type CheckpointInput, type CheckpointMetadata, type CorpusInfo,
} from './checkpoint.js';
export { argmax, generate, pickToken, type GenerateOptions, type SamplingStrategy } from './generate.js';
export {
  corpusChecksum, evaluateCheckpoint, evaluateText, generateFromCheckpoint, resumeTraining, trainOnText,
  type EvaluateTextOptions, type ResumeOptions, type ResumeOverrides, type RunControls, type RunStart, type TrainTextOptions, type TrainingRun,
} from './session.js';
export {
  accuracy, baselineForecasts, confusionMatrix, f1PerClass, forecastMetrics, mae, macroF1, majorityBaseline, mase, naiveForecast, rmse,
  seasonalNaiveForecast, seasonalNaiveScale, smape, windowTruth, type ForecastMetrics,
} from './metrics.js';

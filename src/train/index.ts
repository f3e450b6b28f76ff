// Training and generation: the task seam and the trainer that drives any task, language modelling as one task
// (model configs, corpus preparation, the truncated-BPTT step), checkpoints, text generation, and whole jobs
// (train on a text, resume, evaluate, generate) for command-line front ends.
export { buildModel, countParameters, describeModel, shortModelName, validateModelConfig, withModelDefaults, type CellKind, type ModelConfig, type ModelSettings } from './model-config.js';
export { CLASSIFY_DEFAULTS, FORECAST_DEFAULTS, MODEL_DEFAULTS, TEXT_DEFAULTS, TRAIN_DEFAULTS } from './defaults.js';
export { prepareCorpus, textToTokens, validateTextSettings, type PrepareOptions, type PreparedCorpus, type ResolvedTextSettings, type TextSettings } from './corpus.js';
export { detachState, evaluateLoss, lossAndGrad, type EvaluateOptions, type Evaluation, type StepResult, type TokenBatch } from './step.js';
export {
  DEFAULT_TRAIN_OPTIONS, defaultLearningRate, makeOptimizer, makeSchedule, resolveTrainOptions,
  type LRScheduleKind, type OptimizerKind, type TrainOptions,
} from './options.js';
export {
  TASK_KINDS, checkpointTaskKind, wrongTaskError,
  type AnyTask, type BatchLoss, type DataOf, type MetricGoal, type MetricsOf, type Task, type TaskEpoch, type TaskKind, type TaskLoader,
  type TrainableModel, type TrainingSummary,
} from './task.js';
export { LanguageModelTask, type LanguageModelInfo, type LanguageModelMetrics } from './lm-task.js';
export { bestEpochIndex, epochsWithoutImprovement, type Monitor } from './early-stopping.js';
export {
  Trainer, TrainingDivergedError,
  type BatchInfo, type EpochBase, type EpochStats, type FitControls, type FitResult, type StopReason, type TrainerProgress, type TrainerSnapshot,
} from './trainer.js';
export {
  CHECKPOINT_FORMAT, CHECKPOINT_VERSION, LANGUAGE_MODEL_LOADER, checkpointContents, decodeCheckpoint, decodeTaskCheckpoint, encodeCheckpoint,
  loadCheckpoint, loadTaskCheckpoint, saveCheckpoint, saveTaskCheckpoint, taskCheckpointContents,
  type Checkpoint, type CheckpointInput, type CheckpointMetadata, type CheckpointPlan, type CorpusInfo, type TaskCheckpoint,
} from './checkpoint.js';
export type { TensorSpec } from '../io/tensor-spec.js';
export { argmax, generate, pickToken, type GenerateOptions, type SamplingStrategy } from './generate.js';
export {
  corpusChecksum, evaluateCheckpoint, evaluateText, generateFromCheckpoint, resumeTraining, trainOnText,
  type EvaluateTextOptions, type ResumeOptions, type ResumeOverrides, type RunControls, type RunStart, type TrainTextOptions, type TrainingRun,
} from './session.js';
export {
  accuracy, baselineForecasts, confusionMatrix, f1PerClass, forecastMetrics, mae, macroF1, majorityBaseline, mase, naiveForecast, rmse,
  seasonalNaiveForecast, seasonalNaiveScale, smape, windowTruth, type ForecastMetrics,
} from './metrics.js';
export {
  buildClassifier, buildForecaster, countTaskParameters, describeTaskModel, shortTaskModelName, validateClassifierConfig, validateForecasterConfig,
  type ClassifierConfig, type ForecasterConfig, type RecurrentConfig,
} from './sequence-config.js';
export { REGRESSION_LOSSES, sequenceForward, sequenceLossAndGrad, type HeadLossOptions, type RegressionLoss, type SequenceBatchInput, type SequenceStepResult } from './sequence-step.js';
export { ForecastTask, windowRows, type DataInfo, type ForecastEvaluation, type ForecastInfo, type ForecastMetricsByEpoch, type ForecastSettings } from './forecast-task.js';
export { ClassifyTask, classifyRows, type ClassifyData, type ClassifyEvaluation, type ClassifyInfo, type ClassifyMetricsByEpoch, type ClassifySettings } from './classify-task.js';
export { CLASSIFY_LOADER, FORECAST_LOADER } from './task-loaders.js';
export {
  dataChecksum, encodeTaskCheckpoint, resumedSnapshot, runTask,
  type TaskResumeOptions, type TaskRunControls, type TaskRunPaths, type TaskRunResult, type TaskRunStart,
} from './task-run.js';
export {
  allWindows, forecastDataFor, forecastNext, forecastReport, forecastTraining, loadForecaster, resumeForecaster, seriesForTask, trainForecaster,
  type Forecast, type ForecastReport, type ForecastRun, type ForecasterOptions,
} from './forecast-session.js';
export { forecastLines, type ForecastLines } from './forecast-chart.js';
export {
  classifyDataFor, classifyReport, classifyTexts, classifyTraining, encodeExamples, examplesChecksum, loadClassifier, resumeClassifier, trainClassifier,
  type Classification, type ClassifierOptions, type ClassifyPrepared, type ClassifyReport, type ClassifyRun,
} from './classify-session.js';

// Whole jobs on top of the pieces, one function per command a user runs: train a model on a text (saving a
// checkpoint after every epoch and when stopped early, and optionally a copy of the best epoch's beside it),
// resume from a checkpoint, evaluate a checkpoint's perplexity on a text, and generate from a checkpoint. A run
// that diverges throws before anything is saved, so the last checkpoint on disk stays the last good one.
import { Random } from '../core/random.js';
import type { TextSource } from '../data/text-source.js';
import type { Vocab } from '../data/vocab.js';
import type { RNNModel } from '../nn/rnn-model.js';
import { prepareCorpus, validateTextSettings, type ResolvedTextSettings, type TextSettings } from './corpus.js';
import { saveCheckpoint, loadCheckpoint, type Checkpoint, type CorpusInfo } from './checkpoint.js';
import { generate, type GenerateOptions } from './generate.js';
import { buildModel, shortModelName, validateModelConfig, withModelDefaults, type ModelConfig, type ModelSettings } from './model-config.js';
import { assertModelFits, optimizerBufferCount } from './model-spec.js';
import { resolveTrainOptions, type TrainOptions } from './options.js';
import { evaluateLoss, type Evaluation } from './step.js';
import { Trainer, type FitControls, type FitResult } from './trainer.js';

export interface TrainTextOptions {
  /** Everything but vocabSize, which comes from the text; any field left out takes its default (defaults.ts). */
  model?: ModelSettings;
  /** Default: characters, no preprocessing. */
  text?: TextSettings;
  /** Train on the first N tokens only (0 = all). */
  maxTokens?: number;
  /** Tokens seen fewer times become '<unk>'. */
  minFreq?: number;
  training?: Partial<TrainOptions>;
  /** Where to save after every epoch and when stopped early (maxSeconds, abort, maxEpochs). */
  checkpointPath?: string;
  /** Where to keep the checkpoint of the best epoch so far by the watched metric (training.monitor, default valPerplexity). */
  bestCheckpointPath?: string;
  controls?: RunControls;
}

/** The training options a resumed run may change without invalidating the optimizer state it continues. */
export type ResumeOverrides = Partial<Pick<TrainOptions, 'epochs' | 'lr' | 'clip' | 'lrSchedule' | 'lrStepEpochs' | 'lrGamma' | 'minLr' | 'patience'>>;
export const RESUME_OVERRIDES: ReadonlyArray<keyof ResumeOverrides> = ['epochs', 'lr', 'clip', 'lrSchedule', 'lrStepEpochs', 'lrGamma', 'minLr', 'patience'];

export interface ResumeOptions {
  overrides?: ResumeOverrides;
  /** Defaults to the value the checkpoint was trained with. */
  maxTokens?: number;
  /** Where to keep saving; defaults to the checkpoint being resumed. */
  checkpointPath?: string;
  /** Where to keep the best epoch's checkpoint (as in TrainTextOptions); none by default. */
  bestCheckpointPath?: string;
  controls?: RunControls;
}

/** What a run is about to train, for a front end to print before the first epoch. */
export interface RunStart {
  config: ModelConfig;
  vocab: Vocab;
  trainer: Trainer;
  trainTokens: number;
  validTokens: number;
  unknownCount: number;
}

export interface RunControls extends FitControls {
  onStart?: (start: RunStart) => void | Promise<void>;
}

export interface TrainingRun {
  config: ModelConfig;
  text: ResolvedTextSettings;
  vocab: Vocab;
  model: RNNModel;
  trainer: Trainer;
  result: FitResult;
  corpus: CorpusInfo & { trainTokens: number; validTokens: number; unknownCount: number };
  /** False when resuming on a text other than the one the checkpoint was trained on. */
  sameCorpus: boolean;
}

/** FNV-1a over the ids: enough to tell whether a resumed run sees the same token stream. */
export function corpusChecksum(ids: Int32Array): string {
  let h = 0x811c9dc5;
  for (let k = 0; k < ids.length; k++) {
    const v = ids[k]!;
    for (let shift = 0; shift < 32; shift += 8) h = Math.imul(h ^ ((v >>> shift) & 0xff), 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

type Save = (trainer: Trainer, corpus: CorpusInfo, path: string) => Promise<void>;

interface Paths {
  last?: string;
  best?: string;
}

async function run(start: Omit<RunStart, 'trainTokens' | 'validTokens'>, ids: Int32Array, corpus: CorpusInfo, save: Save, paths: Paths, controls: RunControls) {
  const { trainer } = start;
  const { train, valid } = trainer.split(ids);
  if (paths.best !== undefined) trainer.checkMonitor(valid !== null);
  await controls.onStart?.({ ...start, trainTokens: train.length, validTokens: valid?.length ?? 0 });
  const result = await trainer.fit(train, valid, {
    ...controls,
    onEpoch: async (stats) => {
      if (paths.last !== undefined) await save(trainer, corpus, paths.last);
      if (paths.best !== undefined && trainer.best?.epoch === stats.epoch) await save(trainer, corpus, paths.best);
      await controls.onEpoch?.(stats);
    },
  });
  const finished = result.stopReason === 'completed' || result.stopReason === 'earlyStopped';
  if (!finished && paths.last !== undefined) await save(trainer, corpus, paths.last);
  return { result, trainTokens: train.length, validTokens: valid?.length ?? 0 };
}

/** Builds the vocabulary and model from `text` and trains; throws TrainingDivergedError on NaN/Inf. */
export async function trainOnText(text: TextSource, options: TrainTextOptions = {}): Promise<TrainingRun> {
  const settings = validateTextSettings(options.text ?? {});
  const prepared = prepareCorpus(text, settings, { maxTokens: options.maxTokens, minFreq: options.minFreq });
  const config = validateModelConfig(withModelDefaults({ ...options.model, vocabSize: prepared.vocab.size }));
  const resolved = resolveTrainOptions(options.training ?? {});
  const use = { batchSize: resolved.batchSize, numSteps: resolved.numSteps, optimizerBuffers: optimizerBufferCount(resolved.optimizer, resolved.momentum) };
  assertModelFits(config, use, `training ${shortModelName(config)} over ${config.vocabSize} tokens with batch ${resolved.batchSize} x ${resolved.numSteps}`);
  const model = buildModel(config);
  const trainer = new Trainer(model, options.training ?? {});
  const corpus: CorpusInfo = {
    maxTokens: options.maxTokens ?? 0,
    minFreq: options.minFreq ?? 0,
    tokenCount: prepared.tokenCount,
    checksum: corpusChecksum(prepared.ids),
  };
  const save = (t: Trainer, c: CorpusInfo, path: string): Promise<void> =>
    saveCheckpoint(path, { config, model, text: settings, vocab: prepared.vocab, trainer: t, corpus: c });
  const start = { config, vocab: prepared.vocab, trainer, unknownCount: prepared.unknownCount };
  const paths = { last: options.checkpointPath, best: options.bestCheckpointPath };
  const done = await run(start, prepared.ids, corpus, save, paths, options.controls ?? {});
  return {
    config, text: settings, vocab: prepared.vocab, model, trainer, result: done.result, sameCorpus: true,
    corpus: { ...corpus, trainTokens: done.trainTokens, validTokens: done.validTokens, unknownCount: prepared.unknownCount },
  };
}

/** Continues the run saved at `checkpointPath` on `text` (which should be the text it was trained on). */
export async function resumeTraining(checkpointPath: string, text: TextSource, options: ResumeOptions = {}): Promise<TrainingRun> {
  const ckpt = await loadCheckpoint(checkpointPath);
  if (ckpt.training === null) throw new Error(`${checkpointPath} holds weights only (saved without training state), so there is nothing to resume`);
  const allowed: ReadonlySet<string> = new Set(RESUME_OVERRIDES);
  const overrides = Object.fromEntries(Object.entries(options.overrides ?? {}).filter(([, v]) => v !== undefined));
  const refused = Object.keys(overrides).filter((k) => !allowed.has(k));
  if (refused.length > 0) throw new Error(`cannot change ${refused.join(', ')} when resuming (only ${[...allowed].join(', ')})`);
  const progress = { ...ckpt.training.progress, options: { ...ckpt.training.progress.options, ...overrides } };
  const trainer = new Trainer(ckpt.model, {}, { ...ckpt.training, progress });
  const saved = ckpt.corpus;
  const maxTokens = options.maxTokens ?? saved?.maxTokens ?? 0;
  const prepared = prepareCorpus(text, ckpt.text, { vocab: ckpt.vocab, maxTokens });
  const checksum = corpusChecksum(prepared.ids);
  const corpus: CorpusInfo = { maxTokens, minFreq: saved?.minFreq ?? 0, tokenCount: prepared.tokenCount, checksum };
  const { config, model, vocab } = ckpt;
  const save = (t: Trainer, c: CorpusInfo, path: string): Promise<void> => saveCheckpoint(path, { config, model, text: ckpt.text, vocab, trainer: t, corpus: c });
  const paths = { last: options.checkpointPath ?? checkpointPath, best: options.bestCheckpointPath };
  const done = await run({ config, vocab, trainer, unknownCount: prepared.unknownCount }, prepared.ids, corpus, save, paths, options.controls ?? {});
  return {
    config, text: ckpt.text, vocab, model, trainer, result: done.result,
    sameCorpus: saved === null || saved.checksum === checksum,
    corpus: { ...corpus, trainTokens: done.trainTokens, validTokens: done.validTokens, unknownCount: prepared.unknownCount },
  };
}

export interface EvaluateTextOptions {
  /** Defaults to the checkpoint's training batchSize (32 without one). */
  batchSize?: number;
  /** Defaults to the checkpoint's training numSteps (35 without one). */
  numSteps?: number;
  maxTokens?: number;
}

/** Perplexity of a saved model on `text`, tokenized with the checkpoint's settings and vocabulary. */
export async function evaluateCheckpoint(checkpointPath: string, text: TextSource, options: EvaluateTextOptions = {}): Promise<Evaluation & { unknownCount: number }> {
  const ckpt = await loadCheckpoint(checkpointPath);
  return evaluateText(ckpt, text, options);
}

export function evaluateText(ckpt: Checkpoint, text: TextSource, options: EvaluateTextOptions = {}): Evaluation & { unknownCount: number } {
  const prepared = prepareCorpus(text, ckpt.text, { vocab: ckpt.vocab, maxTokens: options.maxTokens });
  const trained = ckpt.training?.progress.options;
  const batchSize = options.batchSize ?? trained?.batchSize ?? 32;
  const numSteps = options.numSteps ?? trained?.numSteps ?? 35;
  const evaluation = evaluateLoss(ckpt.model, prepared.ids, { batchSize, numSteps });
  return { ...evaluation, unknownCount: prepared.unknownCount };
}

/** Loads a checkpoint and continues `prefix`; `seed` makes sampling reproducible when no `random` is given. */
export async function generateFromCheckpoint(checkpointPath: string, prefix: string, options: GenerateOptions & { seed?: number }): Promise<string> {
  const ckpt = await loadCheckpoint(checkpointPath);
  const random = options.random ?? (options.seed === undefined ? undefined : new Random(options.seed));
  return generate(ckpt.model, ckpt.vocab, ckpt.text, prefix, { ...options, random });
}

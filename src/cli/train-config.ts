// From `lstm train` flags to the library's options: presets (flags the user gave override them), checks that
// need more than one flag, the --out path checks done before any training, and --resume's refusal of flags
// that contradict the checkpoint (the run would otherwise silently not be the one the user asked for).
import { statSync } from 'node:fs';
import type { OptionValueSource } from 'commander';
import { resolveTrainOptions, type Checkpoint, type ModelConfig, type ResumeOverrides, type ResolvedTextSettings, type TrainOptions } from '../train/index.js';
import { userMessage } from '../train/checkpoint-load.js';
import { assertModelFits, optimizerBufferCount } from '../train/model-spec.js';
import type { TrainFlags } from './args.js';
import { CliError } from './errors.js';
import { checkCommandFiles, type CommandFiles } from './outputs.js';
import { svgPathFor } from './svg.js';

/** Dive into Deep Learning ch. 8-9: The Time Machine, letters only, 10,000 chars, LSTM 256, SGD lr 1, 500 epochs. */
export const PRESETS: Readonly<Record<'d2l', Partial<TrainFlags>>> = {
  d2l: {
    preprocess: 'letters', tokens: 'char', maxTokens: 10000,
    cell: 'lstm', hidden: 256, layers: 1, dropout: 0,
    batch: 32, steps: 35, sampling: 'sequential',
    optimizer: 'sgd', lr: 1, clip: 1, weightDecay: 0, lrSchedule: 'constant', epochs: 500, valid: 0,
    prefix: 'time traveller',
  },
};

export interface TrainPlan {
  flags: TrainFlags;
  /** Flags given on the command line or set by the preset (not defaults). */
  given: Set<keyof TrainFlags>;
  model: Omit<ModelConfig, 'vocabSize'>;
  text: ResolvedTextSettings;
  training: Partial<TrainOptions>;
}

/** Command-line flags win over the preset, which wins over the defaults. */
export function applyPreset(flags: TrainFlags, sourceOf: (key: string) => OptionValueSource | undefined): { flags: TrainFlags; given: Set<keyof TrainFlags> } {
  const preset = flags.preset === undefined ? {} : PRESETS[flags.preset];
  const merged: Record<string, unknown> = { ...flags };
  const given = new Set<keyof TrainFlags>();
  for (const key of Object.keys(flags) as Array<keyof TrainFlags>) if (sourceOf(key) === 'cli') given.add(key);
  for (const [key, value] of Object.entries(preset) as Array<[keyof TrainFlags, unknown]>) {
    if (given.has(key)) continue;
    merged[key] = value;
    given.add(key);
  }
  return { flags: merged as unknown as TrainFlags, given };
}

export function planTraining(flags: TrainFlags, given: Set<keyof TrainFlags>): TrainPlan {
  if (flags.patience !== undefined && flags.valid === 0 && !flags.resume) {
    throw new CliError(`--patience ${flags.patience} watches the validation perplexity, so it needs --valid > 0`);
  }
  if (flags.dropout > 0 && flags.layers === 1) {
    throw new CliError(`--dropout ${flags.dropout} has no effect with --layers 1 (dropout is applied between stacked layers); use --layers 2 or more, or --dropout 0`);
  }
  const model: Omit<ModelConfig, 'vocabSize'> = {
    cell: flags.cell, hiddenSize: flags.hidden, numLayers: flags.layers, dropout: flags.dropout, seed: flags.seed,
    ...(flags.embedding === undefined ? {} : { embeddingDim: flags.embedding }),
  };
  const training: Partial<TrainOptions> = {
    batchSize: flags.batch, numSteps: flags.steps, epochs: flags.epochs, lr: flags.lr, clip: flags.clip,
    optimizer: flags.optimizer, weightDecay: flags.weightDecay, sampling: flags.sampling, validFraction: flags.valid, patience: flags.patience,
    lrSchedule: flags.lrSchedule, minLr: flags.minLr, lrStepEpochs: flags.lrStep, lrGamma: flags.lrGamma, seed: flags.seed,
  };
  const resolved = resolveTrainOptions(training, 'training options');
  // Absurd sizes are refused now, before the text is read; the vocabulary (known later) only adds to the need.
  const sizes = `--hidden ${flags.hidden} --layers ${flags.layers}${flags.embedding === undefined ? '' : ` --embedding ${flags.embedding}`} --batch ${flags.batch} --steps ${flags.steps}`;
  try {
    const use = { batchSize: resolved.batchSize, numSteps: resolved.numSteps, optimizerBuffers: optimizerBufferCount(resolved.optimizer, resolved.momentum) };
    assertModelFits({ ...model, dropout: 0, vocabSize: 1 }, use, sizes);
  } catch (err) {
    throw new CliError(userMessage(err));
  }
  if (resolved.lrSchedule === 'cosine' && resolved.minLr > resolved.lr) {
    throw new CliError(`--min-lr ${resolved.minLr} must not exceed the learning rate ${resolved.lr} (--lr)`);
  }
  return { flags, given, model, text: { tokens: flags.tokens, preprocess: flags.preprocess }, training };
}

/** Where --patience keeps the best epoch's checkpoint: book.safetensors -> book.best.safetensors. */
export function bestPathFor(out: string): string {
  return `${out.replace(/\.safetensors$/i, '')}.best.safetensors`;
}

/**
 * The files `lstm train` reads and writes: --data in; the checkpoint, its perplexity chart and (given `best`, the
 * path early stopping keeps the best epoch at) the best checkpoint out.
 */
export function trainFiles(flags: Pick<TrainFlags, 'out' | 'data' | 'resume' | 'force'>, best?: string): CommandFiles {
  const { out, resume = false, force = false } = flags;
  return {
    inputs: [...(flags.data === undefined ? [] : [{ flag: '--data', path: flags.data }]), ...(resume ? [{ flag: '--out (resumed)', path: out }] : [])],
    outputs: [
      {
        flag: '--out', path: out, continues: resume, alsoInput: resume,
        existsHint: `${out} already exists; use --resume to continue it, --force to replace it with a new run, or another --out`,
      },
      // A resumed run redraws its own chart; a new run replaces one only with --force.
      { flag: 'the perplexity chart', path: svgPathFor(out), continues: resume, existsHint: `${svgPathFor(out)} (the perplexity chart of --out) already exists; pass --force to replace it, or choose another --out` },
      ...(best === undefined ? [] : [{ flag: 'the best checkpoint', path: best, continues: resume, existsHint: `${best} (the best checkpoint beside --out) already exists; pass --force to replace it, or choose another --out` }]),
    ],
    force,
  };
}

/** Refuses an --out the run could not write, or would overwrite, before any time is spent training. */
export function checkOutPath(out: string, resume = false, force = false, data?: string, best?: string): void {
  const stat = statSync(out, { throwIfNoEntry: false });
  if (stat?.isDirectory()) throw new CliError(`--out ${out} is a directory; give a file name for the checkpoint`);
  if (resume && stat === undefined) throw new CliError(`--resume: no checkpoint at ${out} (--resume continues the checkpoint given by --out)`);
  checkCommandFiles(trainFiles({ out, data, resume, force }, best));
}

/** The flags a resumed run may change: the same ones resumeTraining accepts. */
export function resumeOverrides(plan: TrainPlan): ResumeOverrides {
  const { flags, given } = plan;
  const pick = <K extends keyof ResumeOverrides>(flag: keyof TrainFlags, key: K, value: ResumeOverrides[K]): ResumeOverrides =>
    (given.has(flag) ? { [key]: value } : {}) as ResumeOverrides;
  return {
    ...pick('epochs', 'epochs', flags.epochs),
    ...pick('lr', 'lr', flags.lr),
    ...pick('clip', 'clip', flags.clip),
    ...pick('lrSchedule', 'lrSchedule', flags.lrSchedule),
    ...pick('minLr', 'minLr', flags.minLr),
    ...pick('lrStep', 'lrStepEpochs', flags.lrStep),
    ...pick('lrGamma', 'lrGamma', flags.lrGamma),
    ...pick('patience', 'patience', flags.patience),
  };
}

/** Given flags that say something other than the checkpoint, as "--hidden 32 (checkpoint: 16)". */
export function resumeConflicts(plan: TrainPlan, ckpt: Checkpoint): string[] {
  const { flags, given } = plan;
  const options = ckpt.training?.progress.options;
  const saved: Array<[keyof TrainFlags, string, unknown]> = [
    ['tokens', '--tokens', ckpt.text.tokens],
    ['preprocess', '--preprocess', ckpt.text.preprocess],
    ['cell', '--cell', ckpt.config.cell],
    ['hidden', '--hidden', ckpt.config.hiddenSize],
    ['layers', '--layers', ckpt.config.numLayers],
    ['dropout', '--dropout', ckpt.config.dropout],
    ['embedding', '--embedding', ckpt.config.embeddingDim],
    ['seed', '--seed', ckpt.config.seed],
    ['batch', '--batch', options?.batchSize],
    ['steps', '--steps', options?.numSteps],
    ['optimizer', '--optimizer', options?.optimizer],
    ['weightDecay', '--weight-decay', options?.weightDecay],
    ['sampling', '--sampling', options?.sampling],
    ['valid', '--valid', options?.validFraction],
    ['maxTokens', '--max-tokens', ckpt.corpus?.maxTokens ?? 0],
  ];
  return saved
    .filter(([key, , value]) => given.has(key) && flags[key] !== value)
    .map(([key, flag, value]) => `${flag} ${String(flags[key])} (checkpoint: ${value === undefined ? 'none' : String(value)})`);
}

// `lstm train`: checks every flag, the --out path and (with --resume) the checkpoint against the flags and the
// text before any training, so a bad input never costs an epoch nor touches an existing file; then trains,
// printing per epoch, and finishes with the perplexity chart and a greedy sample. Ctrl-C stops after the current
// minibatch and saves, so --resume continues exactly there.
import { basename } from 'node:path';
import type { Command } from 'commander';
import { Random } from '../core/random.js';
import { detokenize, type Vocab } from '../data/index.js';
import { useEngine } from '../engine/index.js';
import { init, type RuntimeInfo } from '../kernels/runtime.js';
import {
  TrainingDivergedError, corpusChecksum, countParameters, describeModel, generate, loadCheckpoint, prepareCorpus, resumeTraining, textToTokens, trainOnText,
  type ResolvedTextSettings, type RunControls, type RunStart, type TrainingRun,
} from '../train/index.js';
import type { TrainFlags } from './args.js';
import { loadText, type CorpusText } from './data.js';
import { CliError, EXIT_INTERRUPTED } from './errors.js';
import { stopOnCtrlC } from './interrupt.js';
import { quoted } from './format.js';
import { HumanReporter, JsonReporter, type Reporter } from './output.js';
import { svgPathFor, writePerplexityChart } from './svg.js';
import { checkTaskFlags } from './task-args.js';
import { applyPreset, bestPathFor, checkOutPath, planTraining, resumeConflicts, resumeOverrides, type TrainPlan } from './train-config.js';

const write = (text: string): void => void process.stdout.write(text);

/** Runs the command; resolves to the exit code. */
export async function trainAction(options: TrainFlags, command: Command): Promise<number> {
  const given = (key: string): boolean => command.getOptionValueSource(key) === 'cli';
  checkTaskFlags(options.task, given);
  if (options.task !== 'language-model') return (await import('./task-train.js')).taskTrainAction(options, options.task, given);
  if (options.embedding === 0) options = { ...options, embedding: undefined }; // 0: one-hot, the language model's default
  return languageModelAction(options, command);
}

async function languageModelAction(options: TrainFlags, command: Command): Promise<number> {
  const { flags, given } = applyPreset({ ...options, resume: options.resume === true, force: options.force === true, json: options.json === true }, (key) => command.getOptionValueSource(key));
  const plan = planTraining(flags, given);
  useEngine(flags.engine);
  // Every file the run writes is checked before any work: --out, its chart and, with --patience, the best epoch's
  // checkpoint beside it. A resumed run keeps its best checkpoint where the run did (its saved patience, known once
  // the checkpoint is read), so that file is checked again then.
  const bestFor = (patience: number | undefined): string | undefined => (patience === undefined ? undefined : bestPathFor(flags.out));
  checkOutPath(flags.out, flags.resume, flags.force, flags.data, bestFor(flags.patience));
  const corpus = await loadText(flags.data, flags.maxDataSize);
  const savedPatience = flags.resume ? await checkResumable(plan, corpus) : undefined;
  const best = bestFor(flags.patience ?? savedPatience);
  if (best !== undefined && flags.patience === undefined) checkOutPath(flags.out, flags.resume, flags.force, flags.data, best);
  const runtime = await init({ backend: flags.backend, threads: flags.threads ?? 'auto' });

  const terminal = process.stdout.isTTY === true && !flags.json ? process.stdout : null;
  const reporter: Reporter = flags.json ? new JsonReporter(write) : new HumanReporter(write, terminal);
  const ctrlC = stopOnCtrlC(() => reporter.close());
  const started = performance.now();
  let prefix: string | null = null;
  let savedEpoch: number | null = null;
  const controls: RunControls = {
    signal: ctrlC.signal,
    onStart: (start) => {
      checkEnoughText(start, plan);
      savedEpoch = flags.resume ? start.trainer.epoch : null;
      prefix = flags.sampleLength > 0 ? samplePrefix(flags.prefix, corpus.head(4000), start.trainer.options.numSteps, plan.text, start.vocab) : null;
      reporter.start({
        corpus: corpus.source, builtin: corpus.builtin, textSettings: `${plan.text.tokens}, preprocess ${plan.text.preprocess}`,
        tokens: start.trainTokens + start.validTokens, trainTokens: start.trainTokens, validTokens: start.validTokens, vocabSize: start.vocab.size,
        model: describeModel(start.config), training: describeTraining(start, flags.engine, runtime), checkpoint: flags.out,
        resumed: flags.resume ? { epoch: start.trainer.epoch, batch: start.trainer.batch } : null,
        totalEpochs: start.trainer.options.epochs,
      });
    },
    onBatch: (info) => reporter.batch(info),
    onEpoch: (stats) => {
      savedEpoch = stats.epoch;
      reporter.epoch(stats);
    },
  };

  let run: TrainingRun;
  try {
    run = flags.resume
      ? await resumeTraining(flags.out, corpus.text, { overrides: resumeOverrides(plan), bestCheckpointPath: best, controls })
      : await trainOnText(corpus.text, {
        model: plan.model, text: plan.text, maxTokens: flags.maxTokens, training: plan.training, checkpointPath: flags.out, bestCheckpointPath: best, controls,
      });
  } catch (err) {
    if (err instanceof TrainingDivergedError) {
      const kept = savedEpoch === null ? `no checkpoint was written to ${flags.out}` : `${flags.out} keeps the last good state (epoch ${savedEpoch})`;
      throw new CliError(`${err.message}; ${kept}`);
    }
    // The trainer names its option; the user typed the flag.
    if (err instanceof Error && /^validFraction /.test(err.message)) throw new CliError(err.message.replace(/^validFraction/, '--valid') + ' (use a longer text, a larger --valid, or --valid 0)');
    throw err;
  } finally {
    reporter.close();
    ctrlC.trained();
  }

  const history = run.trainer.history;
  const last = history.length > 0 ? history[history.length - 1]! : null;
  let svg: string | null = null;
  if (history.length > 0) {
    svg = svgPathFor(flags.out);
    const title = `${describeShort(run)} on ${corpus.builtin ? 'Moby Dick' : basename(corpus.source)}`;
    await writePerplexityChart(svg, history, { title });
  }
  const completed = run.result.stopReason === 'completed' || run.result.stopReason === 'earlyStopped';
  const { sampleStrategy: strategy, sampleTopK: topK, sampleTemperature: temperature } = flags;
  const sample = completed && prefix !== null
    ? generate(run.model, run.vocab, run.text, prefix, { length: flags.sampleLength, strategy, topK, temperature, random: new Random(flags.seed) })
    : null;
  const drawn = `${strategy === 'top-k' ? `top-k ${topK}` : strategy}${temperature !== 1 ? `, temperature ${temperature}` : ''}, seed ${flags.seed}`;
  reporter.finish({
    stopReason: run.result.stopReason,
    epochs: run.trainer.epoch,
    loss: last?.loss ?? null,
    perplexity: last?.perplexity ?? null,
    valPerplexity: last?.valPerplexity ?? null,
    seconds: (performance.now() - started) / 1000,
    checkpoint: flags.out,
    best: best === undefined || run.trainer.best === null ? null : { checkpoint: best, epoch: run.trainer.best.epoch, patience: run.trainer.options.patience ?? null },
    svg,
    prefix: sample === null ? null : prefix,
    sample,
    sampleStrategy: sample === null ? null : strategy === 'greedy' ? 'greedy' : drawn,
    greedyCommand: sample === null || strategy === 'greedy' ? null : `lstm generate --model ${flags.out} --prefix ${quoted(prefix!)} --length ${flags.sampleLength}`,
    corpus: corpus.source,
    vocabSize: run.vocab.size,
    parameters: countParameters(run.config),
  });
  return completed ? 0 : EXIT_INTERRUPTED;
}

/** --resume only makes sense on the run the checkpoint holds: same model settings and the same tokens. Returns its patience. */
async function checkResumable(plan: TrainPlan, corpus: CorpusText): Promise<number | undefined> {
  const { out } = plan.flags;
  const ckpt = await loadCheckpoint(out);
  if (ckpt.training === null) throw new CliError(`--resume: ${out} holds weights only (no training state), so there is nothing to resume`);
  const conflicts = resumeConflicts(plan, ckpt);
  if (conflicts.length > 0) {
    throw new CliError(`--resume: ${conflicts.join(', ')} conflict${conflicts.length > 1 ? '' : 's'} with ${out}; drop ${conflicts.length > 1 ? 'those flags' : 'the flag'} or start a new run with --force`);
  }
  const progress = ckpt.training.progress;
  const epochs = resumeOverrides(plan).epochs ?? progress.options.epochs;
  if (progress.epoch >= epochs) {
    const asked = plan.given.has('epochs') ? `--epochs ${epochs} asks for no more` : `that was the run's total`;
    throw new CliError(`--resume: ${out} has already completed ${progress.epoch} epochs and ${asked}; pass a larger total with --epochs to train further`);
  }
  const saved = ckpt.corpus;
  if (saved !== null) {
    const prepared = prepareCorpus(corpus.text, ckpt.text, { vocab: ckpt.vocab, maxTokens: saved.maxTokens });
    if (corpusChecksum(prepared.ids) !== saved.checksum) {
      const limit = saved.maxTokens > 0 ? ` (first ${saved.maxTokens} tokens)` : '';
      throw new CliError(`--resume: ${corpus.source} is not the text ${out} was trained on${limit}; give the same --data to continue`);
    }
  }
  return progress.options.patience;
}

/** The sampler's own check, said in terms of the flags, before the first epoch rather than inside it. */
function checkEnoughText(start: RunStart, plan: TrainPlan): void {
  const { batchSize: b, numSteps: s, sampling } = start.trainer.options;
  const needed = b * s + s + (sampling === 'sequential' ? 1 : 0);
  if (start.trainTokens < needed) {
    const what = start.validTokens > 0 ? 'after the validation split, the training text has' : 'the text has';
    const limit = plan.flags.maxTokens > 0 ? ` (with --max-tokens ${plan.flags.maxTokens})` : '';
    throw new CliError(`${what} ${start.trainTokens} tokens${limit}, too few for one minibatch of --batch ${b} x --steps ${s} (needs at least ${needed}); use a longer text or smaller --batch/--steps`);
  }
}

/** The given --prefix (checked against the vocabulary now, not after training), or the text's first tokens. */
function samplePrefix(given: string | undefined, head: string, numSteps: number, settings: ResolvedTextSettings, vocab: Vocab): string {
  const asTyped = { ...settings, preprocess: 'none' as const };
  if (given !== undefined) {
    const tokens = textToTokens(given, asTyped);
    if (tokens.length === 0) throw new CliError('--prefix is empty; give at least one token to start the sample from');
    const unknown = [...new Set(tokens.filter((t) => !vocab.has(t)))];
    if (unknown.length > 0) {
      const what = settings.tokens === 'char' ? 'characters' : 'words';
      const hint = settings.preprocess === 'letters' ? ' (the text is preprocessed to lower-case letters and spaces)' : '';
      throw new CliError(`--prefix has ${what} not in the vocabulary: ${unknown.map((t) => `'${quoted(t).slice(1, -1)}'`).join(', ')}${hint}`);
    }
    return given;
  }
  // A few tokens of context, as a user would type: ten characters or three words (never more than a window).
  const count = Math.min(settings.tokens === 'char' ? 10 : 3, numSteps);
  const first = textToTokens(head, settings).slice(0, count).filter((t) => vocab.has(t));
  return first.length > 0 ? detokenize(first, settings.tokens) : vocab.tokenAt(vocab.size - 1);
}

function describeTraining(start: RunStart, engine: string, runtime: RuntimeInfo): string {
  const o = start.trainer.options;
  const schedule = o.lrSchedule === 'constant' ? '' : o.lrSchedule === 'cosine' ? ` (cosine to ${o.minLr})` : ` (x${o.lrGamma} every ${o.lrStepEpochs} epochs)`;
  const decay = o.weightDecay > 0 ? `, weight decay ${o.weightDecay}` : '';
  const clip = o.clip > 0 ? `clip ${o.clip}` : 'no clipping';
  const patience = o.patience === undefined ? '' : `, patience ${o.patience}`;
  return `${o.epochs} epochs${patience}, ${o.optimizer} lr ${o.lr}${schedule}${decay}, ${clip}, batch ${o.batchSize} x ${o.numSteps} steps, ${o.sampling} sampling, seed ${o.seed}, engine ${engine} (${runtime.backend} kernels, ${runtime.threads} thread${runtime.threads > 1 ? 's' : ''})`;
}

function describeShort(run: TrainingRun): string {
  const c = run.config;
  return `${c.cell.toUpperCase()} ${c.hiddenSize}x${c.numLayers}, ${run.text.tokens} tokens`;
}

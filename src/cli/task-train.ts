// `lstm train --task forecast|classify`: the language model's habits for the other two jobs. Every flag, the output
// files (--out, the best checkpoint beside it, a forecast's SVG) and, with --resume, the checkpoint against the flags
// and the data are checked before any training, so a bad input costs no epoch and touches no file; then it trains
// (progress bar or --json lines, Ctrl-C saves and --resume continues exactly there) and prints the test metrics of
// the best validation epoch beside the baselines. What differs between the tasks is in forecast-cli.ts and
// classify-cli.ts behind one TaskCommand.
import type { Command } from 'commander';
import { useEngine } from '../engine/index.js';
import { init, type RuntimeInfo } from '../kernels/runtime.js';
import { TrainingDivergedError, type AnyTask, type ResumeOverrides, type TaskLoader, type TrainOptions } from '../train/index.js';
import type { TaskResumeOptions, TaskRunControls, TaskRunPaths, TaskRunStart } from '../train/task-run.js';
import type { FitResult, Trainer } from '../train/trainer.js';
import { loadTaskCheckpoint } from '../train/checkpoint.js';
import type { TrainFlags } from './args.js';
import { CliError, EXIT_INTERRUPTED } from './errors.js';
import { stopOnCtrlC } from './interrupt.js';
import { formatSeconds } from './format.js';
import { HumanTaskReporter, JsonTaskReporter, type EpochView, type TaskReporter } from './task-output.js';
import { defaultOutFor, taskTrainingDefaults } from './task-args.js';
import { bestPathFor, planTraining, resumeOverrides } from './train-config.js';
import { checkCommandFiles, type OutputFile } from './outputs.js';
import { statSync } from 'node:fs';

/** A run as the library returns it, whichever the task. */
export interface TaskRun<T extends AnyTask> {
  task: T;
  trainer: Trainer<T>;
  result: FitResult<object>;
  keptEpoch: number | null;
}

/** One task's part of the command. `Input` is its data as loaded (a series, labelled examples). */
export interface TaskCommand<T extends AnyTask, Input, Run extends TaskRun<T>, Data = unknown> {
  loader: TaskLoader<T>;
  view: EpochView;
  /** Files the run writes besides the checkpoints (a forecast's SVG), as [what, path]. */
  extraOutputs(out: string): Array<[string, string]>;
  load(flags: TrainFlags): Promise<Input>;
  /** Given flags that say something else than the checkpoint, as "--hidden 32 (checkpoint: 16)". */
  conflicts(flags: TrainFlags, given: (key: string) => boolean, task: T, options: TrainOptions): string[];
  /** Refuses data other than the checkpoint's (one line). */
  checkSameData(task: T, input: Input, out: string): void;
  train(input: Input, flags: TrainFlags, training: Partial<TrainOptions>, paths: TaskRunPaths, controls: TaskRunControls<T, Data>): Promise<Run>;
  resume(out: string, input: Input, options: TaskResumeOptions<T, Data>): Promise<Run>;
  header(start: TaskRunStart<T, Data>, input: Input, runtime: string): string[];
  /** The closing lines and the --json summary; writes the task's extra files. */
  finish(run: Run, input: Input, out: string): Promise<{ lines: string[]; summary: Record<string, unknown> }>;
}

const write = (text: string): void => void process.stdout.write(text);

/** The flags with the task's defaults where the user gave none. */
export function withTaskDefaults(options: TrainFlags, task: 'forecast' | 'classify', given: (key: string) => boolean): TrainFlags {
  const flags: TrainFlags = { ...options, resume: options.resume === true, force: options.force === true, json: options.json === true };
  const defaults = taskTrainingDefaults(task) as Partial<TrainFlags>;
  for (const [key, value] of Object.entries(defaults)) if (!given(key)) (flags as unknown as Record<string, unknown>)[key] = value;
  if (!given('out')) flags.out = defaultOutFor(task);
  return flags;
}

export async function taskTrainAction(options: TrainFlags, kind: 'forecast' | 'classify', given: (key: string) => boolean): Promise<number> {
  const command = (kind === 'forecast' ? (await import('./forecast-cli.js')).FORECAST_COMMAND : (await import('./classify-cli.js')).CLASSIFY_COMMAND) as TaskCommand<AnyTask, unknown, TaskRun<AnyTask>>;
  const flags = withTaskDefaults(options, kind, given);
  const givenSet = new Set((Object.keys(flags) as Array<keyof TrainFlags>).filter((k) => given(k)));
  if (flags.patience !== undefined && flags.valid === 0 && !flags.resume) {
    throw new CliError(`--patience ${flags.patience} watches a validation metric, so it needs --valid > 0`);
  }
  const plan = planTraining(flags, givenSet);
  useEngine(flags.engine);
  // Every file the run writes is checked before any work: --out, the best epoch's checkpoint beside it (kept
  // whenever there is a validation part) and the task's own (a forecast's chart); a resumed run rewrites its own.
  const best = flags.valid > 0 || flags.resume ? bestPathFor(flags.out) : undefined;
  checkTaskFiles(flags, best, command.extraOutputs(flags.out));
  const input = await command.load(flags);
  if (flags.resume) await checkResumable(command, flags, given, input);
  const runtime = await init({ backend: flags.backend, threads: flags.threads ?? 'auto' });

  const terminal = process.stdout.isTTY === true && !flags.json ? process.stdout : null;
  const reporter: TaskReporter = flags.json ? new JsonTaskReporter(write, command.view) : new HumanTaskReporter(write, terminal, command.view);
  const ctrlC = stopOnCtrlC(() => reporter.close());
  const started = performance.now();
  let savedEpoch: number | null = null;
  const controls: TaskRunControls<AnyTask> = {
    signal: ctrlC.signal,
    onStart: (start) => {
      savedEpoch = flags.resume ? start.trainer.epoch : null;
      const header = command.header(start, input, describeRuntime(flags.engine, runtime));
      const checkpoint = `checkpoint: ${flags.out} (saved after every epoch${best === undefined ? '' : `; the best validation epoch's beside it: ${best}`})`;
      const resumed = flags.resume ? [`resuming at epoch ${start.trainer.epoch + 1}${start.trainer.batch > 0 ? `, after minibatch ${start.trainer.batch}` : ''} of ${start.trainer.options.epochs}`] : [];
      reporter.start([...header, checkpoint, ...resumed], start.trainer.options.epochs);
    },
    onBatch: (info) => reporter.batch(info),
    onEpoch: (stats) => {
      savedEpoch = stats.epoch;
      reporter.epoch(stats);
    },
  };
  const paths = { checkpointPath: flags.out, bestCheckpointPath: best };
  let run: TaskRun<AnyTask>;
  try {
    run = flags.resume
      ? await command.resume(flags.out, input, { overrides: resumeOverrides(plan) as ResumeOverrides, ...paths, controls })
      : await command.train(input, flags, plan.training, paths, controls);
  } catch (err) {
    if (err instanceof TrainingDivergedError) {
      const kept = savedEpoch === null ? `no checkpoint was written to ${flags.out}` : `${flags.out} keeps the last good state (epoch ${savedEpoch})`;
      throw new CliError(`${err.message}; ${kept}`);
    }
    // The library names its option; the user typed the flag.
    if (err instanceof Error && /^classWeights /.test(err.message)) throw new CliError(err.message.replace(/^classWeights/, '--class-weights'));
    throw err;
  } finally {
    reporter.close();
    ctrlC.trained();
  }
  const { lines, summary } = await command.finish(run, input, flags.out);
  const seconds = (performance.now() - started) / 1000;
  const stop = run.result.stopReason;
  const epochs = run.trainer.epoch;
  const opening = stop === 'aborted' ? `interrupted after ${epochs} epoch(s) (${formatSeconds(seconds)}); continue with --resume`
    : stop === 'earlyStopped' ? `stopped early after ${epochs} epochs: no better ${run.trainer.monitor.metric} for ${run.trainer.options.patience} epochs (${formatSeconds(seconds)} this run)`
      : `done: ${epochs} epochs (${formatSeconds(seconds)} this run)`;
  const bestLine = best !== undefined && run.trainer.best !== null ? [`best checkpoint: ${best} (epoch ${run.trainer.best.epoch}, ${run.trainer.monitor.metric})`] : [];
  reporter.finish([opening, ...lines, `checkpoint: ${flags.out}`, ...bestLine], {
    task: kind, stopReason: stop, epochs, seconds, checkpoint: flags.out,
    best: best === undefined || run.trainer.best === null ? null : { checkpoint: best, epoch: run.trainer.best.epoch, metric: run.trainer.monitor.metric },
    keptEpoch: run.keptEpoch, ...summary,
  });
  return stop === 'completed' || stop === 'earlyStopped' ? 0 : EXIT_INTERRUPTED;
}

/** The run's files (cli/outputs.ts): --data read, --out and the best checkpoint and the task's files written. */
function checkTaskFiles(flags: TrainFlags, best: string | undefined, extra: Array<[string, string]>): void {
  const { out } = flags;
  const [resume, force] = [flags.resume === true, flags.force === true];
  const stat = statSync(out, { throwIfNoEntry: false });
  if (stat?.isDirectory()) throw new CliError(`--out ${out} is a directory; give a file name for the checkpoint`);
  if (resume && stat === undefined) throw new CliError(`--resume: no checkpoint at ${out} (--resume continues the checkpoint given by --out)`);
  const also = (what: string, path: string): OutputFile => ({
    flag: what, path, continues: resume, existsHint: `${path} (${what} of --out) already exists; pass --force to replace it, or choose another --out`,
  });
  checkCommandFiles({
    inputs: [...(flags.data === undefined ? [] : [{ flag: '--data', path: flags.data }]), ...(resume ? [{ flag: '--out (resumed)', path: out }] : [])],
    outputs: [
      { flag: '--out', path: out, continues: resume, alsoInput: resume, existsHint: `${out} already exists; use --resume to continue it, --force to replace it with a new run, or another --out` },
      ...(best === undefined ? [] : [also('the best checkpoint', best)]),
      ...extra.map(([what, path]) => also(what, path)),
    ],
    force,
  });
}

/** --resume continues the run the checkpoint holds: the same settings and the same data. */
async function checkResumable(command: TaskCommand<AnyTask, unknown, TaskRun<AnyTask>>, flags: TrainFlags, given: (key: string) => boolean, input: unknown): Promise<void> {
  const { out } = flags;
  const ckpt = await loadTaskCheckpoint(out, command.loader);
  if (ckpt.training === null) throw new CliError(`--resume: ${out} holds weights only (no training state), so there is nothing to resume`);
  const options = ckpt.training.progress.options;
  const conflicts = command.conflicts(flags, given, ckpt.task, options);
  if (conflicts.length > 0) {
    throw new CliError(`--resume: ${conflicts.join(', ')} conflict${conflicts.length > 1 ? '' : 's'} with ${out}; drop ${conflicts.length > 1 ? 'those flags' : 'the flag'} or start a new run with --force`);
  }
  const epochs = given('epochs') ? flags.epochs : options.epochs;
  if (ckpt.training.progress.epoch >= epochs) {
    const asked = given('epochs') ? `--epochs ${epochs} asks for no more` : `that was the run's total`;
    throw new CliError(`--resume: ${out} has already completed ${ckpt.training.progress.epoch} epochs and ${asked}; pass a larger total with --epochs to train further`);
  }
  command.checkSameData(ckpt.task, input, out);
}

/** Flags the tasks share, against the checkpoint's config and training options. */
export function commonConflicts(flags: TrainFlags, given: (key: string) => boolean, saved: Array<[keyof TrainFlags, string, unknown]>, options: TrainOptions): string[] {
  const all: Array<[keyof TrainFlags, string, unknown]> = [
    ...saved,
    ['batch', '--batch', options.batchSize], ['optimizer', '--optimizer', options.optimizer], ['weightDecay', '--weight-decay', options.weightDecay],
    ['valid', '--valid', options.validFraction],
  ];
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  return all.filter(([key, , value]) => given(key) && !same(flags[key], value)).map(([key, flag, value]) => `${flag} ${String(flags[key])} (checkpoint: ${value === undefined || value === null ? 'none' : String(value)})`);
}

function describeRuntime(engine: string, runtime: RuntimeInfo): string {
  return `engine ${engine} (${runtime.backend} kernels, ${runtime.threads} thread${runtime.threads > 1 ? 's' : ''})`;
}

/** "30 epochs, adam lr 0.003 (cosine to 0), clip 1, batch 64, seed 0": the training line of the header. */
export function describeTaskTraining(o: TrainOptions): string {
  const schedule = o.lrSchedule === 'constant' ? '' : o.lrSchedule === 'cosine' ? ` (cosine to ${o.minLr})` : ` (x${o.lrGamma} every ${o.lrStepEpochs} epochs)`;
  const decay = o.weightDecay > 0 ? `, weight decay ${o.weightDecay}` : '';
  const patience = o.patience === undefined ? '' : `, patience ${o.patience}`;
  return `${o.epochs} epochs${patience}, ${o.optimizer} lr ${o.lr}${schedule}${decay}, ${o.clip > 0 ? `clip ${o.clip}` : 'no clipping'}, batch ${o.batchSize}, seed ${o.seed}`;
}

export type { Command };

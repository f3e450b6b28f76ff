// A whole run of a forecast or classify task: fit, saving the checkpoint after every epoch (and when stopped early),
// the best epoch's checkpoint beside it, and the best epoch's weights kept in memory so the run ends with them in
// the model (Keras' restore_best_weights; PyTorch's reference scripts keep and test that epoch too). Saving goes
// through a callback, so a page or a Web Worker runs the same code with no file system (`encodeTaskCheckpoint`
// gives the bytes). Resuming checks that it is handed the data the checkpoint was trained on.
import { encodeSafetensors, readSafetensors } from '../io/safetensors.js';
import { nodeBuiltin } from '../platform/node.js';
import { saveTaskCheckpoint, taskCheckpointContents } from './checkpoint.js';
import { corpusChecksum, RESUME_OVERRIDES, type ResumeOverrides } from './session.js';
import type { AnyTask, MetricsOf } from './task.js';
import type { FitControls, FitResult, Trainer, TrainerSnapshot } from './trainer.js';

/** What a run is about to train, for a front end to print before the first epoch. */
export interface TaskRunStart<T extends AnyTask, D = unknown> {
  task: T;
  /** The prepared data of the run (ForecastData, ClassifyPrepared): its parts, what was cut or filled. */
  data: D;
  trainer: Trainer<T>;
  /** Items (windows or examples) in each part. */
  trainCount: number;
  validCount: number;
}

export interface TaskRunControls<T extends AnyTask, D = unknown> extends FitControls<MetricsOf<T>> {
  onStart?: (start: TaskRunStart<T, D>) => void | Promise<void>;
}

export interface TaskRunPaths {
  /** Where to save after every epoch and when stopped early (Node only). */
  checkpointPath?: string;
  /** Where to keep the best epoch's checkpoint by the watched metric (Node only). */
  bestCheckpointPath?: string;
}

export interface TaskRunResult<T extends AnyTask> {
  result: FitResult<MetricsOf<T>>;
  /** The epoch whose weights the model holds at the end: the best by the watched metric, or the last (null: none ran). */
  keptEpoch: number | null;
}

/** The checkpoint of a task (and its trainer) as safetensors bytes, for a page or a worker to store or send. */
export function encodeTaskCheckpoint<T extends AnyTask>(task: T, trainer: Trainer<T> | null = null): Uint8Array {
  const { tensors, metadata } = taskCheckpointContents(task, trainer);
  return encodeSafetensors(tensors, metadata);
}

/** FNV-1a of a series' values or a labelled set's texts and labels: tells a resume or an eval whether it has the same data. */
export function dataChecksum(data: Float64Array | readonly string[]): string {
  if (data instanceof Float64Array) return corpusChecksum(new Int32Array(data.buffer, data.byteOffset, data.length * 2));
  return corpusChecksum(Int32Array.from(new TextEncoder().encode(data.join('\u0000'))));
}

/**
 * Trains `trainer` on `train` (validating on `valid`), saving as `paths` ask, and leaves the model holding the best
 * epoch's weights when a validation part picked one (the last epoch's otherwise).
 */
export async function runTask<T extends AnyTask, D>(
  trainer: Trainer<T>, data: D, train: unknown, valid: unknown | null, counts: { train: number; valid: number },
  paths: TaskRunPaths = {}, controls: TaskRunControls<T, D> = {},
): Promise<TaskRunResult<T>> {
  const { task } = trainer;
  if (paths.bestCheckpointPath !== undefined || trainer.options.patience !== undefined) trainer.checkMonitor(valid !== null);
  await controls.onStart?.({ task, data, trainer, trainCount: counts.train, validCount: counts.valid });
  const params = task.model.namedParameters();
  let best: Float32Array[] | null = null;
  const save = async (path: string | undefined): Promise<void> => {
    if (path !== undefined) await saveTaskCheckpoint(path, task, trainer);
  };
  const result = await trainer.fit(train as never, valid as never, {
    ...controls,
    onEpoch: async (stats) => {
      await save(paths.checkpointPath);
      if (valid !== null && trainer.best?.epoch === stats.epoch) {
        best = params.map(([, p]) => Float32Array.from(p.data));
        await save(paths.bestCheckpointPath);
      }
      await controls.onEpoch?.(stats);
    },
  });
  const finished = result.stopReason === 'completed' || result.stopReason === 'earlyStopped';
  if (!finished) await save(paths.checkpointPath);
  // The best weights are in memory when the best epoch ran in this session; a resumed run whose best epoch came
  // earlier reads them back from the best checkpoint on disk, and without one keeps its last weights.
  const bestEpoch = trainer.best?.epoch;
  if (bestEpoch === undefined || bestEpoch === trainer.epoch) return { result, keptEpoch: trainer.epoch > 0 ? trainer.epoch : null };
  const keptBest = best as Float32Array[] | null;
  if (keptBest !== null) {
    params.forEach(([, p], k) => p.data.set(keptBest[k]!));
    return { result, keptEpoch: bestEpoch };
  }
  if (paths.bestCheckpointPath !== undefined && nodeBuiltin('node:fs')?.existsSync(paths.bestCheckpointPath) === true) {
    const saved = await readSafetensors(paths.bestCheckpointPath);
    for (const [name, p] of params) {
      const t = saved[name];
      if (t === undefined || t.size !== p.size) throw new Error(`${paths.bestCheckpointPath} does not hold this model's ${name}; it is not this run's best checkpoint`);
    }
    params.forEach(([name, p]) => p.data.set(saved[name]!.data));
    return { result, keptEpoch: bestEpoch };
  }
  return { result, keptEpoch: trainer.epoch };
}

/** What resuming may be told: where to keep saving, the options it may change, its controls. */
export interface TaskResumeOptions<T extends AnyTask, D = unknown> extends TaskRunPaths {
  /** Only epochs, lr, clip, the schedule's settings and patience may change (the optimizer state must still fit). */
  overrides?: ResumeOverrides;
  controls?: TaskRunControls<T, D>;
}

/** A saved run's snapshot with the allowed overrides applied; any other option is a one-line error. */
export function resumedSnapshot<M extends object>(path: string, training: TrainerSnapshot<M> | null, overrides: ResumeOverrides = {}): TrainerSnapshot<M> {
  if (training === null) throw new Error(`${path} holds weights only (saved without training state), so there is nothing to resume`);
  const allowed: ReadonlySet<string> = new Set(RESUME_OVERRIDES);
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const refused = Object.keys(given).filter((k) => !allowed.has(k));
  if (refused.length > 0) throw new Error(`cannot change ${refused.join(', ')} when resuming (only ${[...allowed].join(', ')})`);
  return { ...training, progress: { ...training.progress, options: { ...training.progress.options, ...given } } };
}

// Early stopping and the best epoch, read from the run's history alone (so a resumed run decides exactly as an
// uninterrupted one, with nothing more to save): the best epoch is the first that no later epoch beat strictly on
// the watched metric; training stops once `patience` epochs in a row have not beaten it (Keras' EarlyStopping
// with min_delta 0).
import type { MetricGoal } from './task.js';

export interface Monitor {
  /** A key of the epoch stats: `loss`, or one of the task's metrics (e.g. valPerplexity). */
  metric: string;
  goal: MetricGoal;
}

const better = (goal: MetricGoal, a: number, b: number): boolean => (goal === 'min' ? a < b : a > b);

/** Index of the best epoch in `history`, or -1 when no epoch has a finite value of the metric. */
export function bestEpochIndex(history: readonly object[], monitor: Monitor): number {
  const values = history.map((stats) => (stats as Record<string, unknown>)[monitor.metric]);
  let best = -1;
  values.forEach((value, k) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    if (best < 0 || better(monitor.goal, value, values[best] as number)) best = k;
  });
  return best;
}

/** Epochs since the best one (all of them when none had a value). */
export function epochsWithoutImprovement(history: readonly object[], monitor: Monitor): number {
  return history.length - 1 - bestEpochIndex(history, monitor);
}

// Learning-rate schedules as pure functions t ↦ η(t) of the epoch (or step) t = 0, 1, 2, ... — no hidden state, so
// resuming from a checkpoint only needs t. Base rate η0, decay γ, period s, horizon T, floor η_min:
//   constant: η0      step: η0 · γ^⌊t/s⌋ (torch StepLR)      cosine: η_min + (η0 − η_min)·(1 + cos(π·min(t,T)/T))/2
// `applySchedule(opt, schedule, t)` sets opt.lr = η(t) before the epoch's steps.

import type { Optimizer } from './optimizer.js';

export type Schedule = (t: number) => number;

export function constantLR(lr: number): Schedule {
  return () => lr;
}

/** Multiplies the rate by `gamma` every `stepSize` epochs, as torch.optim.lr_scheduler.StepLR. */
export function stepLR(lr: number, stepSize: number, gamma: number): Schedule {
  if (!(Number.isInteger(stepSize) && stepSize > 0)) throw new Error(`stepLR: stepSize must be a positive integer, got ${stepSize}`);
  return (t) => lr * gamma ** Math.floor(t / stepSize);
}

/**
 * Half a cosine from `lr` at t = 0 down to `minLr` at t = total (torch CosineAnnealingLR's closed form with
 * T_max = total). Past `total` it stays at `minLr` instead of climbing back up (no warm restarts).
 */
export function cosineLR(lr: number, total: number, minLr = 0): Schedule {
  if (!(total > 0)) throw new Error(`cosineLR: total must be > 0, got ${total}`);
  return (t) => minLr + ((lr - minLr) * (1 + Math.cos((Math.PI * Math.min(t, total)) / total))) / 2;
}

/** Sets the optimizer's learning rate to schedule(t) and returns it. */
export function applySchedule(optimizer: Optimizer, schedule: Schedule, t: number): number {
  const lr = schedule(t);
  if (!(Number.isFinite(lr) && lr >= 0)) throw new Error(`applySchedule: schedule gave lr ${lr} at t = ${t}`);
  optimizer.lr = lr;
  return lr;
}

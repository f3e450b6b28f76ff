// Optimizers and their helpers: SGD (momentum, Nesterov), Adam / AdamW, gradient clipping and LR schedules.
// All update parameters in place through `.data` and match torch.optim's formulas; see each file for the math.

export { Optimizer, type Hyper, type OptimizerState } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, type AdamOptions } from './adam.js';
export { gradNorm, clipGradNorm, hasNonFinite } from './clip.js';
export { constantLR, stepLR, cosineLR, applySchedule, type Schedule } from './schedule.js';

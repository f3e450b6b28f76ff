// Every differentiable op, by family. Each lives with its backward in its own file.
export { matmul } from './matmul.js';
export { add, sub, mul, scale } from './elementwise.js';
export { sigmoid, tanh, relu, exp, log } from './activation.js';
export { softmax, logSoftmax } from './softmax.js';
export { sum, mean, type Reduction } from './reduce.js';
export { reshape, transpose, slice, select, indexSelect, concat, stack } from './shape.js';
export { oneHot, embedding, type Ids } from './lookup.js';
export { crossEntropy, type CrossEntropyOptions } from './loss.js';
export { mseLoss, l1Loss, huberLoss, type LossOptions, type HuberLossOptions } from './regression-loss.js';
export { bceWithLogitsLoss, type BCEWithLogitsOptions } from './bce-loss.js';
export { dropout } from './dropout.js';

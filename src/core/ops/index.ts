// Every differentiable op, by family. Each lives with its backward in its own file.
export { matmul } from './matmul.js';
export { add, sub, mul, scale } from './elementwise.js';
export { sigmoid, tanh, relu, exp, log } from './activation.js';
export { sum, mean } from './reduce.js';
export { reshape, transpose, slice, select, concat, stack } from './shape.js';
export { oneHot, embedding, type Ids } from './lookup.js';
export { logSoftmax, crossEntropy, type CrossEntropyOptions } from './loss.js';
export { dropout } from './dropout.js';

// A short training run of several models, printed as one JSON line of losses and a hash of every weight and
// optimizer buffer, for test/wasm-resident.test.ts to compare across ways of running the same thing: weights kept
// in WebAssembly memory ('resident') or copied in and out of JavaScript arrays ('copy'), on a shared memory (Node's
// default) or a non-shared one (as in a page without cross-origin isolation).
// Between every phase of every step (and between the tape's forward and backward) the memory is grown, so on a
// non-shared memory every view made before is detached: the run shows whether anything read a stale one.
// Usage: node --import tsx test/helpers/resident-run.ts resident|copy [unshared]
//   unshared: SharedArrayBuffer is taken away before the runtime starts (node's --no-harmony-sharedarraybuffer
//   would do the same, but tsx's loader needs one), so WebAssembly memory is not shared and training runs on one thread.
import { createHash } from 'node:crypto';
import { Random } from '../../src/core/random.js';
import { Tensor } from '../../src/core/tensor.js';
import { crossEntropy, mseLoss } from '../../src/core/ops/index.js';
import { fusedSequenceEngineFor, useEngine, useResidentWeights } from '../../src/engine/index.js';
import { init, runtimeInfo } from '../../src/kernels/index.js';
import { initWasmSync } from '../../src/kernels/wasm/backend.js';
import { SequenceClassifier, SequenceRegressor, type Module } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/adam.js';
import { clipGradNorm } from '../../src/optim/clip.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { SGD } from '../../src/optim/sgd.js';
import { buildModel } from '../../src/train/model-config.js';
import { lossAndGrad } from '../../src/train/step.js';

const mode = process.argv[2];
if (mode !== 'resident' && mode !== 'copy') throw new Error('usage: resident-run.ts resident|copy [unshared]');
if (process.argv[3] === 'unshared') delete (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer;
useResidentWeights(mode === 'resident');
await init();
const memory = initWasmSync().memory;
const hash = createHash('sha256');
const losses: number[] = [];
let detached = 0;
let watched: Tensor | null = null;

/** Grows the memory by a page; counts the views (of a watched weight and its gradient) that it left stale. */
function grow(): void {
  const views = watched === null ? [] : [watched.data, ...(watched.grad === null ? [] : [watched.grad])];
  memory.grow(1);
  for (const v of views) if (v.length === 0) detached++;
}

/** Zero, lossAndGrad, clip, update, with the memory grown between every two. */
function step(params: Tensor[], optimizer: Optimizer, lossAndGradient: () => number): void {
  optimizer.zeroGrad(false);
  grow();
  losses.push(lossAndGradient());
  grow();
  clipGradNorm(params, 1);
  grow();
  optimizer.step();
  grow();
}

function record(model: Module, optimizer: Optimizer): void {
  for (const [name, p] of model.namedParameters()) hash.update(name).update(new Uint8Array(Float32Array.from(p.data).buffer));
  for (const [name, b] of Object.entries(optimizer.stateDict().buffers)) hash.update(name).update(new Uint8Array(Float64Array.from(b).buffer));
}

const random = new Random(11);
const ids = (n: number, V: number): Int32Array => Int32Array.from({ length: n }, () => random.int(V));

// A two-layer LSTM language model with dropout, SGD with momentum; its last step on the autograd tape.
{
  const model = buildModel({ cell: 'lstm', hiddenSize: 24, numLayers: 2, dropout: 0.2, vocabSize: 28, seed: 3 });
  const params = model.parameters();
  const optimizer = new SGD(params, { lr: 0.5, momentum: 0.9 });
  const [B, T] = [4, 9];
  for (let k = 0; k < 3; k++) {
    const x = ids(B * T, 28), y = ids(B * T, 28);
    step(params, optimizer, () => lossAndGrad(model, { x, y, batchSize: B, numSteps: T }, undefined).loss);
    watched = model.parameter('rnn.l0.U_f');
  }
  useEngine('autograd');
  const x = ids(B * T, 28), y = ids(B * T, 28);
  step(params, optimizer, () => {
    const [logits] = model.forward(new Tensor(Float32Array.from(x), [B, T]));
    const loss = crossEntropy(logits, model.targetsFor(y, B, T));
    grow(); // between the tape's forward and its backward
    loss.backward();
    return loss.item();
  });
  useEngine('auto');
  record(model, optimizer);
}

// A GRU language model with an embedding, Adam.
{
  const model = buildModel({ cell: 'gru', hiddenSize: 20, numLayers: 1, dropout: 0, embeddingDim: 8, vocabSize: 28, seed: 4 });
  const params = model.parameters();
  const optimizer = new Adam(params, { lr: 0.01 });
  watched = model.parameter('embedding.weight');
  for (let k = 0; k < 3; k++) {
    const x = ids(30, 28), y = ids(30, 28);
    step(params, optimizer, () => lossAndGrad(model, { x, y, batchSize: 3, numSteps: 10 }, undefined).loss);
  }
  record(model, optimizer);
}

// A bidirectional classifier over rows of different lengths, and a forecaster, on the sequence engine; Adam.
{
  const model = new SequenceClassifier({ vocabSize: 12, numClasses: 3, embeddingDim: 6, hiddenSize: 16, bidirectional: true, seed: 5 });
  const engine = fusedSequenceEngineFor(model)!;
  const params = model.parameters();
  const optimizer = new Adam(params, { lr: 0.01 });
  watched = model.parameter('head.weight');
  for (let k = 0; k < 3; k++) {
    const input = new Tensor(Float32Array.from(ids(5 * 8, 12)), [5, 8]);
    const targets = new Tensor(Float32Array.from(ids(5, 3)), [5]);
    step(params, optimizer, () => engine.lossAndGrad({ input, lengths: [8, 3, 5, 1, 8], targets }).loss);
  }
  record(model, optimizer);
}
{
  const model = new SequenceRegressor({ inputSize: 3, hiddenSize: 10, seed: 6 });
  const engine = fusedSequenceEngineFor(model)!;
  const params = model.parameters();
  const optimizer = new Adam(params, { lr: 0.01 });
  watched = model.parameter('rnn.l0.W_i');
  for (let k = 0; k < 2; k++) {
    const input = new Tensor(Float32Array.from({ length: 4 * 7 * 3 }, () => random.normal()), [4, 7, 3]);
    const targets = new Tensor(Float32Array.from({ length: 4 }, () => random.normal()), [4, 1, 1]);
    step(params, optimizer, () => engine.lossAndGrad({ input, targets }).loss);
  }
  // And the tape on its resident weights: forward, grow, backward.
  const x = new Tensor(Float32Array.from({ length: 2 * 5 * 3 }, () => random.normal()), [2, 5, 3]);
  optimizer.zeroGrad(false);
  const loss = mseLoss(model.forward(x), new Tensor(Float32Array.of(0.5, -0.5), [2, 1, 1]));
  grow();
  loss.backward();
  optimizer.step();
  losses.push(loss.item());
  record(model, optimizer);
}

const info = runtimeInfo();
console.log(JSON.stringify({ mode, shared: info.sharedMemory, threads: info.threads, detached, losses, hash: hash.digest('hex') }));

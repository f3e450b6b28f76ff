// What a training step spends moving weights between JavaScript arrays and WebAssembly memory (issue #15: weights
// living in WebAssembly memory), measured in real steps as the trainer runs them (zero the gradients, the fused
// engine's lossAndGrad, the gradient norm and clip, the optimizer's update), each phase timed in place, with the
// weights copied in and out of JavaScript arrays ('copy', as before) and kept in WebAssembly memory ('resident',
// src/engine/residency.ts), on models built alike and stepped in alternating rounds in the same process:
//   pack        the per-update packing (FusedLayer.pack): the per-gate weights copied into the engine's packed
//               blocks, plus packing U for the step products (packB, or packGatesB straight from the per-gate
//               tensors, which any layout needs: timed apart);
//   grads out   the packed gradients added into every per-gate tensor's .grad (FusedLayer.unpackGrads);
//   clip        the gradient norm and scale (gradNorm, clipGradNorm), beside their kernels alone on wasm memory;
//   optimizer   optimizer.step(), beside its update kernel alone on wasm memory: the difference is the chunked
//               copies of parameters, gradients and buffers through wasm memory, and (all that is left on the
//               resident path) the calls per parameter and caches the step left cold, which the kernel timed
//               alone in a loop does not pay.
// The decoder's, embedding's and head's weights are copied inside lossAndGrad too (H·V, V·E, H·C floats: small
// here); they are part of "the rest". Cases: the d2l language model (one-hot over 28 tokens, batch 32 x 35 steps,
// SGD lr 1, clip 1) at hidden 256 and 1024, and the classifier of `lstm bench --task classify` (Adam, clip 1).
// Run: npm run build:wasm && node --import tsx bench/weights-profile.ts [--hidden 256,1024] [--task classify]
//   [--modes copy,resident] [--steps 4] [--rounds 3] [--threads 1] [--records bench/records] [--note text]
import { availableParallelism } from 'node:os';
import { taskBatches, type BenchTask } from '../src/bench/tasks.js';
import { Random } from '../src/core/random.js';
import type { Tensor } from '../src/core/tensor.js';
import { FusedLanguageModel, FusedSequenceModel, useResidentWeights } from '../src/engine/index.js';
import { FusedLayer } from '../src/engine/layer.js';
import type { Backend } from '../src/kernels/backend.js';
import { createEngineBackend, init } from '../src/kernels/index.js';
import { initWasmSync } from '../src/kernels/wasm/backend.js';
import { SequenceClassifier, SequenceRegressor } from '../src/nn/index.js';
import type { RNNModel } from '../src/nn/rnn-model.js';
import { Adam } from '../src/optim/adam.js';
import { clipGradNorm, gradNorm } from '../src/optim/clip.js';
import type { Optimizer } from '../src/optim/optimizer.js';
import { SGD } from '../src/optim/sgd.js';
import { buildModel } from '../src/train/model-config.js';
import { loadNow, writeRecord, type LoadSample } from './records.mjs';

const arg = (flag: string, fallback: string): string => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1]! : fallback;
};
const hiddens = arg('--hidden', '256,1024').split(',').filter((s) => s !== '').map(Number);
const tasks = arg('--task', 'classify').split(',').filter((s) => s !== '') as BenchTask[];
const stepsPerRound = Number(arg('--steps', '4'));
const rounds = Number(arg('--rounds', '3'));
const threads = Number(arg('--threads', '1'));
const recordsDir = arg('--records', 'bench/records');

/**
 * How the engine holds the weights: 'copy' (JavaScript arrays, copied in and out every update, as before issue
 * #15) and 'resident' (tensors that are views of WebAssembly memory); --modes picks (default both).
 */
type Mode = 'copy' | 'resident';
const modes = arg('--modes', 'copy,resident').split(',') as Mode[];

await init({ threads });
const inst = initWasmSync();
const ex = inst.exports;

/** Milliseconds spent per phase since the last reset, by name. */
const spent = new Map<string, number>();
const charge = (what: string, ms: number): void => void spent.set(what, (spent.get(what) ?? 0) + ms);
function timed<A extends unknown[], R>(what: string, fn: (...args: A) => R): (...args: A) => R {
  return function (this: unknown, ...args: A): R {
    const t0 = performance.now();
    try {
      return fn.apply(this, args);
    } finally {
      charge(what, performance.now() - t0);
    }
  };
}
// Every layer's per-update packing and gradient copy-out, whichever cell (LSTM layers inherit both).
FusedLayer.prototype.pack = timed('pack', FusedLayer.prototype.pack);
FusedLayer.prototype.unpackGrads = timed('grads out', FusedLayer.prototype.unpackGrads);

/** The backend with its packing kernels timed (packB on the copy path; the resident path's own packers too). */
function profiledBackend(): Backend {
  const backend = createEngineBackend();
  const kernels = new Set(['packB', 'packGatesB']);
  return new Proxy(backend, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const bound = (value as (...a: unknown[]) => unknown).bind(target);
      return kernels.has(String(prop)) ? timed('pack: packB', bound) : bound;
    },
  });
}

/** The update and norm kernels alone on wasm memory, for parameters of these sizes: ms per call of each. */
function kernelsAlone(sizes: number[], adam: boolean): { optimizer: number; clip: number } {
  const mark = ex.mark();
  try {
    const arrays = sizes.map((n) => {
      const one = (): number => {
        const p = ex.alloc(n * 4);
        new Float32Array(inst.memory.buffer, p, n).fill(0.001);
        return p;
      };
      return { n, p: one(), g: one(), m: one(), v: one() };
    });
    const best = (fn: () => void): number => {
      fn();
      let ms = Infinity;
      for (let r = 0; r < 5; r++) {
        const t0 = performance.now();
        fn();
        ms = Math.min(ms, performance.now() - t0);
      }
      return ms;
    };
    const optimizer = best(() => {
      for (const a of arrays) {
        if (adam) ex.adamUpdate(a.n, a.p, a.g, a.m, a.v, 1e-3, 0.5, 0.9, 0.999, 1e-8, 1, 0, 1e-6, 1e-6);
        else ex.sgdUpdate(a.n, a.p, a.g, 0, 1, 0, 0, 0, 1e-6, 1e-6);
      }
    });
    const clip = best(() => {
      for (const a of arrays) ex.sumSquares(a.n, a.g);
      for (const a of arrays) ex.scaleInPlace(a.n, a.g, 0.5);
    });
    return { optimizer, clip };
  } finally {
    ex.release(mark);
  }
}

interface Case {
  name: string;
  /** Builds a model, its engine on a profiled backend and its optimizer; returns one training step. */
  build(): { params: Tensor[]; optimizer: Optimizer; lossAndGrad: () => void };
  adam: boolean;
}

function languageModelCase(hidden: number): Case {
  const [B, T, V] = [32, 35, 28];
  return {
    name: `LM LSTM ${hidden}`,
    adam: false,
    build() {
      const model: RNNModel = buildModel({ cell: 'lstm', hiddenSize: hidden, numLayers: 1, dropout: 0, vocabSize: V, seed: 0 });
      const engine = new FusedLanguageModel(model, profiledBackend());
      const random = new Random(1);
      const x = Int32Array.from({ length: B * T }, () => random.int(V));
      const y = Int32Array.from({ length: B * T }, () => random.int(V));
      return { params: model.parameters(), optimizer: new SGD(model.parameters(), { lr: 1 }), lossAndGrad: () => void engine.lossAndGrad(x, y, B, T) };
    },
  };
}

function taskCase(task: BenchTask): Case {
  return {
    name: task === 'classify' ? 'classify LSTM 128 (bidirectional)' : 'forecast LSTM 128',
    adam: true,
    build() {
      const model = task === 'forecast'
        ? new SequenceRegressor({ inputSize: 4, hiddenSize: 128, seed: 0 })
        : new SequenceClassifier({ vocabSize: 64, numClasses: 4, embeddingDim: 32, hiddenSize: 128, bidirectional: true, seed: 0 });
      model.train();
      const engine = new FusedSequenceModel(model, profiledBackend());
      const batches = taskBatches(task, 1);
      let k = 0;
      return { params: model.parameters(), optimizer: new Adam(model.parameters(), { lr: 1e-3 }), lossAndGrad: () => void engine.lossAndGrad(batches[k++ % batches.length]!) };
    },
  };
}

type Phases = Record<string, number>;

/** `steps` timed steps (after two untimed ones): ms per step by phase. */
function runSteps(run: ReturnType<Case['build']>, steps: number): Phases {
  const step = (): void => {
    run.optimizer.zeroGrad(false);
    run.lossAndGrad();
    const t0 = performance.now();
    const norm = gradNorm(run.params);
    clipGradNorm(run.params, 1, norm);
    const t1 = performance.now();
    run.optimizer.step();
    charge('clip', t1 - t0);
    charge('optimizer', performance.now() - t1);
  };
  step();
  step();
  spent.clear();
  const t0 = performance.now();
  for (let k = 0; k < steps; k++) step();
  const total = performance.now() - t0;
  const phases: Phases = { step: total / steps };
  for (const [what, ms] of spent) phases[what] = ms / steps;
  return phases;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const cases = [...hiddens.map(languageModelCase), ...tasks.map(taskCase)];
const loads: LoadSample[] = [loadNow('start')];
const results: Array<{ case: string; mode: Mode; rounds: Phases[]; median: Phases; kernelsAlone: { optimizer: number; clip: number } }> = [];
console.log(`weights-profile: ${threads} thread(s) of ${availableParallelism()} cores; modes ${modes.join(', ')}; ${rounds} round(s) of ${stepsPerRound} steps, modes alternating`);
for (const c of cases) {
  const built = new Map<Mode, ReturnType<Case['build']>>();
  for (const mode of modes) {
    useResidentWeights(mode === 'resident');
    built.set(mode, c.build());
  }
  useResidentWeights(true);
  const sizes = built.get(modes[0]!)!.params.map((p) => p.size);
  const alone = kernelsAlone(sizes, c.adam);
  const perMode = new Map<Mode, Phases[]>(modes.map((m) => [m, []]));
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 === 0 ? modes : [...modes].reverse()) perMode.get(mode)!.push(runSteps(built.get(mode)!, stepsPerRound));
    loads.push(loadNow(`${c.name} round ${r + 1}`));
  }
  console.log(`\n${c.name} (update kernels alone on wasm memory: optimizer ${alone.optimizer.toFixed(2)} ms, norm + clip ${alone.clip.toFixed(2)} ms)`);
  for (const mode of modes) {
    const all = perMode.get(mode)!;
    const keys = [...new Set(all.flatMap((p) => Object.keys(p)))];
    const med: Phases = Object.fromEntries(keys.map((k) => [k, median(all.map((p) => p[k] ?? 0))]));
    results.push({ case: c.name, mode, rounds: all, median: med, kernelsAlone: alone });
    const show = (label: string, ms: number): void => console.log(`  ${label.padEnd(44)} ${ms.toFixed(2).padStart(9)} ms ${((100 * ms) / med.step!).toFixed(1).padStart(6)}%`);
    console.log(` ${mode}: ${med.step!.toFixed(1)} ms per step (median of ${rounds} rounds)`);
    const packB = med['pack: packB'] ?? 0;
    show('pack: copies (pack minus packB)', (med.pack ?? 0) - packB);
    show('pack: packB (U packed for the step products)', packB);
    show('grads out (packed gradients into .grad)', med['grads out'] ?? 0);
    show('clip: norm + clip minus its kernels alone', Math.max(0, (med.clip ?? 0) - alone.clip));
    show('optimizer: step minus its kernel alone', Math.max(0, (med.optimizer ?? 0) - alone.optimizer));
    const copies = (med.pack ?? 0) - packB + (med['grads out'] ?? 0) + Math.max(0, (med.clip ?? 0) - alone.clip) + Math.max(0, (med.optimizer ?? 0) - alone.optimizer);
    show('all of the above (packB aside)', copies);
  }
}
loads.push(loadNow('end'));
if (recordsDir !== '') {
  const file = writeRecord('weights-profile', { settings: { hiddens, tasks, stepsPerRound, rounds, threads, modes }, loads, results }, { dir: recordsDir, note: arg('--note', '') || null });
  console.log(`\nrecord: ${file}`);
}

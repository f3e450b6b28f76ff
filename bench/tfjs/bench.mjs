// TensorFlow.js (wasm backend, in Node) side of `lstm bench`, in the d2l setting: an LSTM language model built
// from tf.layers.lstm (returnSequences, returnState, initial state fed in so the state is carried and detached
// between sequential minibatches), one-hot input over 28 tokens (random tokens), Dense(28) decoder, mean softmax
// cross-entropy, global gradient-norm clipping to 1 (done by hand: tf.train.sgd has no clipnorm) and SGD lr 1.
// Also greedy one-at-a-time generation (batch 1) and tf.matMul of (32, H) by (H, 4H). Timed by lstm bench's own
// timeWindows (imported from the built repository, so both sides are measured by one piece of code): best of
// several windows, medians beside them. TF.js's wasm backend runs on one thread in Node (it needs
// cross-origin isolation / a threaded build for more), so every number here is single-threaded.
// Run (after `npx tsc -p tsconfig.build.json` at the repository root):
//   cd bench/tfjs && npm install && node bench.mjs [--json] [--hidden 128,256] [--seconds 2] [--length 200]
//      [--parts train,generate,sgemm]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { now, timeWindows } from '../../dist/bench/timing.js';
import { setThreadsCount, setWasmPaths, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const V = 28;
const B_DEFAULT = 32;
const T_DEFAULT = 35;

function parseArgs(argv) {
  const out = { json: false, hidden: [128, 256], seconds: 2, length: 200, parts: ['train', 'generate', 'sgemm'], batch: B_DEFAULT, steps: T_DEFAULT, seed: 0 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const posInt = (v) => {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`${flag}: '${v}' is not a positive integer`);
      return Number(v);
    };
    if (flag === '--json') out.json = true;
    else if (flag === '--hidden') out.hidden = value().split(',').map(posInt);
    else if (flag === '--seconds') {
      out.seconds = Number(value());
      if (!(out.seconds > 0)) throw new Error('--seconds must be > 0');
    } else if (flag === '--length') out.length = posInt(value());
    else if (flag === '--batch') out.batch = posInt(value());
    else if (flag === '--steps') out.steps = posInt(value());
    else if (flag === '--seed') out.seed = Number(value());
    else if (flag === '--parts') {
      out.parts = value().split(',');
      for (const p of out.parts) if (!['train', 'generate', 'sgemm'].includes(p)) throw new Error(`--parts: unknown part '${p}'`);
    } else throw new Error(`unknown flag ${flag}`);
  }
  return out;
}

/** A small deterministic generator for the random tokens. */
function lcg(seed) {
  let s = (seed * 2654435761 + 1) >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
}

/**
 * The LSTM language model as two layers called eagerly: forward(x (B, T, V), h (B, H), c (B, H)) ->
 * [logits (B, T, V), h_T, c_T]. (A functional tf.model with the initial state as inputs cannot be executed on
 * concrete tensors in tfjs 4.22: the stored initialState kwarg trips "When inputs is an array, neither
 * initialState or constants should be provided".)
 */
function buildModel(H) {
  // Uniform recurrent init (as PyTorch) instead of the orthogonal default, whose QR is slow at H = 1024.
  const lstm = tf.layers.lstm({ units: H, returnSequences: true, returnState: true, recurrentInitializer: 'glorotUniform' });
  const dense = tf.layers.dense({ units: V });
  // Build the weights now, so the optimizer sees them as the trainable variables of the first step.
  tf.tidy(() => {
    const [y] = lstm.apply(tf.zeros([1, 1, V]), { initialState: [tf.zeros([1, H]), tf.zeros([1, H])] });
    dense.apply(y);
  });
  return {
    forward(x, h, c, training) {
      const [y, hT, cT] = lstm.apply(x, { initialState: [h, c], training });
      return [dense.apply(y), hT, cT];
    },
    dispose() {
      for (const w of [...lstm.weights, ...dense.weights]) w.dispose();
    },
  };
}

function benchTraining(H, opts) {
  const { batch: B, steps: T, seconds, seed } = opts;
  const model = buildModel(H);
  const optimizer = tf.train.sgd(1);
  const rand = lcg(seed + 1);
  const corpus = Int32Array.from({ length: B * T * 24 + T + 1 }, () => Math.floor(rand() * V));
  const offsetRand = lcg(seed + 2);
  // d2l's seq_data_iter_sequential.
  let batches = [];
  const newEpoch = () => {
    const offset = Math.floor(offsetRand() * (T + 1));
    const rowLength = Math.floor((corpus.length - offset - 1) / B);
    const n = Math.floor(rowLength / T);
    batches = [];
    for (let i = 0; i < n; i++) {
      const x = new Int32Array(B * T), y = new Int32Array(B * T);
      for (let b = 0; b < B; b++) {
        const start = offset + b * rowLength + i * T;
        x.set(corpus.subarray(start, start + T), b * T);
        y.set(corpus.subarray(start + 1, start + 1 + T), b * T);
      }
      batches.push({ x, y });
    }
  };
  let h = null, c = null;
  let lastLoss = NaN;
  const step = () => {
    if (batches.length === 0) {
      newEpoch();
      h?.dispose(); c?.dispose();
      h = tf.zeros([B, H]); c = tf.zeros([B, H]); // each pass starts from zeros
    }
    const { x: xIds, y: yIds } = batches.shift();
    tf.tidy(() => {
      const x = tf.oneHot(tf.tensor2d(xIds, [B, T], 'int32'), V).toFloat();
      const y = tf.oneHot(tf.tensor2d(yIds, [B, T], 'int32'), V).toFloat();
      let nextH = null, nextC = null;
      const { value, grads } = optimizer.computeGradients(() => {
        const [logits, hT, cT] = model.forward(x, h, c, true);
        nextH = tf.keep(hT);
        nextC = tf.keep(cT);
        return tf.losses.softmaxCrossEntropy(y, logits);
      });
      // clip_grad_norm_(1): c = min(1, 1 / (norm + 1e-6)).
      const names = Object.keys(grads);
      const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))));
      const coef = tf.minimum(tf.scalar(1), tf.div(tf.scalar(1), tf.add(norm, tf.scalar(1e-6))));
      const clipped = {};
      for (const n of names) clipped[n] = tf.mul(grads[n], coef);
      optimizer.applyGradients(clipped);
      lastLoss = value.dataSync()[0];
      h.dispose(); c.dispose();
      h = nextH; c = nextC; // detached: new inputs next step
    });
  };
  step();
  const tensorsBefore = tf.memory().numTensors;
  const stats = timeWindows(step, B * T, { seconds });
  const leaked = tf.memory().numTensors - tensorsBefore;
  const flopsPerStep = 6 * B * T * H * (4 * H + V);
  model.dispose();
  h?.dispose(); c?.dispose();
  return { tokensPerSec: stats.best, tokensPerSecMedian: stats.median, steps: stats.calls, lastLoss, leakedTensors: leaked, flopsPerStep, gflops: (stats.best / (B * T)) * flopsPerStep / 1e9 };
}

function benchGeneration(H, opts) {
  const { length, seconds } = opts;
  const model = buildModel(H);
  const idx = new Map([...'abcdefghijklmnopqrstuvwxyz '].map((ch, i) => [ch, i + 1]));
  const prefix = [...'time traveller '].map((ch) => idx.get(ch));
  const feed = (id, h, c) => model.forward(tf.oneHot(tf.tensor2d([id], [1, 1], 'int32'), V).toFloat(), h, c, false);
  const predict = () => {
    let h = tf.zeros([1, H]), c = tf.zeros([1, H]);
    const outputs = [prefix[0]];
    const advance = (id, pick) => {
      const [logits, hT, cT] = tf.tidy(() => {
        const [l, a, b] = feed(id, h, c);
        return [pick ? tf.argMax(l.reshape([V])) : null, a, b];
      });
      h.dispose(); c.dispose();
      h = hT; c = cT;
      if (logits === null) return -1;
      const next = logits.dataSync()[0];
      logits.dispose();
      return next;
    };
    for (const id of prefix.slice(1)) {
      advance(outputs[outputs.length - 1], false);
      outputs.push(id);
    }
    for (let k = 0; k < length; k++) outputs.push(advance(outputs[outputs.length - 1], true));
    h.dispose(); c.dispose();
    if (outputs.length !== prefix.length + length) throw new Error('generation produced the wrong number of characters');
  };
  const stats = timeWindows(predict, length, { seconds: Math.max(0.1, seconds / 2) });
  model.dispose();
  return { charsPerSec: stats.best, charsPerSecMedian: stats.median };
}

function benchSgemm(H, opts) {
  const m = opts.batch, k = H, n = 4 * H;
  const a = tf.randomUniform([m, k], -0.5, 0.5, 'float32', 1);
  const b = tf.randomUniform([k, n], -0.5, 0.5, 'float32', 2);
  const flop = 2 * m * n * k;
  const run = () => tf.matMul(a, b).dispose(); // the wasm backend runs the kernel synchronously in the call
  const stats = timeWindows(run, flop, { seconds: Math.max(0.05, opts.seconds / 6), warmup: 3, windows: 8 });
  const check = tf.matMul(a, b);
  check.dataSync();
  check.dispose();
  a.dispose(); b.dispose();
  return { shape: `${m}x${k} by ${k}x${n}`, gflops: stats.best / 1e9 };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const require = createRequire(import.meta.url);
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  // tfjs 4.22 finds its .wasm files next to its own module in Node; set the path anyway so another layout
  // (a bundler, a hoisted node_modules) cannot silently break it.
  setWasmPaths(`${wasmDir}/`);
  setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
  await tf.ready();
  const env = {
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    multithread: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
    threads: getThreadsCount(),
    node: process.version,
  };
  const loadStart = loadavg()[0];
  const t0 = now();
  if (!opts.json) {
    console.log(`TensorFlow.js ${env.tfjs}, backend ${env.backend}, SIMD ${env.simd}, multithread ${env.multithread}, ${env.threads} thread(s); d2l LSTM, batch ${opts.batch} x ${opts.steps} steps`);
    console.log(`${'cell'.padEnd(4)}  ${'hidden'.padStart(6)}  ${'train tok/s'.padStart(11)}  ${'train GF/s'.padStart(10)}  ${'gen chars/s'.padStart(11)}  ${'sgemm GF/s'.padStart(10)}  ${'RSS MiB'.padStart(7)}`);
  }
  for (const H of opts.hidden) {
    const train = opts.parts.includes('train') ? benchTraining(H, opts) : null;
    const gen = opts.parts.includes('generate') ? benchGeneration(H, opts) : null;
    const mm = opts.parts.includes('sgemm') ? benchSgemm(H, opts) : null;
    const row = {
      cell: 'lstm', hidden: H,
      trainTokensPerSec: train?.tokensPerSec ?? null,
      generateCharsPerSec: gen?.charsPerSec ?? null,
      sgemmGflops: mm?.gflops ?? null,
      threads: env.threads,
      trainTokensPerSecMedian: train?.tokensPerSecMedian ?? null,
      trainGflops: train?.gflops ?? null,
      sgemmShape: mm?.shape ?? null,
      generateCharsPerSecMedian: gen?.charsPerSecMedian ?? null,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      lastLoss: train?.lastLoss ?? null,
      leakedTensors: train?.leakedTensors ?? null,
    };
    if (opts.json) console.log(JSON.stringify(row));
    else {
      const f = (v, d = 0) => (v === null ? '-' : d === 0 ? Math.round(v).toLocaleString('en-US') : v.toFixed(d));
      console.log(`${'lstm'.padEnd(4)}  ${String(H).padStart(6)}  ${f(row.trainTokensPerSec).padStart(11)}  ${f(row.trainGflops, 2).padStart(10)}  ${f(row.generateCharsPerSec).padStart(11)}  ${f(row.sgemmGflops, 1).padStart(10)}  ${f(row.maxRssMB).padStart(7)}`);
    }
  }
  const summary = { ...env, maxRssMB: process.resourceUsage().maxRSS / 1024, loadStart, loadEnd: loadavg()[0], seconds: now() - t0 };
  if (opts.json) console.log(JSON.stringify({ summary }));
  else console.log(`peak resident memory ${summary.maxRssMB.toFixed(0)} MiB; load average ${loadStart.toFixed(2)} at the start, ${summary.loadEnd.toFixed(2)} at the end; ${summary.seconds.toFixed(1)} s`);
}

main().catch((err) => {
  console.error(`tfjs bench: error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});

// Training throughput of the two task models, in issue #16's settings, measured as the trainer runs them (zero
// the gradients, the fused sequence engine's lossAndGrad, an Adam step) on random data:
//   forecast: 4 input features, window 64, batch 64, LSTM (hidden 64 and 128), head on the last step, MSE;
//   classify: ids over 64 tokens, embedding 32, bidirectional LSTM (hidden 128), batch 32, lengths spread evenly
//     over 20..200 (each batch padded to its longest row), head on each row's last valid step, cross-entropy over
//     4 classes.
// bench/torch_bench.py --task builds the same models and batches in PyTorch (the classifier's lengths come from the
// same formula, so both sides do the same work). Steps per second, best window (median beside it).
// Node only (the CLI imports it directly; src/bench/index.ts, which also runs in a page, does not).
// Shapes: forecast x (64, 64, 4), targets (64, 1, 1); classify ids (32, T ≤ 200), lengths (32,), targets (32,).
import { availableParallelism, loadavg } from 'node:os';
import { Random } from '../core/random.js';
import { Tensor } from '../core/tensor.js';
import { fusedSequenceEngineFor, type SequenceBatch } from '../engine/index.js';
import { init } from '../kernels/runtime.js';
import { SequenceClassifier, SequenceRegressor } from '../nn/sequence-models.js';
import { Adam } from '../optim/adam.js';
import { gemmChoice, type GemmChoice } from '../kernels/wasm/gemm-variants.js';
import { timeWindows } from './timing.js';

export type BenchTask = 'forecast' | 'classify';
export const BENCH_TASKS: readonly BenchTask[] = ['forecast', 'classify'];

export const FORECAST = { features: 4, window: 64, batch: 64, hidden: [64, 128] } as const;
export const CLASSIFY = { vocab: 64, embedding: 32, batch: 32, minLength: 20, maxLength: 200, classes: 4, hidden: [128] } as const;
/** Batches drawn before timing and cycled through. */
const BATCHES = 8;

/**
 * Row b of batch i has length 20 + (k·7919 mod 181) with k = i·32 + b: every length in 20..200 once per 181 rows
 * (7919 and 181 are prime), in a scattered order; torch_bench.py uses the same formula.
 */
export function classifyLengths(batchIndex: number): Int32Array {
  const span = CLASSIFY.maxLength - CLASSIFY.minLength + 1;
  return Int32Array.from({ length: CLASSIFY.batch }, (_, b) => CLASSIFY.minLength + (((batchIndex * CLASSIFY.batch + b) * 7919) % span));
}

export interface TaskBenchOptions {
  task: BenchTask;
  hidden: number;
  threads?: number;
  seconds?: number;
  seed?: number;
}

export interface TaskBenchResult {
  task: BenchTask;
  cell: 'lstm';
  hidden: number;
  batch: number;
  /** The window (forecast) or the mean padded length of the batches (classify). */
  steps: number;
  /** Mean valid steps per row (classify: about 110; forecast: the window). */
  meanLength: number;
  /** Training steps (minibatches) per second, best window and median. */
  trainStepsPerSec: number;
  trainStepsPerSecMedian: number;
  /** Sequences per second: batch · steps per second. */
  sequencesPerSec: number;
  threads: number;
  engine: 'fused';
  backend: string;
  lastLoss: number;
}

function model(task: BenchTask, hidden: number, seed: number): SequenceRegressor | SequenceClassifier {
  if (task === 'forecast') return new SequenceRegressor({ inputSize: FORECAST.features, hiddenSize: hidden, seed });
  const { vocab, embedding, classes } = CLASSIFY;
  return new SequenceClassifier({ vocabSize: vocab, numClasses: classes, embeddingDim: embedding, hiddenSize: hidden, bidirectional: true, seed });
}

/** The batches a run cycles through, drawn from one seeded generator. */
export function taskBatches(task: BenchTask, seed: number): SequenceBatch[] {
  const random = new Random(seed);
  return Array.from({ length: BATCHES }, (_, i) => {
    if (task === 'forecast') {
      const { batch: B, window: T, features: F } = FORECAST;
      return {
        input: new Tensor(Float32Array.from({ length: B * T * F }, () => random.normal()), [B, T, F]),
        targets: new Tensor(Float32Array.from({ length: B }, () => random.normal()), [B, 1, 1]),
      };
    }
    const { batch: B, vocab, classes } = CLASSIFY;
    const lengths = classifyLengths(i);
    const T = Math.max(...lengths);
    return {
      input: new Tensor(Float32Array.from({ length: B * T }, () => random.int(vocab)), [B, T]),
      lengths,
      targets: new Tensor(Float32Array.from({ length: B }, () => random.int(classes)), [B]),
    };
  });
}

export async function benchTask(options: TaskBenchOptions): Promise<TaskBenchResult> {
  const { task, hidden, seconds = 2, seed = 0 } = options;
  await init({ threads: options.threads ?? 'auto' });
  const net = model(task, hidden, seed);
  net.train();
  const engine = fusedSequenceEngineFor(net);
  if (engine === null) throw new Error(`bench: the fused engine does not run the ${task} model`);
  const optimizer = new Adam(net.parameters(), { lr: 1e-3 });
  const batches = taskBatches(task, seed + 1);
  let next = 0;
  let lastLoss = NaN;
  const step = (): void => {
    const batch = batches[next++ % batches.length]!;
    optimizer.zeroGrad(false);
    lastLoss = engine.lossAndGrad(batch).loss;
    optimizer.step();
  };
  const stats = timeWindows(step, 1, { seconds, warmup: 2, windows: 5 });
  if (!Number.isFinite(lastLoss)) throw new Error(`bench: training the ${task} model produced a non-finite loss`);
  const B = task === 'forecast' ? FORECAST.batch : CLASSIFY.batch;
  const padded = batches.map((b) => b.input.shape[1]!);
  const lengths = batches.flatMap((b) => (b.lengths === undefined ? [FORECAST.window] : Array.from(b.lengths as Int32Array)));
  const backend = (engine as { backend?: { name: string; threads?: number } }).backend;
  return {
    task,
    cell: 'lstm',
    hidden,
    batch: B,
    steps: padded.reduce((a, b) => a + b, 0) / padded.length,
    meanLength: lengths.reduce((a, b) => a + b, 0) / lengths.length,
    trainStepsPerSec: stats.best,
    trainStepsPerSecMedian: stats.median,
    sequencesPerSec: stats.best * B,
    threads: backend?.threads ?? 1,
    engine: 'fused',
    backend: backend?.name ?? 'unknown',
    lastLoss,
  };
}

export interface TaskBenchSummary {
  task: BenchTask;
  node: string;
  cores: number;
  threads: number;
  /** Peak resident set of the whole run, MiB. */
  maxRssMB: number;
  /** 1-minute load average at the start and at the end of the run. */
  loadStart: number;
  loadEnd: number;
  seconds: number;
  timing: string;
  /** The sgemm register tiles that ran (see `lstm bench`'s summary). */
  gemm: GemmChoice;
}

/** Peak resident set of this process so far, MiB. */
function maxRssMB(): number {
  return process.resourceUsage().maxRSS / 1024; // reported in KiB
}

export interface TaskBenchRun {
  rows: TaskBenchResult[];
  summary: TaskBenchSummary;
}

/** One row per hidden size, one after the other, then the summary. */
export async function runTaskBench(options: { task: BenchTask; hidden: readonly number[]; threads: number; seconds: number; seed?: number; onRow?: (row: TaskBenchResult & { maxRssMB: number }) => void }): Promise<TaskBenchRun> {
  const t0 = performance.now();
  const loadStart = loadavg()[0]!;
  const rows: TaskBenchResult[] = [];
  for (const hidden of options.hidden) {
    const row = await benchTask({ task: options.task, hidden, threads: options.threads, seconds: options.seconds, seed: options.seed ?? 0 });
    rows.push(row);
    options.onRow?.({ ...row, maxRssMB: maxRssMB() });
  }
  const summary: TaskBenchSummary = {
    task: options.task,
    node: process.version,
    cores: availableParallelism(),
    threads: options.threads,
    maxRssMB: maxRssMB(),
    loadStart,
    loadEnd: loadavg()[0]!,
    seconds: (performance.now() - t0) / 1000,
    timing: 'best of several timing windows per number (medians beside them)',
    gemm: gemmChoice(),
  };
  return { rows, summary };
}

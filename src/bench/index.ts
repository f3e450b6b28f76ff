// `lstm bench` as a library: for every (cell, hidden) row, training tokens/s in the d2l setting, greedy
// one-at-a-time generation characters/s and the step product's sgemm GFLOP/s, with the training step's FLOP rate
// as a fraction of the 128-bit SIMD peak measured once at the start. Rows are computed one after the other
// (never concurrently), so each has the machine to itself as far as this process is concerned.
import { availableParallelism, loadavg } from 'node:os';
import { D2L, stepProductShape, trainingStepFlops, type BenchCell } from './flops.js';
import { benchGeneration } from './generation.js';
import { benchSgemm, measureSimdPeak, type SimdPeak } from './sgemm.js';
import { benchTraining } from './training.js';
import { initWasmSync } from '../kernels/wasm/backend.js';
import { ensureGemmChoice, gemmChoice, setGemmVariant, type GemmChoice } from '../kernels/wasm/gemm-variants.js';
import { splitChoice, type SplitChoice } from '../kernels/wasm/split-choice.js';
import { threadPool } from '../kernels/wasm/threads.js';

export { BENCH_CELLS, D2L, GATE_COUNT, stepProductShape, trainingStepFlops, type BenchCell, type StepFlops, type StepShape } from './flops.js';
export { benchGeneration, d2lVocab, BENCH_PREFIX, type GenerationBenchOptions, type GenerationBenchResult } from './generation.js';
export { benchSgemm, measureSimdPeak, type SgemmOptions, type SgemmResult, type SimdPeak } from './sgemm.js';
export { benchTraining, type TrainingBenchOptions, type TrainingBenchResult } from './training.js';
export { timeWindows, type WindowOptions, type WindowStats } from './timing.js';

export type BenchPart = 'train' | 'generate' | 'sgemm';
export const BENCH_PARTS: readonly BenchPart[] = ['train', 'generate', 'sgemm'];

export interface BenchOptions {
  cells: readonly BenchCell[];
  hidden: readonly number[];
  /** Threads for training and the pooled sgemm. */
  threads: number;
  /** Seconds of timed training per row (generation and sgemm take about half and a third of it). */
  seconds: number;
  /** Characters generated per generate() call. */
  length?: number;
  parts?: ReadonlySet<BenchPart>;
  batch?: number;
  steps?: number;
  seed?: number;
  /** sgemm variants to run instead of the one timed at start-up (names from gemmVariants(): a tile, a row tile). */
  gemm?: readonly string[];
  /** Called with the SIMD peak once it is measured (before any row). */
  onPeak?: (peak: SimdPeak) => void;
  /** Called with each row as soon as it is measured. */
  onRow?: (row: BenchRow) => void;
}

/** One row; the first six keys are the ones scripts rely on. A skipped part's numbers are null. */
export interface BenchRow {
  cell: BenchCell;
  hidden: number;
  /** Training tokens per second (B·T·steps / s), best window. */
  trainTokensPerSec: number | null;
  /** Greedy one-at-a-time generation, characters per second, best window. */
  generateCharsPerSec: number | null;
  /** The step product (B, H) by (H, G·H) on `threads` threads, GFLOP/s. */
  sgemmGflops: number | null;
  /** Threads that shared the training products. */
  threads: number;
  trainTokensPerSecMedian: number | null;
  /** FLOP of one training step's products, and the rate reached (best window). */
  trainFlopsPerStep: number;
  trainGflops: number | null;
  /** trainGflops / (simdPeakGflops · threads): how much of the 128-bit SIMD peak a training step uses. */
  peakFraction: number | null;
  sgemmShape: string;
  /** The step product on one thread, B packed once beforehand (as the engine runs it). */
  sgemmGflops1Thread: number | null;
  /** The same on one thread with B packed inside every call (plain sgemm). */
  sgemmPackPerCallGflops1Thread: number | null;
  /** sgemmGflops1Thread / simdPeakGflops. */
  sgemmPeakFraction1Thread: number | null;
  /** sgemmGflops / sgemmGflops1Thread. */
  sgemmThreadSpeedup: number | null;
  simdPeakGflops: number;
  simdPeakGflopsAllThreads: number;
  generateCharsPerSecMedian: number | null;
  /** Peak resident set of this process so far, MiB (monotonic: includes earlier rows). */
  maxRssMB: number;
  batch: number;
  steps: number;
  vocab: number;
  engine: string | null;
  backend: string | null;
  lastLoss: number | null;
  /** The sgemm register tile (two rows or more) and row tile (one row) that ran; see summary.gemm. */
  gemmTile: string;
  gemmRowTile: string;
  /** Products of fewer multiply-adds ran on one thread (the pool's timed threshold; see summary.split). */
  splitMinMacs: number;
}

export interface BenchSummary {
  node: string;
  cores: number;
  threads: number;
  simdPeakGflops: number;
  simdPeakGflopsAllThreads: number;
  simdPeakMeasuredTogether: boolean;
  /** Peak resident set of the whole run, MiB. */
  maxRssMB: number;
  /** 1-minute load average at the start and at the end of the run. */
  loadStart: number;
  loadEnd: number;
  seconds: number;
  timing: string;
  /** The sgemm variants: which ran, whether timed at start-up or set, each one's GFLOP/s in that timing. */
  gemm: GemmChoice;
  /** The thread pool's split threshold, its measured overhead, and whether it was timed. */
  split: SplitChoice;
}

export function maxRssMB(): number {
  return process.resourceUsage().maxRSS / 1024; // reported in KiB
}

export interface BenchRun {
  peak: SimdPeak;
  rows: BenchRow[];
  summary: BenchSummary;
}

/** The peak once, then each row (cells outer, hidden sizes inner). */
export async function runBench(options: BenchOptions): Promise<BenchRun> {
  const { cells, hidden, threads, seconds, length = 500, parts = new Set(BENCH_PARTS), batch = D2L.batch, steps = D2L.steps, seed = 0 } = options;
  const t0 = performance.now();
  const loadStart = loadavg()[0]!;
  const inst = initWasmSync();
  if (options.gemm !== undefined && options.gemm.length > 0) for (const name of options.gemm) setGemmVariant(name);
  else ensureGemmChoice(inst);
  const peak = await measureSimdPeak(threads, Math.min(0.5, Math.max(0.1, seconds / 4)));
  options.onPeak?.(peak);
  const rows: BenchRow[] = [];
  for (const cell of cells) {
    for (const H of hidden) {
      const train = parts.has('train') ? await benchTraining({ cell, hidden: H, threads, seconds, batch, steps, seed }) : null;
      const gen = parts.has('generate') ? benchGeneration({ cell, hidden: H, length, seconds: Math.max(0.1, seconds / 2), seed }) : null;
      const mm = parts.has('sgemm') ? await benchSgemm({ cell, hidden: H, threads, batch, seconds: Math.max(0.05, seconds / 6) }) : null;
      const flopsPerStep = trainingStepFlops({ cell, hidden: H, batch, steps, vocab: D2L.vocab }).total;
      const rowThreads = train?.threads ?? mm?.threads ?? threads;
      const shape = stepProductShape(cell, H, batch);
      const row: BenchRow = {
        cell,
        hidden: H,
        trainTokensPerSec: train?.tokensPerSec ?? null,
        generateCharsPerSec: gen?.charsPerSec ?? null,
        sgemmGflops: mm?.gflops ?? null,
        threads: rowThreads,
        trainTokensPerSecMedian: train?.tokensPerSecMedian ?? null,
        trainFlopsPerStep: flopsPerStep,
        trainGflops: train?.gflops ?? null,
        peakFraction: train === null ? null : train.gflops / (peak.perThread * train.threads),
        sgemmShape: `${shape.m}x${shape.k} by ${shape.k}x${shape.n}`,
        sgemmGflops1Thread: mm?.gflops1Thread ?? null,
        sgemmPackPerCallGflops1Thread: mm?.gflops1ThreadPackPerCall ?? null,
        sgemmPeakFraction1Thread: mm === null ? null : mm.gflops1Thread / peak.perThread,
        sgemmThreadSpeedup: mm === null ? null : mm.gflops / mm.gflops1Thread,
        simdPeakGflops: peak.perThread,
        simdPeakGflopsAllThreads: peak.allThreads,
        generateCharsPerSecMedian: gen?.charsPerSecMedian ?? null,
        maxRssMB: maxRssMB(),
        batch,
        steps,
        vocab: D2L.vocab,
        engine: train?.engine ?? null,
        backend: train?.backend ?? null,
        lastLoss: train?.lastLoss ?? null,
        gemmTile: gemmChoice().tile,
        gemmRowTile: gemmChoice().rowTile,
        splitMinMacs: threadPool(inst).minParallelMacs,
      };
      rows.push(row);
      options.onRow?.(row);
    }
  }
  const summary: BenchSummary = {
    node: process.version,
    cores: availableParallelism(),
    threads,
    simdPeakGflops: peak.perThread,
    simdPeakGflopsAllThreads: peak.allThreads,
    simdPeakMeasuredTogether: peak.measuredTogether,
    maxRssMB: maxRssMB(),
    loadStart,
    loadEnd: loadavg()[0]!,
    seconds: (performance.now() - t0) / 1000,
    timing: 'best of several timing windows per number (medians beside them)',
    gemm: gemmChoice(),
    split: splitChoice(threadPool(inst)),
  };
  return { peak, rows, summary };
}

// `lstm bench`: training tokens/s (LSTM, GRU, RNN), greedy generation characters/s and the step product's sgemm
// GFLOP/s in the d2l setting (one-hot over 28 tokens, batch 32, 35 steps, SGD lr 1, clip 1, 1 layer) at each
// hidden size, plus the 128-bit SIMD peak measured once at the start and how much of it a training step uses.
// `--json`: one object per row (cell, hidden, trainTokensPerSec, generateCharsPerSec, sgemmGflops, threads and
// more), then one {"summary": ...} line. `--task forecast|classify`: training steps/s of the task models instead
// (src/bench/tasks.ts). This file only defines the flags; the benchmark loads when it runs.
import { Command, InvalidArgumentError, Option } from 'commander';
import { CELL_KINDS, type CellKind } from '../nn/cell-kind-names.js';
import { positiveInt, positiveNumber, seed } from './parsers.js';

type Cell = CellKind;
type Part = 'train' | 'generate' | 'sgemm';
type Task = 'lm' | 'forecast' | 'classify';

export interface BenchFlags {
  task: Task;
  cells: Cell[];
  hidden: number[];
  threads?: number;
  seconds: number;
  length: number;
  parts: Part[];
  batch: number;
  steps: number;
  seed: number;
  gemm?: string[];
  json?: boolean;
}

/** A comma-separated list of distinct items, each checked by `item`. */
function list<T>(item: (text: string) => T, what: string): (text: string) => T[] {
  return (text: string) => {
    const parts = text.split(',').map((s) => s.trim());
    if (parts.length === 0 || parts.some((p) => p === '')) throw new InvalidArgumentError(`must be a comma-separated list of ${what}.`);
    const values = parts.map((p) => {
      try {
        return item(p);
      } catch {
        throw new InvalidArgumentError(`must be a comma-separated list of ${what}; '${p}' is not one.`);
      }
    });
    return [...new Set(values)];
  };
}

function oneOf<T extends string>(choices: readonly T[]): (text: string) => T {
  return (text: string) => {
    if (!(choices as readonly string[]).includes(text)) throw new InvalidArgumentError('not a choice');
    return text as T;
  };
}

/** A list flag whose default --help shows as typed: lstm,gru,rnn. */
function listOption<T>(flags: string, description: string, parse: (text: string) => T[], fallback: T[]): Option {
  return new Option(flags, description).argParser(parse).default(fallback, fallback.join(','));
}

const CELLS: readonly Cell[] = CELL_KINDS;
const PARTS: readonly Part[] = ['train', 'generate', 'sgemm'];
const TASKS: readonly Task[] = ['lm', 'forecast', 'classify'];
/** Hidden sizes when --hidden is not given: issue #16's for the tasks. */
const TASK_HIDDEN: Readonly<Record<Task, number[]>> = { lm: [128, 256, 512, 1024], forecast: [64, 128], classify: [128] };

const BENCH_HELP = `
Every row: a real training loop (zero grads, loss and gradients on the fused engine, clip to norm 1, SGD lr 1,
sequential minibatches with the state carried) on random tokens; greedy generate() of --length characters after
a short prefix; and the per-step product (32 x H) by (H x G·H) on wasm memory with the weights packed once, as
the engine runs it, on one thread and on --threads (--json also has sgemmPackPerCallGflops1Thread: plain sgemm,
packing in every call).
At start-up every sgemm variant (register tile) is timed for a few milliseconds and the fastest runs; --gemm
runs the ones named instead (all give the same bits). --json has the choice and each variant's GFLOP/s in
summary.gemm, and the thread pool's split threshold in summary.split.
Numbers are the best of several timing windows (medians are in --json). trainGflops counts the step's matrix
products, 6·B·T·H·(G·H + 28) flop (G = 4 LSTM, 3 GRU, 1 RNN); peakFraction divides it by the measured
128-bit SIMD peak times the threads. Other processes on the machine lower every number: check the load first.

--task forecast: training steps/s of a SequenceRegressor (4 features, window 64, batch 64, LSTM, head on the last
step, MSE, Adam); --task classify: of a SequenceClassifier (embedding 32 over 64 tokens, bidirectional LSTM, batch
32, lengths 20..200, head on each row's last valid step, cross-entropy, Adam); both on the fused engine with random
data, --cells, --parts, --length, --batch and --steps do not apply.

Examples:
  lstm bench
  lstm bench --cells lstm --hidden 256 --seconds 5
  lstm bench --json > bench.jsonl
  lstm bench --task classify --threads 2
`;

export function defineBench(program: Command): Command {
  return program
    .command('bench')
    .description('training tokens/s, generation chars/s and sgemm GFLOP/s in the d2l setting, against the SIMD peak')
    .addOption(listOption('--cells <list>', 'cells to benchmark, comma-separated', list(oneOf(CELLS), "'lstm', 'gru' and 'rnn'"), [...CELLS]))
    .addOption(new Option('--task <task>', "what to train: 'lm' (the d2l language model), 'forecast' or 'classify'").argParser(oneOf(TASKS)).default('lm'))
    .addOption(listOption('--hidden <list>', 'hidden sizes, comma-separated (--task forecast: 64,128; classify: 128)', list(positiveInt, 'positive integers'), TASK_HIDDEN.lm))
    .option('--threads <n>', 'threads for the products (default: the cores available)', positiveInt)
    .option('--seconds <s>', 'seconds of timed training per row (generation and sgemm take less)', positiveNumber, 2)
    .option('--length <n>', 'characters per generate() call', positiveInt, 500)
    .addOption(listOption('--parts <list>', 'what to measure, comma-separated', list(oneOf(PARTS), "'train', 'generate' and 'sgemm'"), [...PARTS]))
    .option('--batch <n>', 'sequences per minibatch (d2l: 32)', positiveInt, 32)
    .option('--steps <n>', 'tokens per sequence (d2l: 35)', positiveInt, 35)
    .option('--seed <n>', 'seeds the weights and the random tokens', seed, 0)
    .addOption(new Option('--gemm <list>', 'sgemm variants to run instead of the fastest at start-up (a tile such as 4x8, a row tile such as row32)').argParser(list((s) => s, 'variant names')))
    .option('--json', 'print one JSON object per row, then a {"summary": ...} line')
    .addHelpText('after', BENCH_HELP)
    .hook('preAction', (command) => {
      // Without --hidden, a task runs its own sizes (the default shown is the language model's).
      if (command.getOptionValueSource('hidden') === 'default') command.setOptionValue('hidden', TASK_HIDDEN[command.getOptionValue('task') as Task]);
    });
}

const fmt = {
  rate: (v: number | null): string => (v === null ? '-' : Math.round(v).toLocaleString('en-US', { maximumSignificantDigits: 3 })),
  gf: (v: number | null): string => (v === null ? '-' : v.toFixed(1)),
  pct: (v: number | null): string => (v === null ? '-' : `${(100 * v).toFixed(0)}%`),
  x: (v: number | null): string => (v === null ? '-' : `${v.toFixed(2)}x`),
};

const COLUMNS: Array<[string, number]> = [
  ['cell', 4], ['hidden', 6], ['train tok/s', 11], ['train GF/s', 10], ['of peak', 7], ['gen chars/s', 11],
  ['sgemm GF/s', 10], ['1 thread', 8], ['1T of peak', 10], ['NT/1T', 6], ['threads', 7],
];

function tableLine(cells: string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(COLUMNS[i]![1]) : c.padStart(COLUMNS[i]![1]))).join('  ');
}

export async function benchAction(flags: BenchFlags): Promise<number> {
  if (flags.task !== 'lm') return taskBenchAction(flags);
  const { runBench } = await import('../bench/index.js');
  // Each row trains a model of its hidden size: refuse one this machine cannot hold before the first row runs.
  const { assertModelFits } = await import('../train/model-spec.js');
  for (const cell of flags.cells) {
    for (const hidden of flags.hidden) {
      const config = { cell, hiddenSize: hidden, numLayers: 1, dropout: 0, vocabSize: 28, seed: flags.seed };
      assertModelFits(config, { batchSize: flags.batch, numSteps: flags.steps, optimizerBuffers: 0 }, `bench --cells ${cell} --hidden ${hidden} --batch ${flags.batch} --steps ${flags.steps}`);
    }
  }
  const { init } = await import('../kernels/runtime.js');
  // --gemm goes in before anything is timed or run: the named tiles replace the start-up choice.
  const runtime = await init({ backend: 'auto', threads: flags.threads ?? 'auto', kernelVariant: flags.gemm?.join(',') ?? 'auto' }).catch((err: Error) => {
    throw flags.gemm !== undefined && err.message.startsWith('init: unknown kernelVariant') ? new Error(`--gemm: ${err.message.slice('init: '.length)}`) : err;
  });
  if (runtime.backend !== 'wasm') throw new Error(`lstm bench needs the WebAssembly kernels: ${runtime.backendReason}`);
  const threads = runtime.threads;
  const write = (text: string): boolean => process.stdout.write(text);
  const json = flags.json === true;
  let headerDone = false;
  const run = await runBench({
    cells: flags.cells,
    hidden: flags.hidden,
    threads,
    seconds: flags.seconds,
    length: flags.length,
    parts: new Set(flags.parts),
    batch: flags.batch,
    steps: flags.steps,
    seed: flags.seed,
    ...(flags.gemm !== undefined ? { gemm: flags.gemm } : {}),
    onPeak: (peak) => {
      if (json) return;
      const together = peak.measuredTogether ? 'measured together' : 'estimated';
      write(`setting: d2l, one-hot over 28 tokens, batch ${flags.batch} x ${flags.steps} steps, 1 layer, SGD lr 1, clip 1; ${threads} thread(s)\n`);
      write(`128-bit SIMD peak: ${peak.perThread.toFixed(1)} GFLOP/s per thread, ${peak.allThreads.toFixed(1)} on ${peak.threads} thread(s) (${together})\n`);
    },
    onRow: (row) => {
      if (json) {
        write(`${JSON.stringify(row)}\n`);
        return;
      }
      if (!headerDone) {
        headerDone = true;
        write(`${tableLine(COLUMNS.map(([h]) => h))}\n`);
      }
      write(`${tableLine([
        row.cell, String(row.hidden), fmt.rate(row.trainTokensPerSec), fmt.gf(row.trainGflops), fmt.pct(row.peakFraction),
        fmt.rate(row.generateCharsPerSec), fmt.gf(row.sgemmGflops), fmt.gf(row.sgemmGflops1Thread), fmt.pct(row.sgemmPeakFraction1Thread),
        fmt.x(row.sgemmThreadSpeedup), String(row.threads),
      ])}\n`);
    },
  });
  const s = run.summary;
  if (json) {
    write(`${JSON.stringify({ summary: s })}\n`);
    return 0;
  }
  const variants = Object.entries(s.gemm.gflops).map(([name, g]) => `${name} ${g.toFixed(1)}`).join(', ');
  write([
    `sgemm: tile ${s.gemm.tile}, row tile ${s.gemm.rowTile} (${s.gemm.how}${variants === '' ? '' : ` in ${s.gemm.ms.toFixed(0)} ms: ${variants} GFLOP/s`}); products under ${s.split.minParallelMacs.toLocaleString('en-US')} multiply-adds on one thread (${s.split.how})`,
    `peak resident memory: ${s.maxRssMB?.toFixed(0)} MiB; ${s.node}, ${s.cores} cores; load average ${s.loadStart?.toFixed(2)} at the start, ${s.loadEnd?.toFixed(2)} at the end; ${s.seconds.toFixed(1)} s`,
    'numbers are the best of several timing windows; "of peak" = train GF/s / (peak per thread x threads)',
  ].join('\n') + '\n');
  return 0;
}

/** `lstm bench --task forecast|classify`: one row per hidden size, steps per second, then the summary. */
async function taskBenchAction(flags: BenchFlags): Promise<number> {
  const { runTaskBench } = await import('../bench/tasks.js');
  const { init } = await import('../kernels/runtime.js');
  const runtime = await init({ backend: 'auto', threads: flags.threads ?? 'auto', kernelVariant: flags.gemm?.join(',') ?? 'auto' });
  if (runtime.backend !== 'wasm') throw new Error(`lstm bench needs the WebAssembly kernels: ${runtime.backendReason}`);
  const task = flags.task as 'forecast' | 'classify';
  const write = (text: string): boolean => process.stdout.write(text);
  const json = flags.json === true;
  if (!json) write(`${'task'.padEnd(8)}  cell  hidden  ${'train steps/s'.padStart(13)}  ${'median'.padStart(8)}  ${'sequences/s'.padStart(11)}  ${'mean length'.padStart(11)}  threads\n`);
  const run = await runTaskBench({
    task,
    hidden: flags.hidden,
    threads: runtime.threads,
    seconds: flags.seconds,
    seed: flags.seed,
    onRow: (row) => {
      if (json) write(`${JSON.stringify(row)}\n`);
      else write(`${row.task.padEnd(8)}  lstm  ${String(row.hidden).padStart(6)}  ${row.trainStepsPerSec.toFixed(2).padStart(13)}  ${row.trainStepsPerSecMedian.toFixed(2).padStart(8)}  ${fmt.rate(row.sequencesPerSec).padStart(11)}  ${row.meanLength.toFixed(1).padStart(11)}  ${String(row.threads).padStart(7)}\n`);
    },
  });
  const s = run.summary;
  if (json) write(`${JSON.stringify({ summary: s })}\n`);
  else write(`peak resident memory: ${s.maxRssMB.toFixed(0)} MiB; ${s.node}, ${s.cores} cores; load average ${s.loadStart.toFixed(2)} at the start, ${s.loadEnd.toFixed(2)} at the end; ${s.seconds.toFixed(1)} s\n`);
  return 0;
}

// Pinning the language model's numbers across refactors: short runs of `lstm train` configurations (the CLI's own
// flag parsing, preset and defaults, then the very library call `lstm train` makes) on The Time Machine, reduced
// to what must not move: every minibatch loss, every epoch's loss and perplexities, and digests of the checkpoint
// the run leaves (tensors bit for bit; metadata without wall-clock timings and without the task fields added
// later). scripts/pinned/make-lm-pinned.ts writes test/fixtures/lm-pinned.json; test/lm-pinned.test.ts re-runs it.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { defineTrain, type TrainFlags } from '../../src/cli/args.js';
import { applyPreset, planTraining } from '../../src/cli/train-config.js';
import { useEngine } from '../../src/engine/index.js';
import { kernels, overrideRuntime, refKernels } from '../../src/kernels/runtime.js';
import { readSafetensorsWithMetadata } from '../../src/io/safetensors.js';
import { trainOnText } from '../../src/train/index.js';

export const TIME_MACHINE = new URL('../../../shared/data/timemachine.txt', import.meta.url);

/** Flags after `lstm train --data timemachine.txt`; each run is 2 epochs of 3-4 minibatches. */
export const PIN_CASES: ReadonlyArray<{ name: string; flags: string[] }> = [
  { name: 'defaults, sequential', flags: ['--max-tokens', '5000', '--epochs', '2'] },
  { name: 'defaults, random', flags: ['--max-tokens', '5000', '--epochs', '2', '--sampling', 'random'] },
  { name: 'defaults, 2 layers, dropout 0.2, sequential', flags: ['--max-tokens', '5000', '--epochs', '2', '--layers', '2', '--dropout', '0.2', '--hidden', '128'] },
  { name: 'defaults, 2 layers, dropout 0.2, random', flags: ['--max-tokens', '5000', '--epochs', '2', '--layers', '2', '--dropout', '0.2', '--hidden', '128', '--sampling', 'random'] },
  { name: 'd2l, sequential', flags: ['--preset', 'd2l', '--max-tokens', '4500', '--epochs', '2'] },
  { name: 'd2l, random', flags: ['--preset', 'd2l', '--max-tokens', '4500', '--epochs', '2', '--sampling', 'random'] },
  { name: 'd2l, 2 layers, dropout 0.3, sequential', flags: ['--preset', 'd2l', '--max-tokens', '4500', '--epochs', '2', '--layers', '2', '--dropout', '0.3', '--hidden', '128'] },
  { name: 'd2l, 2 layers, dropout 0.3, random', flags: ['--preset', 'd2l', '--max-tokens', '4500', '--epochs', '2', '--layers', '2', '--dropout', '0.3', '--hidden', '128', '--sampling', 'random'] },
  // The autograd tape, which the fused engine replaces wherever it applies: a GRU with an embedding, and an LSTM.
  { name: 'autograd, gru, embedding, dropout, random', flags: ['--engine', 'autograd', '--cell', 'gru', '--embedding', '16', '--hidden', '24', '--layers', '2', '--dropout', '0.25', '--max-tokens', '3000', '--batch', '8', '--steps', '20', '--epochs', '2', '--sampling', 'random'] },
  { name: 'autograd, lstm, sgd, sequential', flags: ['--engine', 'autograd', '--hidden', '24', '--optimizer', 'sgd', '--lr', '1', '--max-tokens', '3000', '--batch', '8', '--steps', '20', '--epochs', '2'] },
];

export interface PinnedRun {
  name: string;
  flags: string[];
  batchLosses: number[];
  epochs: Array<{ loss: number; perplexity: number; valPerplexity: number | null; lr: number }>;
  /** SHA-256 of every tensor of the checkpoint (name, shape and float32 bytes, in name order). */
  tensors: string;
  /** SHA-256 of the checkpoint metadata as canonical JSON, timings and task fields removed. */
  metadata: string;
}

/** The flags `lstm train` would act on, through its own parser, preset and checks. */
async function planOf(argv: string[]) {
  let plan: ReturnType<typeof planTraining> | null = null;
  const program = new Command('lstm').exitOverride();
  defineTrain(program).action((options: TrainFlags, command: Command) => {
    const { flags, given } = applyPreset(options, (key) => command.getOptionValueSource(key));
    plan = planTraining(flags, given);
  });
  await program.parseAsync(['train', ...argv], { from: 'user' });
  return plan!;
}

/** Fields a later version may add to the metadata without changing what an old reader sees. */
const ADDED_FIELDS = new Set(['task']);

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

export async function pinnedRun(name: string, flags: string[]): Promise<PinnedRun> {
  const text = await readFile(TIME_MACHINE, 'utf8');
  const dir = await mkdtemp(join(tmpdir(), 'lstm-pin-'));
  const products = kernels();
  try {
    const plan = await planOf(['--data', 'timemachine.txt', ...flags]);
    useEngine(plan.flags.engine);
    // Main ran the tape's products on the reference kernels (and its optimizers on wasm, as now): the tape is
    // pinned with the same, since the wasm products, the tape's default since, sum in another order.
    if (plan.flags.engine === 'autograd') overrideRuntime({ kernels: refKernels });
    const out = join(dir, 'pin.safetensors');
    const batchLosses: number[] = [];
    const run = await trainOnText(text, {
      model: plan.model, text: plan.text, maxTokens: plan.flags.maxTokens, training: plan.training, checkpointPath: out,
      controls: { onBatch: (b) => void batchLosses.push(b.loss) },
    });
    const epochs = run.trainer.history.map((h) => ({ loss: h.loss, perplexity: h.perplexity, valPerplexity: h.valPerplexity, lr: h.lr }));
    const { tensors, metadata } = await readSafetensorsWithMetadata(out);
    const hash = createHash('sha256');
    for (const key of Object.keys(tensors).sort()) {
      const t = tensors[key]!;
      hash.update(`${key}:${t.shape.join('x')}:`);
      hash.update(new Uint8Array(Float32Array.from(t.data).buffer));
    }
    const meta = JSON.parse(metadata['lstm-ts']!) as Record<string, any>;
    for (const key of ADDED_FIELDS) delete meta[key];
    for (const h of meta.training.history) {
      delete h.seconds;
      delete h.tokensPerSec;
    }
    if (meta.training.partial !== null) delete meta.training.partial.seconds;
    return { name, flags, batchLosses, epochs, tensors: hash.digest('hex'), metadata: sha256(JSON.stringify(canonical(meta))) };
  } finally {
    useEngine('auto');
    overrideRuntime({ kernels: products });
    await rm(dir, { recursive: true, force: true });
  }
}

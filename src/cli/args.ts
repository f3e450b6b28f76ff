// The argument definitions of `lstm train`, `lstm generate` and `lstm eval`: flags, defaults (the library's own,
// from src/train/defaults.ts), choices and value parsers, and the typed option objects the actions receive.
// Defaults are commander defaults so --help shows them; `getOptionValueSource` still tells a given flag from a default (which is how presets work).
import { Command, Option } from 'commander';
import { defaultLearningRate, MODEL_DEFAULTS, TEXT_DEFAULTS, TRAIN_DEFAULTS } from '../train/defaults.js';
import { DEFAULT_MAX_CORPUS_BYTES } from '../data/text-source.js';
import { CELL_KINDS, type CellKind } from '../nn/cell-kind-names.js';
import { byteSize, fraction, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, seed } from './parsers.js';

export const DEFAULT_CHECKPOINT = 'model.lstm.safetensors';

export interface TrainFlags {
  data?: string;
  tokens: 'char' | 'word';
  preprocess: 'none' | 'letters';
  cell: CellKind;
  hidden: number;
  layers: number;
  dropout: number;
  embedding?: number;
  batch: number;
  steps: number;
  epochs: number;
  lr?: number;
  clip: number;
  optimizer: 'sgd' | 'adam';
  weightDecay: number;
  sampling: 'random' | 'sequential';
  valid: number;
  patience?: number;
  lrSchedule: 'constant' | 'cosine' | 'step';
  minLr: number;
  lrStep?: number;
  lrGamma: number;
  out: string;
  resume?: boolean;
  force?: boolean;
  seed: number;
  maxTokens: number;
  maxDataSize: number;
  json?: boolean;
  engine: 'auto' | 'fused' | 'autograd';
  backend: 'auto' | 'wasm' | 'ref';
  threads?: number;
  sampleLength: number;
  sampleStrategy: 'greedy' | 'sample' | 'top-k';
  sampleTopK: number;
  sampleTemperature: number;
  prefix?: string;
  preset?: 'd2l';
}

export interface GenerateFlags {
  model: string;
  prefix: string;
  length: number;
  strategy?: 'greedy' | 'sample' | 'top-k';
  temperature?: number;
  topK?: number;
  seed: number;
}

export interface EvalFlags {
  model: string;
  data?: string;
  maxTokens: number;
  maxDataSize: number;
  batch?: number;
  steps?: number;
  json?: boolean;
  backend: 'auto' | 'wasm' | 'ref';
  threads?: number;
}

const choice = (flags: string, description: string, choices: readonly string[], fallback?: string): Option => {
  const option = new Option(flags, description).choices(choices);
  return fallback === undefined ? option : option.default(fallback);
};

/** --data files larger than this are refused (the library's DEFAULT_MAX_CORPUS_BYTES, 64 MiB). */
const MAX_DATA_SIZE = (): Option =>
  new Option('--max-data-size <size>', 'refuse a --data file larger than this (e.g. 512K, 64M, 2G)').argParser(byteSize).default(DEFAULT_MAX_CORPUS_BYTES, `${DEFAULT_MAX_CORPUS_BYTES / 2 ** 20}M`);

const TRAIN_EXAMPLES = `
Presets:
  --preset d2l   the setting of Dive into Deep Learning ch. 8-9: --preprocess letters --tokens char
                 --max-tokens 10000 --cell lstm --hidden 256 --layers 1 --batch 32 --steps 35
                 --sampling sequential (random start offset each epoch) --optimizer sgd --lr 1 --clip 1
                 --epochs 500 --valid 0, sample prefix "time traveller". Flags given with it override it.

The checkpoint is saved after every epoch (atomically), and on Ctrl-C mid-epoch; --resume continues it
exactly where it stopped. The perplexity curve is written next to it: model.lstm.safetensors ->
model.lstm.perplexity.svg. An existing checkpoint is never replaced by a new run unless --force is given.

Examples:
  lstm train --preset d2l --data timemachine.txt
  lstm train --data book.txt --cell gru --hidden 512 --layers 2 --dropout 0.2 --epochs 20 --out book.safetensors
  lstm train --data book.txt --out book.safetensors --resume --epochs 40
`;

export function defineTrain(program: Command): Command {
  return program
    .command('train')
    .description('train a character- or word-level language model on a text file and save a checkpoint')
    .option('--data <file>', 'UTF-8 text file to train on (default: the built-in Moby Dick corpus)')
    .addOption(choice('--tokens <kind>', 'tokenize into characters or words', ['char', 'word'], TEXT_DEFAULTS.tokens))
    .addOption(choice('--preprocess <how>', "'letters': d2l's letters-only, lower-case text", ['none', 'letters'], TEXT_DEFAULTS.preprocess))
    .addOption(choice('--cell <kind>', 'recurrent cell', [...CELL_KINDS], MODEL_DEFAULTS.cell))
    .option('--hidden <n>', 'hidden units per layer', positiveInt, MODEL_DEFAULTS.hiddenSize)
    .option('--layers <n>', 'stacked recurrent layers', positiveInt, MODEL_DEFAULTS.numLayers)
    .option('--dropout <p>', 'dropout between stacked layers, in [0, 1) (needs --layers > 1)', fraction, MODEL_DEFAULTS.dropout)
    .option('--embedding <n>', 'learn an embedding of this width (default: one-hot input, as d2l)', positiveInt)
    .option('--batch <n>', 'sequences per minibatch', positiveInt, TRAIN_DEFAULTS.batchSize)
    .option('--steps <n>', 'tokens per sequence (truncated backpropagation length)', positiveInt, TRAIN_DEFAULTS.numSteps)
    .option('--epochs <n>', 'total epochs (with --resume: the new total)', positiveInt, TRAIN_DEFAULTS.epochs)
    .option('--lr <rate>', `learning rate (default: ${defaultLearningRate('sgd')} for sgd, ${defaultLearningRate('adam')} for adam)`, positiveNumber)
    .option('--clip <norm>', 'clip the gradient norm to this (0 = no clipping)', nonNegativeNumber, TRAIN_DEFAULTS.clip)
    .addOption(choice('--optimizer <name>', 'optimizer', ['sgd', 'adam'], TRAIN_DEFAULTS.optimizer))
    .option('--weight-decay <w>', 'L2 weight decay (decoupled for adam)', nonNegativeNumber, TRAIN_DEFAULTS.weightDecay)
    .addOption(choice('--sampling <how>', 'minibatch partitioning (d2l 8.3)', ['random', 'sequential'], TRAIN_DEFAULTS.sampling))
    .option('--valid <fraction>', 'hold out this fraction of the text (its end) for validation perplexity', fraction, TRAIN_DEFAULTS.validFraction)
    .option('--patience <n>', 'stop after N epochs without a better validation perplexity, keeping the best checkpoint beside --out', positiveInt)
    .addOption(choice('--lr-schedule <kind>', 'learning-rate schedule over the epochs', ['constant', 'cosine', 'step'], TRAIN_DEFAULTS.lrSchedule))
    .option('--min-lr <rate>', "cosine schedule: the rate at the last epoch", nonNegativeNumber, TRAIN_DEFAULTS.minLr)
    .option('--lr-step <epochs>', 'step schedule: decay every this many epochs (default: a third of --epochs)', positiveInt)
    .option('--lr-gamma <factor>', 'step schedule: multiply the rate by this', nonNegativeNumber, TRAIN_DEFAULTS.lrGamma)
    .option('--out <file>', 'checkpoint to write', DEFAULT_CHECKPOINT)
    .option('--resume', 'continue training the checkpoint at --out where it stopped')
    .option('--force', 'start a new run even if --out already holds a checkpoint (replacing it)')
    .option('--seed <n>', 'seeds the initial weights, minibatch order and dropout', seed, TRAIN_DEFAULTS.seed)
    .option('--max-tokens <n>', 'train on the first N tokens of the text only (0 = all)', nonNegativeInt, 0)
    .addOption(MAX_DATA_SIZE())
    .option('--json', 'print one JSON object per epoch and a final {"summary": ...} line, no progress bar')
    .addOption(choice('--engine <name>', "'fused': fast hand-derived kernels; 'autograd': the tape", ['auto', 'fused', 'autograd'], 'auto'))
    .addOption(choice('--backend <name>', "kernels every path runs on: 'wasm' (WebAssembly SIMD), 'ref' (plain TypeScript); 'auto': wasm where SIMD is", ['auto', 'wasm', 'ref'], 'auto'))
    .option('--threads <n>', 'threads sharing the matrix products (default: the cores available)', positiveInt)
    .option('--sample-length <n>', 'tokens to generate after training (0 = no sample)', nonNegativeInt, 50)
    .addOption(choice('--sample-strategy <name>', "how the sample after training picks tokens ('top-k' and 'sample' draw with --seed)", ['greedy', 'sample', 'top-k'], 'greedy'))
    .option('--sample-top-k <k>', 'top-k: sample among the k most likely tokens', positiveInt, 5)
    .option('--sample-temperature <t>', "softmax temperature of 'sample' and 'top-k'", positiveNumber, 1)
    .option('--prefix <text>', 'start of the sample printed after training (default: the first tokens of the text)')
    .addOption(choice('--preset <name>', 'a complete known setting; other flags override it', ['d2l']))
    .addHelpText('after', TRAIN_EXAMPLES);
}

export function defineGenerate(program: Command): Command {
  return program
    .command('generate')
    .description('continue a prefix with a trained model')
    .requiredOption('--model <file>', 'checkpoint written by lstm train')
    .requiredOption('--prefix <text>', 'text to start from (in the model\'s vocabulary)')
    .option('--length <n>', 'tokens to generate', nonNegativeInt, 100)
    .addOption(choice('--strategy <name>', "how to pick tokens (default: greedy; 'sample' with --temperature, 'top-k' with --top-k)", ['greedy', 'sample', 'top-k']))
    .option('--temperature <t>', 'softmax temperature for sample and top-k (< 1 sharper, > 1 flatter)', positiveNumber)
    .option('--top-k <k>', 'top-k: sample among the k most likely tokens', positiveInt)
    .option('--seed <n>', 'seed of the draws for sample and top-k', seed, 0)
    .addHelpText('after', '\nExample:\n  lstm generate --model model.lstm.safetensors --prefix "time traveller" --length 200 --strategy top-k --top-k 5\n');
}

export function defineEval(program: Command): Command {
  return program
    .command('eval')
    .description("perplexity of a trained model on a text (tokenized with the checkpoint's settings)")
    .requiredOption('--model <file>', 'checkpoint written by lstm train')
    .option('--data <file>', 'UTF-8 text file to evaluate on (default: the built-in Moby Dick corpus)')
    .option('--max-tokens <n>', 'evaluate on the first N tokens only (0 = all)', nonNegativeInt, 0)
    .addOption(MAX_DATA_SIZE())
    .option('--batch <n>', "rows evaluated in parallel (default: the checkpoint's training batch)", positiveInt)
    .option('--steps <n>', "tokens per window (default: the checkpoint's training steps)", positiveInt)
    .addOption(choice('--backend <name>', "kernels every path runs on: 'wasm' (WebAssembly SIMD), 'ref' (plain TypeScript); 'auto': wasm where SIMD is", ['auto', 'wasm', 'ref'], 'auto'))
    .option('--threads <n>', 'threads sharing the matrix products (default: the cores available)', positiveInt)
    .option('--json', 'print one JSON object');
}

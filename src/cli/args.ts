// The argument definitions of `lstm train`, `lstm generate` and `lstm eval`: flags, defaults (the library's own,
// from src/train/defaults.ts), choices and value parsers, and the typed option objects the actions receive.
// Defaults are commander defaults so --help shows them; `getOptionValueSource` still tells a given flag from a default (which is how presets work).
import { Command, Option } from 'commander';
import { defaultLearningRate, MODEL_DEFAULTS, TEXT_DEFAULTS, TRAIN_DEFAULTS } from '../train/defaults.js';
import { DEFAULT_MAX_CORPUS_BYTES } from '../data/text-source.js';
import { CELL_KINDS, type CellKind } from '../nn/cell-kind-names.js';
import { byteSize, fraction, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, seed } from './parsers.js';
import { addTaskOptions, type TaskFlags } from './task-args.js';

export const DEFAULT_CHECKPOINT = 'model.lstm.safetensors';

export interface TrainFlags extends TaskFlags {
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
  /** Forecast and classify: which part of the data (default: test on the training data, else all). */
  part?: 'train' | 'valid' | 'test' | 'all';
  label?: string;
  text?: string;
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

Forecast and classify (--task): the same training flags, with each task's own defaults where one is not
given (forecast: window 28, horizon 7, loss mae, LSTM 64, batch 64, 30 epochs, lr 0.003 cosine; classify:
char tokens lower-cased, embedding 32, bidirectional LSTM 64, pool last, batch 32, 10 epochs, lr 0.003
cosine). Without --data: daily US births 2000-2014 (forecast), female/male first names (classify). The
checkpoint of the best validation epoch is kept beside --out (*.best.safetensors), the test metrics are
printed beside the baselines, and a forecast writes an SVG of history, forecast and truth beside it.

Examples:
  lstm train --preset d2l --data timemachine.txt
  lstm train --data book.txt --cell gru --hidden 512 --layers 2 --dropout 0.2 --epochs 20 --out book.safetensors
  lstm train --data book.txt --out book.safetensors --resume --epochs 40
  lstm train --task forecast --data sales.csv --target sales --window 56 --horizon 14 --out sales.safetensors
  lstm train --task classify --data reviews.csv --label sentiment --text review --tokens word --max-length 200
`;

export function defineTrain(program: Command): Command {
  const command = program
    .command('train')
    .description('train a language model on text (or, with --task, a forecaster or a sequence classifier) and save a checkpoint')
    .option('--data <file>', 'UTF-8 text file to train on (default: the built-in Moby Dick corpus); forecast: CSV/TSV/JSON lines; classify: CSV/TSV/JSON lines or one folder per class')
    .addOption(choice('--tokens <kind>', 'tokenize into characters or words', ['char', 'word'], TEXT_DEFAULTS.tokens))
    .addOption(choice('--preprocess <how>', "'letters': d2l's letters-only, lower-case text", ['none', 'letters'], TEXT_DEFAULTS.preprocess))
    .addOption(choice('--cell <kind>', 'recurrent cell', [...CELL_KINDS], MODEL_DEFAULTS.cell))
    .option('--hidden <n>', 'hidden units per layer', positiveInt, MODEL_DEFAULTS.hiddenSize)
    .option('--layers <n>', 'stacked recurrent layers', positiveInt, MODEL_DEFAULTS.numLayers)
    .option('--dropout <p>', 'dropout between stacked layers, in [0, 1) (needs --layers > 1)', fraction, MODEL_DEFAULTS.dropout)
    .option('--embedding <n>', 'learn an embedding of this width; 0: one-hot input (default: one-hot for a language model, as d2l; 32 for classify)', nonNegativeInt)
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
    .option('--out <file>', 'checkpoint to write (with --task: forecast.lstm.safetensors or classify.lstm.safetensors)', DEFAULT_CHECKPOINT)
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
  addTaskOptions(command);
  return command;
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
    .description("perplexity of a language model on a text (tokenized with the checkpoint's settings); a forecaster's or classifier's metrics beside the baselines")
    .requiredOption('--model <file>', 'checkpoint written by lstm train')
    .option('--data <file>', 'the text (a language model; default: the built-in Moby Dick corpus), series or labelled data to evaluate on (default: what the model was trained on, if built in)')
    .addOption(choice('--part <part>', "forecast, classify: which part of the data's split (default: test on the data the model was trained on, else all)", ['train', 'valid', 'test', 'all']))
    .option('--label <column>', "classify: the label column (default: the one the model was trained with, else 'label')")
    .option('--text <column>', "classify: the text column (default: the one the model was trained with, else 'text')")
    .option('--max-tokens <n>', 'language model: evaluate on the first N tokens only (0 = all)', nonNegativeInt, 0)
    .addOption(MAX_DATA_SIZE())
    .option('--batch <n>', "language model: rows evaluated in parallel (default: the checkpoint's training batch)", positiveInt)
    .option('--steps <n>', "language model: tokens per window (default: the checkpoint's training steps)", positiveInt)
    .addOption(choice('--backend <name>', "kernels every path runs on: 'wasm' (WebAssembly SIMD), 'ref' (plain TypeScript); 'auto': wasm where SIMD is", ['auto', 'wasm', 'ref'], 'auto'))
    .option('--threads <n>', 'threads sharing the matrix products (default: the cores available)', positiveInt)
    .option('--json', 'print one JSON object');
}

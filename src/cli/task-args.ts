// The flags of `lstm train --task forecast|classify` (added to `lstm train`'s own), which flags apply to which
// task, and each task's defaults (src/train/defaults.ts, the same the library uses) filled in where a flag was not
// given. A flag of another task is refused in one line rather than silently ignored.
import { Command, Option } from 'commander';
import { CLASSIFY_DEFAULTS, FORECAST_DEFAULTS } from '../train/defaults.js';
import type { TrainFlags } from './args.js';
import { CliError } from './errors.js';
import { fraction, positiveInt, seed } from './parsers.js';

export const TASKS = ['language-model', 'forecast', 'classify'] as const;
export type TaskName = (typeof TASKS)[number];

export interface TaskFlags {
  task: TaskName;
  target?: string[];
  covariates?: string[];
  date?: string;
  window?: number;
  horizon?: number;
  loss?: 'mse' | 'mae' | 'huber';
  season?: number;
  fill?: 'error' | 'previous' | 'linear';
  test?: number;
  label?: string;
  text?: string;
  maxLength?: number;
  pool?: 'last' | 'mean';
  classWeights?: string;
  bidirectional?: boolean;
  lowercase?: boolean;
  splitSeed?: number;
}

/** Comma-separated names: --target sales,returns. */
function names(text: string): string[] {
  const list = text.split(',').map((s) => s.trim());
  if (list.some((s) => s === '')) throw new CliError(`'${text}' has an empty name; give column names separated by commas`);
  return list;
}

const F = FORECAST_DEFAULTS;
const C = CLASSIFY_DEFAULTS;

export function addTaskOptions(command: Command): Command {
  return command
    .addOption(new Option('--task <kind>', 'what to train: a language model on text, a forecaster on a numeric series, or a sequence classifier').choices([...TASKS]).default('language-model'))
    .option('--target <columns>', 'forecast: the column(s) to forecast, comma-separated (default: the only numeric column)', names)
    .option('--covariates <columns>', 'forecast: input-only columns, comma-separated (default: every other numeric column)', names)
    .option('--date <column>', 'forecast: the date/time column (default: found, if one column holds dates)')
    .option('--window <n>', `forecast: past steps the model reads (default ${F.window})`, positiveInt)
    .option('--horizon <n>', `forecast: steps ahead predicted at once (default ${F.horizon})`, positiveInt)
    .addOption(new Option('--loss <kind>', `forecast: loss on the scaled targets (default ${F.loss})`).choices(['mse', 'mae', 'huber']))
    .option('--season <n>', 'forecast: seasonal period of the baselines and MASE (default: 7 for daily data, 12 monthly, ...; else found)', positiveInt)
    .addOption(new Option('--fill <how>', `forecast: missing values: an error, or filled from the previous row or linearly (default ${F.fill})`).choices(['error', 'previous', 'linear']))
    .option('--test <fraction>', `forecast, classify: the fraction held out for the test metrics (default ${F.testFraction})`, fraction)
    .option('--label <column>', "classify: the label column of a CSV/TSV/JSON-lines file (default 'label')")
    .option('--text <column>', "classify: the text column (default 'text')")
    .option('--max-length <n>', `classify: tokens kept of each text; longer ones are cut and counted (default ${C.maxLength})`, positiveInt)
    .addOption(new Option('--pool <how>', `classify: the last valid state or the mean of the outputs (default ${C.pool})`).choices(['last', 'mean']))
    .option('--class-weights <w>', "classify: 'balanced' (n / (C·n_c)) or one weight per class in label order, comma-separated")
    .option('--bidirectional', `forecast, classify: a bidirectional recurrent layer (default: ${C.bidirectional ? 'on' : 'off'} for classify, off for forecast)`)
    .option('--no-bidirectional', 'classify: a forward-only layer')
    .option('--lowercase', `classify: fold case before tokenizing (default ${C.lowercase ? 'on' : 'off'})`)
    .option('--no-lowercase', 'classify: keep case')
    .option('--split-seed <n>', 'classify: seed of the stratified split (default 0)', seed);
}

/** The flags only one task (or two) reads. */
const ONLY: Array<[keyof (TrainFlags & TaskFlags), string, readonly TaskName[]]> = [
  ['target', '--target', ['forecast']], ['covariates', '--covariates', ['forecast']], ['date', '--date', ['forecast']],
  ['window', '--window', ['forecast']], ['horizon', '--horizon', ['forecast']], ['loss', '--loss', ['forecast']],
  ['season', '--season', ['forecast']], ['fill', '--fill', ['forecast']], ['test', '--test', ['forecast', 'classify']],
  ['label', '--label', ['classify']], ['text', '--text', ['classify']], ['maxLength', '--max-length', ['classify']],
  ['pool', '--pool', ['classify']], ['classWeights', '--class-weights', ['classify']], ['bidirectional', '--bidirectional', ['forecast', 'classify']],
  ['lowercase', '--lowercase', ['classify']], ['splitSeed', '--split-seed', ['classify']],
  ['embedding', '--embedding', ['language-model', 'classify']], ['tokens', '--tokens', ['language-model', 'classify']],
  ['preprocess', '--preprocess', ['language-model']], ['steps', '--steps', ['language-model']], ['sampling', '--sampling', ['language-model']],
  ['maxTokens', '--max-tokens', ['language-model']], ['sampleLength', '--sample-length', ['language-model']],
  ['sampleStrategy', '--sample-strategy', ['language-model']], ['sampleTopK', '--sample-top-k', ['language-model']],
  ['sampleTemperature', '--sample-temperature', ['language-model']], ['prefix', '--prefix', ['language-model']], ['preset', '--preset', ['language-model']],
];

/** Refuses a flag the task does not read, naming the tasks that do. */
export function checkTaskFlags(task: TaskName, given: (key: string) => boolean): void {
  for (const [key, flag, tasks] of ONLY) {
    if (given(key) && !tasks.includes(task)) {
      throw new CliError(`${flag} applies to --task ${tasks.join(' or ')}, not to --task ${task}`);
    }
  }
}

/** What differs from the language model's defaults for a task: the training flags a task fills in when not given. */
export function taskTrainingDefaults(task: 'forecast' | 'classify'): Pick<TrainFlags, 'hidden' | 'batch' | 'epochs' | 'lr' | 'lrSchedule' | 'valid'> {
  const d = task === 'forecast' ? F : C;
  return { hidden: d.hiddenSize, batch: d.batchSize, epochs: d.epochs, lr: d.lr, lrSchedule: d.lrSchedule, valid: d.validFraction };
}

/** Parses --class-weights: 'balanced' or C comma-separated numbers >= 0. */
export function parseClassWeights(text: string | undefined): 'balanced' | number[] | null {
  if (text === undefined) return null;
  if (text.trim() === 'balanced') return 'balanced';
  const values = text.split(',').map((s) => (s.trim() === '' ? NaN : Number(s.trim())));
  if (values.some((v) => !(Number.isFinite(v) && v >= 0))) throw new CliError(`--class-weights must be 'balanced' or numbers >= 0 separated by commas, got '${text}'`);
  return values;
}

export function defaultOutFor(task: TaskName): string {
  return task === 'forecast' ? 'forecast.lstm.safetensors' : task === 'classify' ? 'classify.lstm.safetensors' : 'model.lstm.safetensors';
}

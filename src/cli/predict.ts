// `lstm predict`: what a trained forecaster or classifier says about new data. A forecaster reads the series (--data,
// or the built-in one it was trained on) and forecasts the `horizon` steps after its last row: CSV with the dates
// continuing the data's own (a step number without dates), or JSON lines. A classifier labels each input (--input
// texts, or a --data file: a table's text column, or one text per line) with its class probabilities: aligned
// lines for people, JSON lines with --json, CSV with --out. --out is checked before any work (--force to replace).
import { Option, type Command } from 'commander';
import { CliError } from './errors.js';
import { positiveInt } from './parsers.js';

export interface PredictFlags {
  model: string;
  data?: string;
  input?: string[];
  text?: string;
  out?: string;
  force?: boolean;
  json?: boolean;
  backend: 'auto' | 'wasm' | 'ref';
  threads?: number;
}

const EXAMPLES = `
Examples:
  lstm predict --model forecast.lstm.safetensors                      # the next 7 days of the built-in births
  lstm predict --model sales.safetensors --data sales.csv --out next.csv
  lstm predict --model classify.lstm.safetensors --input Emma --input Oliver
  lstm predict --model reviews.safetensors --data new-reviews.csv --text review --json
`;

export function definePredict(program: Command): Command {
  return program
    .command('predict')
    .description("a forecaster's forecast past the end of a series, or a classifier's labels and class probabilities for texts")
    .requiredOption('--model <file>', 'checkpoint written by lstm train --task forecast|classify')
    .option('--data <file>', 'forecast: the series (default: the built-in one, if the model was trained on it); classify: a CSV/TSV/JSON-lines file or one text per line')
    .option('--input <text...>', 'classify: texts to label')
    .option('--text <column>', "classify: the text column of a --data table (default: the one the model was trained with, else 'text')")
    .option('--out <file>', 'write CSV here instead of printing')
    .option('--force', 'replace --out if it exists')
    .option('--json', 'one JSON object per line')
    .addOption(new Option('--backend <name>', "kernels: 'wasm', 'ref' or 'auto'").choices(['auto', 'wasm', 'ref']).default('auto'))
    .option('--threads <n>', 'threads sharing the matrix products (default: the cores available)', positiveInt)
    .addHelpText('after', EXAMPLES);
}

/** A CSV cell: quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvCell(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function predictAction(flags: PredictFlags): Promise<number> {
  const { checkpointKindOf } = await import('./task-files.js');
  const kind = await checkpointKindOf(flags.model);
  if (kind === 'language-model') throw new CliError(`${flags.model} is a language model; lstm predict reads forecast and classify checkpoints (lstm generate continues a text)`);
  if (flags.out !== undefined) {
    const { checkCommandFiles } = await import('./outputs.js');
    const inputs = [{ flag: '--model', path: flags.model }, ...(flags.data === undefined ? [] : [{ flag: '--data', path: flags.data }])];
    checkCommandFiles({ inputs, outputs: [{ flag: '--out', path: flags.out }], force: flags.force === true });
  }
  const { init } = await import('../kernels/runtime.js');
  await init({ backend: flags.backend, threads: flags.threads ?? 'auto' });
  const { predictForecast, predictClasses } = await import('./predict-run.js');
  const { csv, lines } = kind === 'forecast' ? await predictForecast(flags) : await predictClasses(flags);
  if (flags.out !== undefined) {
    const { writeFileAtomic } = await import('../io/files.js');
    await writeFileAtomic(flags.out, csv);
    process.stdout.write(`wrote ${flags.out}\n`);
  } else process.stdout.write(lines);
  return 0;
}

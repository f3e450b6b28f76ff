#!/usr/bin/env node
// The `lstm` command (package bin -> dist/cli/main.js): `lstm train`, `generate`, `eval`, `predict`, `bench`, `export`, `import`.
// Wires the argument definitions (args.ts) to the actions and turns every failure into one stderr line and an
// exit code (errors.ts); commander's own usage errors get the same `lstm: error: ...` shape.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { defineEval, defineGenerate, defineTrain, type EvalFlags, type GenerateFlags, type TrainFlags } from './args.js';
import { oneLine, reportError } from './errors.js';
import { benchAction, defineBench, type BenchFlags } from './bench.js';
import { defineExport, exportAction, type ExportFlags } from './export.js';
import { defineImport, importAction, type ImportFlags } from './import.js';
import { definePredict, predictAction, type PredictFlags } from './predict.js';

function packageVersion(): string {
  // The same relative path from src/cli/ and dist/cli/.
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('lstm')
    .description('train LSTM/GRU/RNN language models on text, forecasters on series and sequence classifiers; generate, predict, evaluate, export (lstm-ts)')
    .version(packageVersion())
    .configureOutput({ outputError: (text, write) => write(`lstm: ${oneLine(text)}\n`) })
    .showSuggestionAfterError(true);
  // The actions (and the library behind them) load only once a command has parsed: --help and usage errors stay instant.
  defineTrain(program).action(async (flags: TrainFlags, command: Command) => setExitCode(await (await import('./train.js')).trainAction(flags, command)));
  defineGenerate(program).action(async (flags: GenerateFlags) => setExitCode(await (await import('./generate.js')).generateAction(flags)));
  defineEval(program).action(async (flags: EvalFlags) => setExitCode(await (await import('./eval.js')).evalAction(flags)));
  definePredict(program).action(async (flags: PredictFlags) => setExitCode(await predictAction(flags))); // loads the library itself
  defineBench(program).action(async (flags: BenchFlags) => setExitCode(await benchAction(flags))); // loads the library itself
  defineExport(program).action(async (flags: ExportFlags) => setExitCode(await exportAction(flags))); // loads the library itself
  defineImport(program).action(async (flags: ImportFlags) => setExitCode(await importAction(flags))); // loads the library itself
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  try {
    await buildProgram((c) => (code = c)).parseAsync([...argv]);
  } catch (err) {
    code = reportError(err);
  }
  return code;
}

// `lstm generate ... | head -1` closes the pipe early; that is the reader's choice, not an error worth a trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
// Setting exitCode (not calling exit) lets stdout drain when it is a pipe to a slow reader.
process.exitCode = await main(process.argv);

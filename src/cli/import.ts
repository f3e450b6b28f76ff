// `lstm import`: a PyTorch state dict (safetensors, as lstm export wrote it and PyTorch saved it) and its JSON sidecar back into an
// lstm-ts checkpoint that generate, eval, train --resume and the playground read. Every mismatch between the two
// files (missing, extra or misshaped tensors, a vocabulary that is not the decoder's size) is one line naming both.
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { CliError } from './errors.js';
import { checkCommandFiles } from './outputs.js';

export interface ImportFlags {
  from: string;
  format: 'torch';
  sidecar?: string;
  out?: string;
  force?: boolean;
}

const EXAMPLES = `
Without --sidecar the JSON beside --from is read (trained.safetensors -> trained.safetensors.json, or the older
name trained.json when only that exists); without --out the
checkpoint is written beside it (trained.safetensors -> trained.lstm.safetensors). The checkpoint resumes at the
epoch the model was exported at, with a fresh optimizer state.

Examples:
  lstm import --from trained.safetensors --format torch --out book.safetensors
  lstm generate --model book.safetensors --prefix "It was"
  lstm train --resume --out book.safetensors --data book.txt --epochs 30
`;

export function defineImport(program: Command): Command {
  return program
    .command('import')
    .description('bring a PyTorch-trained state dict (safetensors + the JSON sidecar of lstm export) back as a checkpoint')
    .requiredOption('--from <file>', 'safetensors state dict saved from PyTorch (names and layout as lstm export --format torch writes)')
    .addOption(new Option('--format <kind>', 'format of --from').choices(['torch']).makeOptionMandatory())
    .option('--sidecar <file>', 'the JSON with vocabulary and model config (default: beside --from)')
    .option('--out <file>', 'checkpoint to write (default: <from>.lstm.safetensors)')
    .option('--force', 'replace --out if it exists')
    .addHelpText('after', EXAMPLES);
}

export function defaultImportOut(from: string): string {
  return `${from.replace(/\.safetensors$/i, '')}.lstm.safetensors`;
}

async function readOrExplain(path: string, what: string, hint = ''): Promise<Uint8Array> {
  const { readFileChecked } = await import('../io/files.js');
  try {
    return await readFileChecked(path, what);
  } catch (err) {
    const message = (err as Error).message;
    throw new CliError(message.startsWith(`${what} not found:`) ? `${message}${hint}` : message);
  }
}

/** The parsed sidecar when it describes a forecaster or a classifier; null for a language model's (or bad JSON, which parseSidecar reports). */
function sidecarTask(text: string): unknown {
  try {
    const raw = JSON.parse(text) as unknown;
    const task = (raw as { task?: unknown } | null)?.task;
    return task !== undefined && task !== 'language-model' ? raw : null;
  } catch {
    return null;
  }
}

export async function importAction(flags: ImportFlags): Promise<number> {
  const { checkTorchHeader, importTorch, legacySidecarPathFor, parseSidecar, sidecarPathFor, describeTorchModel } = await import('../export/index.js');
  const { decodeSafetensors } = await import('../io/safetensors.js');
  const { parseSafetensorsHeader } = await import('../io/safetensors-header.js');
  const { saveCheckpoint } = await import('../train/checkpoint.js');
  const legacy = legacySidecarPathFor(flags.from);
  const sidecarPath = flags.sidecar ?? (!existsSync(sidecarPathFor(flags.from)) && existsSync(legacy) ? legacy : sidecarPathFor(flags.from));
  const out = flags.out ?? defaultImportOut(flags.from);
  checkCommandFiles({ inputs: [{ flag: '--from', path: flags.from }, { flag: '--sidecar', path: sidecarPath }], outputs: [{ flag: '--out', path: out }], force: flags.force === true });

  const weights = await readOrExplain(flags.from, 'state dict');
  const hint = flags.sidecar === undefined ? ' (the JSON that lstm export writes beside the weights; name another with --sidecar)' : '';
  const sidecarText = new TextDecoder().decode(await readOrExplain(sidecarPath, 'sidecar', hint));
  const task = sidecarTask(sidecarText);
  if (task !== null) return (await import('./task-export.js')).importTaskAction(flags, sidecarPath, task, weights, out);
  // The header is checked against the sidecar's model (names, shapes, dtypes, memory) before any tensor is read.
  const header = parseSafetensorsHeader(weights, flags.from);
  if (header.metadata['lstm-ts'] !== undefined) {
    throw new CliError(`${flags.from} is already an lstm-ts checkpoint (generate, eval and train --resume read it as it is); lstm import reads PyTorch state dicts`);
  }
  const { sidecar, vocab } = parseSidecar(sidecarText, sidecarPath);
  const from = { weights: flags.from, sidecar: sidecarPath };
  checkTorchHeader(header.entries, sidecar, vocab, from);
  const input = importTorch(decodeSafetensors(weights, flags.from).tensors, sidecar, vocab, from);
  await saveCheckpoint(out, input);

  const epoch = input.trainer?.epoch ?? 0;
  const total = input.trainer?.options.epochs ?? 0;
  process.stdout.write(
    `wrote ${out}: ${describeTorchModel(input.config)}, from ${flags.from} and ${sidecarPath}\n` +
      `it resumes at epoch ${epoch} of ${total} with a fresh optimizer state: lstm train --resume --out ${out} --data TEXT [--epochs N]\n`,
  );
  return 0;
}

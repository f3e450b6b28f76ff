// Which task a checkpoint holds, read from its header alone (the 8-byte length and the JSON header, never the
// tensors), so `lstm eval`, `predict` and `export` can hand it to the right loader; and the data a forecast or
// classify command reads for a checkpoint: --data, or the built-in set when the checkpoint was trained on it.
import { open } from 'node:fs/promises';
import { checkpointTaskKind, type TaskKind } from '../train/task.js';
import { CliError } from './errors.js';

/** A header longer than this is not one lstm-ts wrote (safetensors' own readers stop at 100 MB). */
const MAX_HEADER_BYTES = 100 << 20;

/** The task kind a checkpoint records; anything that is not an lstm-ts checkpoint is a one-line error naming the file. */
export async function checkpointKindOf(path: string): Promise<TaskKind> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`checkpoint not found: ${path}`);
    throw new CliError(`cannot read checkpoint ${path}: ${(err as Error).message}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new CliError(`checkpoint ${path} is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}, not a regular file`);
    const notOurs = (why: string): never => {
      throw new CliError(`${path} is not an lstm-ts checkpoint: ${why}`);
    };
    if (stat.size < 8) notOurs(`not a safetensors file (it is ${stat.size} bytes long, shorter than the 8-byte header length)`);
    const head = Buffer.alloc(8);
    await handle.read(head, 0, 8, 0);
    const length = Number(head.readBigUInt64LE(0));
    if (length > MAX_HEADER_BYTES || 8 + length > stat.size) notOurs(`not a safetensors file (its header length ${length} does not fit the file's ${stat.size} bytes)`);
    const json = Buffer.alloc(length);
    await handle.read(json, 0, length, 8);
    let header: unknown;
    try {
      header = JSON.parse(json.toString('utf8'));
    } catch {
      return notOurs('not a safetensors file (its header is not JSON)');
    }
    const raw = (header as { __metadata__?: Record<string, unknown> } | null)?.__metadata__?.['lstm-ts'];
    if (typeof raw !== 'string') return notOurs('it is a safetensors file without "lstm-ts" metadata');
    let meta: unknown;
    try {
      meta = JSON.parse(raw);
    } catch {
      return notOurs('its "lstm-ts" metadata is not valid JSON');
    }
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return notOurs('its "lstm-ts" metadata is not an object');
    return checkpointTaskKind(meta as Record<string, unknown>, (why) => {
      throw new CliError(`${path}: ${why}`);
    });
  } finally {
    await handle.close();
  }
}

/** The data of a forecast or classify command: --data, or the built-in set when the checkpoint's run used it. */
export function dataFor(given: string | undefined, trainedOn: string | undefined, builtin: boolean, model: string): string | undefined {
  if (given !== undefined || builtin) return given;
  throw new CliError(`--data is needed: ${model} was trained on ${trainedOn ?? 'data it does not name'}, not on the built-in set`);
}

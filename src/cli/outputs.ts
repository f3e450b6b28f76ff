// The one place that knows which files a command reads and writes. Each command lists them (`CommandFiles`), and
// `checkCommandFiles` refuses, before any work starts, an output that is also an input (by path or by the file
// it resolves to), two outputs on one file, an existing file without --force (unless the command continues its
// own earlier output, as --resume does), a directory, FIFO or device in an output's place, and a directory that is
// missing or not writable. A new command (predict, forecast) lists its files and gets every check.
import { accessSync, constants, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileKind } from '../io/files.js';
import { CliError } from './errors.js';

export interface InputFile {
  /** How the user named it: '--data', '--model'. */
  flag: string;
  path: string;
}

export interface OutputFile {
  flag: string;
  path: string;
  /** This file may already exist without --force: the command continues what it wrote before (--resume). */
  continues?: boolean;
  /** The refusal when it exists and --force was not given (default: "<path> already exists; pass --force ..."). */
  existsHint?: string;
  /** May also be an input of the command (--resume reads and rewrites its checkpoint). */
  alsoInput?: boolean;
}

export interface CommandFiles {
  inputs: readonly InputFile[];
  outputs: readonly OutputFile[];
  force: boolean;
}

function statOf(path: string): Stats | undefined {
  return statSync(path, { throwIfNoEntry: false });
}

/** Same file: the same resolved path, or (when both exist) the same device and inode (links, symlinks, `./a` vs `a`). */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  const [sa, sb] = [statOf(a), statOf(b)];
  if (sa !== undefined && sb !== undefined) return sa.dev === sb.dev && sa.ino === sb.ino;
  try {
    return realpathSync(dirname(resolve(a))) === realpathSync(dirname(resolve(b))) && resolve(a).split(/[\\/]/).pop() === resolve(b).split(/[\\/]/).pop();
  } catch {
    return false;
  }
}

/** Throws a CliError for the first output the command must not write. Touches nothing. */
export function checkCommandFiles(files: CommandFiles): void {
  const { inputs, outputs, force } = files;
  outputs.forEach((out, k) => {
    const clash = inputs.find((input) => sameFile(input.path, out.path));
    if (clash !== undefined && !out.alsoInput) {
      throw new CliError(`${out.flag} ${out.path} is also an input of this command (${clash.flag}); write to another file`);
    }
    const twin = outputs.slice(0, k).find((other) => sameFile(other.path, out.path));
    if (twin !== undefined) throw new CliError(`${out.flag} ${out.path} and ${twin.flag} are the same file; choose another ${out.flag}`);
    const stat = statOf(out.path);
    if (stat !== undefined) {
      const kind = fileKind(stat);
      if (kind === 'a directory') throw new CliError(`${out.flag} ${out.path} is a directory; give a file name`);
      if (kind !== null) throw new CliError(`${out.flag} ${out.path} is ${kind}; give the name of a regular file`);
      if (!force && !out.continues) throw new CliError(out.existsHint ?? `${out.path} already exists; pass --force to replace it, or choose another ${out.flag}`);
    }
    const dir = dirname(resolve(out.path));
    if (!statOf(dir)?.isDirectory()) throw new CliError(`${out.flag} ${out.path}: directory ${dir} does not exist`);
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
    } catch {
      throw new CliError(`${out.flag} ${out.path}: directory ${dir} is not writable`);
    }
    if (stat !== undefined) {
      try {
        accessSync(out.path, constants.W_OK);
      } catch {
        // Renaming over it would still work in a writable directory, but the user made it read-only for a reason.
        throw new CliError(`${out.flag} ${out.path} is read-only; make it writable or choose another ${out.flag}`);
      }
    }
  });
}

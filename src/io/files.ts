// Files on disk, treated as hostile (Node only: node:fs is reached through src/platform/node.ts when a function
// here is called, so a page can import the module and never sees a Node built-in).
// Reading: regular files only (a FIFO, a device or a directory is a one-line error, and opening never blocks on
// a FIFO), no larger than a limit, read with the size fixed at open. Writing: atomic (a temp file beside the
// target, fsync, rename), with temp files named `<file>.tmp-<pid>-<n>`, removed on failure and at process exit
// (a second Ctrl-C calls process.exit mid-save), and stale ones of our own naming, left by a killed process,
// removed at the next save of the same file. Errors name the user's file, never the temp file.
import type { FileHandle } from 'node:fs/promises';
import { requireNode } from '../platform/node.js';
import { assertFitsInMemory, formatBytes } from './memory.js';

const fsp = (what: string) => requireNode('node:fs/promises', what);
const paths = (what: string) => requireNode('node:path', what);

/** Why a read or write failed, in words, for the common error codes. */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is exhausted',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOENT: 'no such file or directory',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a part of the path is not a directory',
    EMFILE: 'too many open files',
    EIO: 'an input/output error',
  };
  const code = e?.code;
  return code !== undefined && words[code] !== undefined ? `${words[code]} (${code})` : (e?.message ?? String(err)).split('\n')[0]!;
}

export interface ReadOptions {
  /** Refuse files larger than this many bytes (default: the memory budget, see memory.ts). */
  maxBytes?: number;
  /** Names the flag or option that raises `maxBytes`, for the error message. */
  raiseWith?: string;
}

/**
 * The bytes of a regular file; `what` names it in errors ("checkpoint", "corpus file"). Opens without following
 * into a FIFO's wait (O_NONBLOCK), checks the opened file itself (no race between a check and the open), and
 * reads exactly the size it had at open.
 */
export async function readFileChecked(path: string, what: string, options: ReadOptions = {}): Promise<Uint8Array> {
  const fs = fsp(`reading a ${what}`);
  let handle: FileHandle;
  try {
    handle = await fs.open(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${what} not found: ${path}`);
    throw new Error(`cannot read ${what} ${path}: ${describeFsError(err)}`);
  }
  try {
    const stat = await handle.stat();
    checkRegular(stat, path, what);
    checkSize(stat.size, path, what, options);
    const bytes = new Uint8Array(stat.size);
    let at = 0;
    while (at < bytes.length) {
      const { bytesRead } = await handle.read(bytes, at, bytes.length - at, at);
      if (bytesRead === 0) throw new Error(`${what} ${path} shrank while it was read (${at} of ${bytes.length} bytes)`);
      at += bytesRead;
    }
    return bytes;
  } catch (err) {
    if (err instanceof Error && err.constructor === Error) throw err;
    throw new Error(`cannot read ${what} ${path}: ${describeFsError(err)}`);
  } finally {
    await handle.close().catch(() => {});
  }
}

export interface StatLike {
  isFile(): boolean;
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
  size: number;
}

/** What a path is when it is not a regular file ('a directory', 'a FIFO (named pipe)', 'a device', ...); null for a regular file. */
export function fileKind(stat: StatLike): string | null {
  if (stat.isFile()) return null;
  return stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO (named pipe)' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isSocket() ? 'a socket' : 'not a regular file';
}

/** Regular files only: a directory, FIFO, device or socket is refused, naming what it is. */
export function checkRegular(stat: StatLike, path: string, what: string): void {
  const kind = fileKind(stat);
  if (kind !== null) throw new Error(`${what} ${path} is ${kind}, not a regular file`);
}

export function checkSize(size: number, path: string, what: string, options: ReadOptions): void {
  if (options.maxBytes === undefined) {
    assertFitsInMemory(size, `${what} ${path} (${formatBytes(size)})`);
    return;
  }
  if (size > options.maxBytes) {
    const raise = options.raiseWith === undefined ? '' : `; raise the limit with ${options.raiseWith}`;
    throw new Error(`${what} ${path} is ${formatBytes(size)}, over the limit of ${formatBytes(options.maxBytes)}${raise}`);
  }
}

// ---- writing ---------------------------------------------------------------------------------------------------

/** Temp files this process has open, removed at exit whatever ends it (a second Ctrl-C calls process.exit). */
const pending = new Set<string>();
let exitHookInstalled = false;
let counter = 0;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const syncFs = requireNode('node:fs', 'writing a file');
  process.on('exit', () => {
    for (const tmp of pending) {
      try {
        syncFs.rmSync(tmp, { force: true });
      } catch {
        // exiting anyway; the next save removes what is left (removeStaleTemps)
      }
    }
  });
}

/** `<path>.tmp-<pid>-<n>`: unique within the process, recognisable by removeStaleTemps. */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${(counter++).toString(36)}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Removes `<path>.tmp-<pid>-*` files whose process is gone (a SIGKILL mid-save); nothing else is touched. */
export async function removeStaleTemps(path: string): Promise<string[]> {
  const fs = fsp('writing a file');
  const { basename, dirname, join } = paths('writing a file');
  const dir = dirname(path);
  const pattern = new RegExp(`^${escapeRegExp(basename(path))}\\.tmp-(\\d+)-[0-9a-z]+$`);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (m === null || alive(Number(m[1]))) continue;
    const stale = join(dir, name);
    const stat = await fs.lstat(stale).catch(() => null);
    if (stat === null || !stat.isFile()) continue;
    await fs.rm(stale, { force: true }).catch(() => {});
    removed.push(stale);
  }
  return removed;
}

/** A temp file written and fsynced beside its target, ready to be renamed over it. */
export interface StagedFile {
  path: string;
  tmp: string;
}

/** Writes `contents` to a temp file beside `path` (fsynced); errors name `path`. */
export async function stageFile(path: string, contents: Uint8Array | string): Promise<StagedFile> {
  const fs = fsp('writing a file');
  const syncFs = requireNode('node:fs', 'writing a file');
  installExitHook();
  await removeStaleTemps(path);
  const tmp = tempPathFor(path);
  pending.add(tmp);
  let handle: FileHandle | undefined;
  try {
    // Created on the main thread, then reopened without O_CREAT: an exit (a second Ctrl-C) that removes the temp
    // file between two awaits can never be followed by a creation still in flight in libuv's thread pool.
    syncFs.closeSync(syncFs.openSync(tmp, 'wx'));
    handle = await fs.open(tmp, 'r+');
    await handle.writeFile(contents);
    await handle.sync(); // without it, a power loss after rename could leave the new name pointing at empty blocks
    await handle.close();
    handle = undefined;
    return { path, tmp };
  } catch (err) {
    await handle?.close().catch(() => {});
    await discard({ path, tmp });
    throw new Error(`cannot write ${path}: ${describeFsError(err)}`);
  }
}

/** Removes a staged temp file that will not be committed. */
export async function discard(staged: StagedFile): Promise<void> {
  await fsp('writing a file').rm(staged.tmp, { force: true }).catch(() => {});
  pending.delete(staged.tmp);
}

/** Renames staged files over their targets, in order, then fsyncs their directories (best effort). */
export async function commit(staged: readonly StagedFile[]): Promise<void> {
  const fs = fsp('writing a file');
  const { dirname } = paths('writing a file');
  for (const [k, s] of staged.entries()) {
    try {
      await fs.rename(s.tmp, s.path);
      pending.delete(s.tmp);
    } catch (err) {
      for (const rest of staged.slice(k)) await discard(rest);
      throw new Error(`cannot write ${s.path}: ${describeFsError(err)}`);
    }
  }
  for (const dir of new Set(staged.map((s) => dirname(s.path)))) {
    try {
      const handle = await fs.open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // some platforms (Windows) cannot fsync a directory; the files are already whole under their names
    }
  }
}

/**
 * Writes one file atomically: the old file or the new one, never a mix, and on failure no temp file left behind.
 * Several files that belong together go through `writeFilesTogether`.
 */
export async function writeFileAtomic(path: string, contents: Uint8Array | string): Promise<void> {
  await commit([await stageFile(path, contents)]);
}

/**
 * Writes files that belong together (an export and its sidecar): all are staged first, and only when every one is
 * on disk are they renamed into place, so a full disk leaves neither, not half of the pair.
 */
export async function writeFilesTogether(files: ReadonlyArray<readonly [path: string, contents: Uint8Array | string]>): Promise<void> {
  const staged: StagedFile[] = [];
  try {
    for (const [path, contents] of files) staged.push(await stageFile(path, contents));
  } catch (err) {
    for (const s of staged) await discard(s);
    throw err;
  }
  await commit(staged);
}


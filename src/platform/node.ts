// Node's built-in modules, reached through process.getBuiltinModule (Node 20.16+, 22.3+) instead of an import
// statement: a bundler building the library for a page then sees no `node:*` import at all (Vite would warn and
// stub it), and a page never loads them. Only the file, thread and dataset helpers use them, lazily, when called.
import type * as fs from 'node:fs';
import type * as fsPromises from 'node:fs/promises';
import type * as path from 'node:path';
import type * as os from 'node:os';
import type * as crypto from 'node:crypto';
import type * as zlib from 'node:zlib';
import type * as moduleApi from 'node:module';
import type * as workerThreads from 'node:worker_threads';

interface Builtins {
  'node:fs': typeof fs;
  'node:fs/promises': typeof fsPromises;
  'node:path': typeof path;
  'node:os': typeof os;
  'node:crypto': typeof crypto;
  'node:zlib': typeof zlib;
  'node:module': typeof moduleApi;
  'node:worker_threads': typeof workerThreads;
}

/** The built-in module, or undefined outside Node (a browser, a Web Worker). */
export function nodeBuiltin<K extends keyof Builtins>(name: K): Builtins[K] | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  return proc?.getBuiltinModule?.(name) as Builtins[K] | undefined;
}

/** The built-in module; outside Node, an error saying that `what` needs Node and what to do in a page instead. */
export function requireNode<K extends keyof Builtins>(name: K, what: string): Builtins[K] {
  const mod = nodeBuiltin(name);
  if (mod === undefined) {
    throw new Error(`${what} needs Node.js 20.16 or later (${name} is not available in this runtime); in a browser, pass bytes instead of paths (decodeCheckpoint, encodeCheckpoint, decodeSafetensors)`);
  }
  return mod;
}

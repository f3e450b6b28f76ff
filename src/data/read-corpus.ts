// A strict reader for corpus files on disk (Node only: it uses node:fs, reached only when called, so the module
// stays importable in a browser bundle).

import { requireNode } from '../platform/node.js';

/**
 * Reads a UTF-8 text corpus. Fails with a one-line error naming the path when the file is
 * missing, is a directory, is empty, or looks binary (NUL bytes, or bytes that are not valid
 * UTF-8) — training on such a file would silently learn garbage. A leading BOM is dropped and
 * line endings are normalised to '\n' (as Python's text mode does for d2l).
 */
export function readCorpusFile(path: string): string {
  const { readFileSync } = requireNode('node:fs', 'readCorpusFile');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`corpus file not found: ${path}`);
    if (code === 'EISDIR') throw new Error(`corpus path is a directory, not a file: ${path}`);
    throw new Error(`cannot read corpus file ${path}: ${(err as Error).message}`);
  }
  if (bytes.length === 0) throw new Error(`corpus file is empty: ${path}`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new Error(`corpus file looks binary (NUL byte at offset ${nul}): ${path}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`corpus file is not valid UTF-8 text: ${path}`);
  }
  text = text.replace(/\r\n?/g, '\n');
  if (text.trim().length === 0) throw new Error(`corpus file contains only whitespace: ${path}`);
  return text;
}

// A strict reader for corpus files on disk (Node only: node:fs is reached through src/platform/node.ts when a
// file is opened, so the module stays importable in a browser bundle).
// Hostile files: only regular files (a FIFO, device or directory is a one-line error; a FIFO is never waited on),
// no larger than a limit the caller can raise, checked once through at open (NUL bytes, invalid UTF-8, empty,
// whitespace only), then read in pieces whenever the text is needed, so memory follows what is used.
import { checkRegular, checkSize, describeFsError } from '../io/files.js';
import { formatBytes } from '../io/memory.js';
import { requireNode } from '../platform/node.js';
import { DEFAULT_MAX_CORPUS_BYTES, type TextPieces } from './text-source.js';

export { DEFAULT_MAX_CORPUS_BYTES };

export interface CorpusFileOptions {
  /** Refuse larger files (default DEFAULT_MAX_CORPUS_BYTES). */
  maxBytes?: number;
  /** How the caller raises the limit, for the error ("--max-data-size"). */
  raiseWith?: string;
}

const CHUNK_BYTES = 1 << 18;

/** A checked corpus file whose text is read again, piece by piece, on every `pieces()`. */
export class CorpusFile implements TextPieces {
  /** `chars`: the text's length in UTF-16 units, found by the check at open. */
  private constructor(readonly path: string, readonly chars: number) {}

  /** Opens and checks the file (one streaming pass); errors are one line naming the path. */
  static open(path: string, options: CorpusFileOptions = {}): CorpusFile {
    const file = new CorpusFile(path, 0);
    let visible = false;
    let total = 0;
    for (const piece of file.read(options)) {
      total += piece.length;
      if (!visible && piece.trim().length > 0) visible = true;
    }
    if (total === 0) throw new Error(`corpus file is empty: ${path}`);
    if (!visible) throw new Error(`corpus file contains only whitespace: ${path}`);
    return new CorpusFile(path, total);
  }

  pieces(): Generator<string> {
    return this.read({ maxBytes: Infinity });
  }

  /** Pieces ending at '\n' (BOM dropped, '\r\n' and '\r' made '\n'), checked for NUL bytes and UTF-8 as they come. */
  private *read(options: CorpusFileOptions): Generator<string> {
    const { path } = this;
    const { closeSync, constants, fstatSync, openSync, readSync } = requireNode('node:fs', 'reading a corpus file');
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new Error(`corpus file not found: ${path}`);
      throw new Error(`cannot read corpus file ${path}: ${describeFsError(err)}`);
    }
    try {
      // The same checks as every file read (io/files.ts): regular files only, no larger than the limit.
      const stat = fstatSync(fd);
      checkRegular(stat, path, 'corpus file');
      const limit = options.maxBytes ?? DEFAULT_MAX_CORPUS_BYTES;
      checkSize(stat.size, path, 'corpus file', { maxBytes: limit, raiseWith: options.raiseWith });
      const decoder = new TextDecoder('utf-8', { fatal: true });
      const buffer = new Uint8Array(CHUNK_BYTES);
      let offset = 0;
      let carry = '';
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, offset);
        const chunk = buffer.subarray(0, n);
        const nul = chunk.indexOf(0);
        if (nul >= 0) throw new Error(`corpus file looks binary (NUL byte at offset ${offset + nul}): ${path}`);
        let text: string;
        try {
          text = decoder.decode(chunk, { stream: n > 0 });
        } catch {
          throw new Error(`corpus file is not valid UTF-8 text: ${path}`);
        }
        offset += n;
        carry += text;
        // Cut after the last '\n'; a '\r' at the very end waits, as it may be the first half of '\r\n'.
        const cut = n === 0 ? carry.length : carry.lastIndexOf('\n') + 1;
        if (cut > 0) {
          const piece = carry.slice(0, cut).replace(/\r\n?/g, '\n');
          carry = carry.slice(cut);
          if (piece.length > 0) yield piece;
        }
        if (n === 0) return;
        if (offset > limit) throw new Error(`corpus file ${path} grew past the limit of ${formatBytes(limit)} while it was read`);
      }
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * Reads a UTF-8 text corpus whole. Fails with a one-line error naming the path when the file is missing, is not a
 * regular file, is larger than the limit, is empty, or looks binary (NUL bytes, or bytes that are not valid
 * UTF-8) — training on such a file would silently learn garbage. A leading BOM is dropped and line endings are
 * normalised to '\n' (as Python's text mode does for d2l). Large texts are better read with `CorpusFile.open`.
 */
export function readCorpusFile(path: string, options: CorpusFileOptions = {}): string {
  const file = CorpusFile.open(path, options);
  return [...file.pieces()].join('');
}

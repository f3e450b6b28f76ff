// A text too large to hold as tokens at once: read as pieces that each end at a line break (the last may not),
// so tokenizing piece by piece gives exactly the tokens of the whole (every tokenizer here is line-local: no token
// spans a '\n', and '\r\n' never straddles a cut made after '\n'). A string is cut the same way; a file source
// (data/read-corpus.ts) reads its pieces from disk each time, so memory follows the piece, not the file.

/** Anything that can hand out its text again as line-ending pieces. */
export interface TextPieces {
  pieces(): Iterable<string>;
}

export type TextSource = string | TextPieces;

/** The default size limit of a corpus file or upload: 64 MiB of text tokenizes into about a gigabyte at most. */
export const DEFAULT_MAX_CORPUS_BYTES = 64 * 2 ** 20;

/** Characters per piece when a string is cut: large enough to tokenize fast, small enough to stay cheap. */
export const PIECE_CHARS = 1 << 20;

/** The pieces of `source`: a string is cut after the first '\n' at or past every PIECE_CHARS characters. */
export function* piecesOf(source: TextSource, size = PIECE_CHARS): Generator<string> {
  if (typeof source !== 'string') {
    yield* source.pieces();
    return;
  }
  let at = 0;
  while (at < source.length) {
    const nl = source.indexOf('\n', Math.min(at + size, source.length) - 1);
    const end = nl < 0 ? source.length : nl + 1;
    yield source.slice(at, end);
    at = end;
  }
}

/** The first `chars` characters (UTF-16 units) of the text, reading no further than needed. */
export function headOf(source: TextSource, chars: number): string {
  if (typeof source === 'string') return source.slice(0, chars);
  let head = '';
  for (const piece of source.pieces()) {
    head += piece.slice(0, chars - head.length);
    if (head.length >= chars) break;
  }
  return head;
}

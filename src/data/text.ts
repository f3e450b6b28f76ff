// Text -> tokens and back: d2l's letters-only preprocessing (chapter 8, The Time Machine),
// char and word tokenizers with their inverse. Char tokens are Unicode code points, so emoji and CJK text
// tokenize into whole characters. No Node imports here, so a page can bundle it (the file reader is read-corpus.ts).

export type TokenKind = 'char' | 'word';

/**
 * d2l's `read_time_machine` preprocessing, line by line:
 * `[re.sub('[^A-Za-z]+', ' ', line).strip().lower() for line in lines]`.
 * Lines are split the way Python's `readlines()` does in text mode (universal newlines, and a
 * trailing newline does not start an extra empty line), so the line count matches d2l's too.
 */
export function preprocessLetters(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  // After the substitution only ASCII letters and spaces remain, so toLowerCase equals Python's lower().
  return lines.map((line) => line.replace(/[^A-Za-z]+/g, ' ').trim().toLowerCase());
}

/**
 * d2l's char corpus: `[token for line in tokenize(lines, 'char') for token in line]`. Lines are
 * concatenated with no separator (the last word of one line runs into the first of the next, as in
 * d2l) and empty lines contribute nothing. On The Time Machine this gives 170,580 tokens.
 */
export function flattenLines(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) for (const ch of line) out.push(ch);
  return out;
}

// A word is a run of letters, digits and combining marks, which may contain single inner
// apostrophes or hyphens ("it's", "carpet-bag"). Anything else that is not whitespace is a
// one-character punctuation token, and '\n' is a token of its own so generated text keeps lines.
const WORD_TOKEN = /\n|[\p{L}\p{N}\p{M}]+(?:['’-][\p{L}\p{N}\p{M}]+)*|[^\s]/gu;

// Punctuation that hugs the preceding token / the following token when words are joined back.
const CLOSING = new Set(['.', ',', ';', ':', '!', '?', ')', ']', '}', '”', '’', '…', '%']);
const OPENING = new Set(['(', '[', '{', '“']);

/**
 * Splits text into tokens.
 * - `'char'`: one token per Unicode code point (not per UTF-16 unit), whitespace included.
 * - `'word'`: words and single punctuation marks as separate tokens, plus `'\n'` for each line
 *   break; spaces and tabs only separate tokens and are dropped. `"\r\n"` counts as one line break.
 *   Case is kept: lower-case the text first if the vocabulary should fold it.
 */
export function tokenize(text: string, kind: TokenKind): string[] {
  if (kind === 'char') return Array.from(text);
  if (kind === 'word') return text.replace(/\r\n?/g, '\n').match(WORD_TOKEN) ?? [];
  throw new Error(`tokenize: kind must be 'char' or 'word', got ${JSON.stringify(kind)}`);
}

/**
 * Inverse of `tokenize`. Char tokens are concatenated. Word tokens are joined by single spaces,
 * except none around '\n', none before closing punctuation and none after opening punctuation.
 * Word detokenization normalises spacing, so the guarantee is on tokens rather than text:
 * `tokenize(detokenize(tokenize(s, 'word'), 'word'), 'word')` equals `tokenize(s, 'word')`.
 */
export function detokenize(tokens: readonly string[], kind: TokenKind): string {
  if (kind === 'char') return tokens.join('');
  if (kind !== 'word') throw new Error(`detokenize: kind must be 'char' or 'word', got ${JSON.stringify(kind)}`);
  let out = '';
  let prev: string | null = null;
  for (const token of tokens) {
    const glue = prev === null || prev === '\n' || token === '\n' || OPENING.has(prev) || CLOSING.has(token);
    out += glue ? token : ' ' + token;
    prev = token;
  }
  return out;
}

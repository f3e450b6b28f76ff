// The text a command trains or evaluates on: a --data file (read strictly: a regular file no larger than
// --max-data-size, not empty, not binary, valid UTF-8; then streamed in pieces, so --max-tokens keeps memory to
// what is used) or, without one, the built-in Moby Dick corpus, which the output names so nobody mistakes it for
// their own data.
import { CorpusFile, DEFAULT_CORPUS_NAME, loadDefaultCorpus } from '../data/index.js';
import { headOf, type TextSource } from '../data/text-source.js';

export interface CorpusText {
  text: TextSource;
  /** The file path, or a description of the built-in corpus. */
  source: string;
  builtin: boolean;
  /** The first `chars` characters of the text. */
  head(chars: number): string;
}

/** `maxBytes`: the --max-data-size limit of a --data file. */
export async function loadText(path: string | undefined, maxBytes?: number): Promise<CorpusText> {
  const text: TextSource = path === undefined
    ? await loadDefaultCorpus({ onFetch: (m) => process.stderr.write(`lstm: ${m}\n`) })
    : CorpusFile.open(path, { maxBytes, raiseWith: '--max-data-size' });
  const source = path ?? `${DEFAULT_CORPUS_NAME}, the built-in corpus`;
  return { text, source, builtin: path === undefined, head: (chars) => headOf(text, chars) };
}

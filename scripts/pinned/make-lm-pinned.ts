// Writes test/fixtures/lm-pinned.json: the numbers of the language model's pinned runs (test/helpers/lm-pin.ts)
// as this checkout computes them. Run it only on a commit whose numbers are the reference (it was run on main
// at fcb2823, before the trainer's task seam), never to make a failing test pass:
//   node --import tsx scripts/pinned/make-lm-pinned.ts
import { writeFile } from 'node:fs/promises';
import { execSync } from 'node:child_process';
import { PIN_CASES, pinnedRun } from '../../test/helpers/lm-pin.js';

const runs = [];
for (const { name, flags } of PIN_CASES) {
  const started = performance.now();
  runs.push(await pinnedRun(name, flags));
  process.stderr.write(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
const commit = execSync('git rev-parse HEAD').toString().trim();
const out = new URL('../../test/fixtures/lm-pinned.json', import.meta.url);
await writeFile(out, `${JSON.stringify({ commit, runs }, null, 1)}\n`);
process.stderr.write(`wrote ${out.pathname}\n`);

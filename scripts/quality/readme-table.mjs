#!/usr/bin/env node
// Puts the d2l table of a d2l-compare run into the README, in one command:
//
//   node scripts/quality/d2l-compare.mjs                 # the full run (about 10 minutes), writes last-run.json
//   node scripts/quality/readme-table.mjs                # README.md gets that run's tables, date, commit and command
//   node scripts/quality/readme-table.mjs --check        # exit 1 if the README's block differs from the run's
//
// The block sits between the lines `<!-- d2l-table:begin -->` and `<!-- d2l-table:end -->` of README.md; everything
// in it is generated from the run's JSON (d2l-table.mjs), so the README's numbers are exactly a measured run's.
// Refuses a --quick run (no final-perplexity bar, 20 epochs) and a failed one.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { f3, markdown } from './d2l-table.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const BEGIN = '<!-- d2l-table:begin -->';
const END = '<!-- d2l-table:end -->';

const { values, positionals } = parseArgs({
  options: { readme: { type: 'string', default: join(ROOT, 'README.md') }, check: { type: 'boolean', default: false }, 'allow-quick': { type: 'boolean', default: false } },
  allowPositionals: true,
});
const runFile = resolve(positionals[0] ?? join(HERE, 'last-run.json'));
const result = JSON.parse(readFileSync(runFile, 'utf8'));
const fail = (why) => {
  console.error(`readme-table: ${why}`);
  process.exit(1);
};
if (result.settings?.quick && !values['allow-quick']) fail(`${runFile} is a --quick run; the README shows a full run (node scripts/quality/d2l-compare.mjs)`);
if (!result.passed) fail(`${runFile} did not pass its bar (${result.failures.join('; ')}); the README shows a passing run`);

const commit = result.environment.gitCommit === null ? 'an unknown commit' : `commit ${result.environment.gitCommit.slice(0, 12)}`;
const verdict = result.settings.targetJudged
  ? `The bar (final perplexity at most ${result.settings.target}, and within ${Math.round((result.settings.tolerance - 1) * 100)}% of PyTorch or below it at every checkpoint) is met: final ${f3(result.d2l.finalLstm)} against PyTorch's ${f3(result.d2l.finalTorch)}.`
  : 'A quick run: the final-perplexity bar is not judged.';
const sample = result.d2l.lstm.summary?.sample;
const sampleLine = typeof sample === 'string' ? ` The greedy sample printed after training, from "${result.d2l.lstm.summary.prefix}", is "${sample}".` : '';
const block = [BEGIN, `Run of ${result.date.slice(0, 10)} at ${commit} (results in \`scripts/quality/last-run.json\`, table by \`node scripts/quality/readme-table.mjs\`):`, '', markdown(result), '', verdict + sampleLine, END].join('\n');

const readme = readFileSync(values.readme, 'utf8');
const [a, b] = [readme.indexOf(BEGIN), readme.indexOf(END)];
if (a < 0 || b < a) fail(`${values.readme} has no ${BEGIN} ... ${END} block`);
const next = readme.slice(0, a) + block + readme.slice(b + END.length);
if (values.check) {
  if (next !== readme) fail(`the d2l block of ${values.readme} is not the one ${runFile} gives; run node scripts/quality/readme-table.mjs`);
  console.log(`${values.readme}: the d2l block matches ${runFile}`);
} else {
  writeFileSync(values.readme, next);
  console.log(`${values.readme}: d2l block written from ${runFile} (${result.date})`);
}

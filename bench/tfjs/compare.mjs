#!/usr/bin/env node
// lstm-ts against TensorFlow.js's wasm backend on the d2l LSTM, in one run: bench.mjs --json (TF.js, one thread:
// its wasm backend has no threads in Node) and `lstm bench --json --cells lstm` on the same hidden sizes and
// seconds, one after the other, never at once. lstm-ts runs with --threads (default 2, the library's default on
// this machine) and once more on one thread, training only, for a like-for-like ratio; its single-thread sgemm
// is compared with TF.js's. Targets: training >= 50x TF.js; sgemm 32x256 by 256x1024 on one thread >= 2x TF.js.
// Usage (after `npm install` here and `npx tsc -p tsconfig.build.json` at the repository root):
//   node bench/tfjs/compare.mjs [--hidden 128,256] [--threads 2] [--seconds 2] [--length 200] [--idle 0.85]
//     [--rounds 3] [--records bench/records] [--note text]
// (--idle: before each run wait until the CPUs were at least this idle over 5 s, 0: don't wait; --rounds R:
// alternate the runs R times; every number is the median of the rounds. A JSON record goes into bench/records/
// (--records '' for none), from which bench/tables.mjs writes the README's table.)
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, ROOT, fmtLoad, fmtNum, fmtRate, fmtRatio, idleFraction, key, markdown, parseFlags, ratio, reduceRounds, runJsonLines, table, verdict } from '../common.mjs';
import { RECORDS_DIR, loadNow, takeTurns, writeRecord } from '../records.mjs';

/** Per-round numbers kept for each run (rates: medians and bests make sense). */
const FIELDS = { tfjs: ['trainTokensPerSec', 'generateCharsPerSec', 'sgemmGflops'], ours: ['trainTokensPerSec', 'generateCharsPerSec', 'sgemmGflops1Thread', 'simdPeakGflops'], single: ['trainTokensPerSec'] };

const HERE = dirname(fileURLToPath(import.meta.url));

async function main() {
  const opts = parseFlags(process.argv.slice(2), { hidden: '128,256', threads: 2, seconds: 2, length: 200, idle: 0.85, rounds: 3, records: RECORDS_DIR, note: '' });
  if (!existsSync(CLI)) throw new Error(`${CLI} not found: build first (npx tsc -p tsconfig.build.json at the repository root)`);
  if (!existsSync(join(HERE, 'node_modules', '@tensorflow', 'tfjs-backend-wasm'))) throw new Error(`TensorFlow.js is not installed: cd ${HERE} && npm install`);
  const common = ['--json', '--hidden', opts.hidden, '--seconds', String(opts.seconds), '--length', String(opts.length)];
  if (!(Number.isInteger(opts.rounds) && opts.rounds >= 1)) throw new Error('--rounds must be a positive integer');
  const commands = {
    tfjs: () => runJsonLines(process.execPath, [join(HERE, 'bench.mjs'), ...common], { cwd: HERE }),
    ours: () => runJsonLines(process.execPath, [CLI, 'bench', ...common, '--cells', 'lstm', '--threads', String(opts.threads)]),
    // TF.js has one thread here; lstm-ts's training on one thread too, for the like-for-like ratio.
    single: () => runJsonLines(process.execPath, [CLI, 'bench', ...common, '--cells', 'lstm', '--threads', '1', '--parts', 'train']),
  };
  const { loads, rounds: runs, summaries } = await takeTurns(commands, opts, (side) => FIELDS[side]);
  const reduced = Object.fromEntries(Object.entries(runs).map(([side, rs]) => [side, reduceRounds(rs, FIELDS[side])]));
  const tfjs = { rows: reduced.tfjs.medians, summary: summaries.tfjs[0] };
  const ours = { rows: reduced.ours.medians, summary: summaries.ours[0] };
  const singleBy = new Map(reduced.single.medians.map((r) => [key(r), r]));
  loads.push(loadNow('end', await idleFraction()));

  const theirs = new Map(tfjs.rows.map((r) => [key(r), r]));
  const out = [];
  const say = (s = '') => out.push(s);
  const t = tfjs.summary;
  say(`TensorFlow.js ${t.tfjs}, backend ${t.backend} (SIMD ${t.simd}, multithread ${t.multithread}, ${t.threads} thread); peak RSS ${fmtNum(t.maxRssMB, 0)} MiB`);
  say(`lstm-ts: ${ours.summary.threads} thread(s), 128-bit SIMD peak ${fmtNum(ours.summary.simdPeakGflops)} GFLOP/s per thread; peak RSS ${fmtNum(ours.summary.maxRssMB, 0)} MiB`);
  say(`setting: d2l LSTM (one-hot over 28 tokens, batch 32 x 35 steps, SGD lr 1, clip 1), ${opts.seconds} s per row, medians of ${opts.rounds} round(s); 1-minute load (CPU idle over 5 s) before each run: ${loads.filter((l) => l.when.startsWith('before')).map((l) => fmtLoad({ load: l.load1, idle: l.idle ?? null })).join(', ')}`);
  say();
  const head = ['cell', 'hidden', 'train tok/s lstm-ts', 'TF.js', 'ratio', 'lstm-ts 1T', 'ratio 1T', 'gen chars/s lstm-ts', 'TF.js', 'ratio', 'sgemm 1T GF/s lstm-ts', 'TF.js', 'ratio'];
  const rows = ours.rows.map((r) => {
    const o = theirs.get(key(r)) ?? {};
    const one = singleBy.get(key(r)) ?? {};
    return [
      r.cell, r.hidden,
      fmtRate(r.trainTokensPerSec), fmtRate(o.trainTokensPerSec), fmtRatio(ratio(r.trainTokensPerSec, o.trainTokensPerSec)),
      fmtRate(one.trainTokensPerSec), fmtRatio(ratio(one.trainTokensPerSec, o.trainTokensPerSec)),
      fmtRate(r.generateCharsPerSec), fmtRate(o.generateCharsPerSec), fmtRatio(ratio(r.generateCharsPerSec, o.generateCharsPerSec)),
      fmtNum(r.sgemmGflops1Thread), fmtNum(o.sgemmGflops), fmtRatio(ratio(r.sgemmGflops1Thread, o.sgemmGflops)),
    ];
  });
  say(table(head, rows));
  say();
  say('targets:');
  const targets = [];
  const add = (what, v) => {
    targets.push([what, v.text]);
    say(`  ${v.met ? '[x]' : '[ ]'} ${what}: ${v.text}`);
  };
  for (const r of ours.rows) {
    const o = theirs.get(key(r));
    if (o === undefined) continue;
    add(`training LSTM hidden ${r.hidden} vs TF.js wasm (lstm-ts on ${r.threads} thread(s), TF.js on 1)`, verdict(ratio(r.trainTokensPerSec, o.trainTokensPerSec), 50));
    const one = singleBy.get(key(r));
    if (one !== undefined) add(`  (like for like: lstm-ts on 1 thread, hidden ${r.hidden})`, verdict(ratio(one.trainTokensPerSec, o.trainTokensPerSec), 50));
    if (r.hidden === 256) {
      const v = verdict(ratio(r.sgemmGflops1Thread, o.sgemmGflops), 2);
      const peak = ` (lstm-ts ${fmtNum(r.sgemmGflops1Thread)}, TF.js ${fmtNum(o.sgemmGflops)} GFLOP/s; the measured 128-bit SIMD peak of one thread is ${fmtNum(r.simdPeakGflops)})`;
      add('sgemm 32x256 by 256x1024 on one thread vs TF.js wasm', { ...v, text: v.text + peak });
    }
  }
  say();
  say('markdown:');
  say();
  say(markdown(['cell', 'hidden', 'train tok/s lstm-ts', 'train tok/s TF.js', 'ratio', 'train tok/s lstm-ts 1 thread', 'ratio 1 thread', 'gen chars/s lstm-ts', 'gen chars/s TF.js', 'ratio', 'sgemm 1 thread GFLOP/s lstm-ts', 'sgemm GFLOP/s TF.js', 'ratio'], rows));
  say();
  say(markdown(['target', 'result'], targets));
  if (opts.records !== '') {
    const settings = { hidden: opts.hidden.split(',').map(Number), threads: opts.threads, seconds: opts.seconds, length: opts.length, rounds: opts.rounds };
    const file = writeRecord('tfjs-compare', { settings, summaries, loads, rounds: runs, medians: Object.fromEntries(Object.entries(reduced).map(([k, v]) => [k, v.medians])), bests: Object.fromEntries(Object.entries(reduced).map(([k, v]) => [k, v.bests])), targets }, { dir: opts.records, note: opts.note === '' ? null : opts.note });
    say();
    say(`record: ${file.replace(ROOT + '/', '')}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`tfjs compare: error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

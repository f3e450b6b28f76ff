#!/usr/bin/env node
// Peak resident memory while training, this build against another (issue #15: weights living in WebAssembly
// memory), with PyTorch beside them: compare-torch's memory column (`lstm bench --json --parts train`, a fresh
// process per run, training only, LSTM on the d2l setting) for each hidden size, the builds and PyTorch taking
// turns for `--rounds` rounds; with --flat-epochs N, also memory-flat.mjs's long run (`lstm train`, N epochs on
// The Time Machine, Adam) of each build once per hidden size. Medians and every run go into a JSON record (kind
// weights-memory; memory-flat's own records are not written, so the README's tables stay those of main).
// Usage (after `npm run build` here and in the other checkout):
//   node bench/weights-memory.mjs --before /path/to/other/checkout [--hidden 256,1024] [--rounds 3] [--threads 2]
//     [--flat-epochs 0] [--python /usr/bin/python3] [--records bench/records] [--note text]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, ROOT, fmtNum, median, parseFlags, runJsonLines } from './common.mjs';
import { loadNow, writeRecord } from './records.mjs';

const opts = parseFlags(process.argv.slice(2), { before: '', hidden: '256,1024', rounds: 3, threads: 2, flatEpochs: 0, python: '/usr/bin/python3', records: join(ROOT, 'bench', 'records'), note: '' });
if (opts.before === '') throw new Error('--before: the other checkout (its dist/ built) to compare with');
const sides = {
  before: (args) => runJsonLines(process.execPath, [join(opts.before, 'dist', 'cli', 'main.js'), 'bench', ...args]),
  after: (args) => runJsonLines(process.execPath, [CLI, 'bench', ...args]),
  pytorch: (args) => runJsonLines(opts.python, [join(ROOT, 'bench', 'torch_bench.py'), ...args, '--inputs', 'onehot'], { env: { OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' } }),
};
const loads = [loadNow('start')];
const rounds = [];
for (const H of opts.hidden.split(',').map(Number)) {
  const args = ['--json', '--parts', 'train', '--cells', 'lstm', '--hidden', String(H), '--threads', String(opts.threads), '--seconds', '1'];
  for (let r = 0; r < opts.rounds; r++) {
    const order = r % 2 === 0 ? Object.keys(sides) : Object.keys(sides).reverse();
    for (const side of order) {
      const { summary } = await sides[side](args);
      rounds.push({ hidden: H, round: r + 1, side, maxRssMB: summary.maxRssMB });
    }
    loads.push(loadNow(`hidden ${H} round ${r + 1}`));
  }
}
const medians = [...new Set(rounds.map((r) => r.hidden))].map((hidden) => {
  const of = (side) => median(rounds.filter((r) => r.hidden === hidden && r.side === side).map((r) => r.maxRssMB));
  const [before, after, pytorch] = [of('before'), of('after'), of('pytorch')];
  return { hidden, before, after, pytorch, beforeRatio: before / pytorch, afterRatio: after / pytorch };
});
for (const m of medians) {
  console.log(`LSTM ${m.hidden}: before ${fmtNum(m.before, 0)} MiB (${fmtNum(m.beforeRatio, 2)} of PyTorch's), after ${fmtNum(m.after, 0)} MiB (${fmtNum(m.afterRatio, 2)}), PyTorch ${fmtNum(m.pytorch, 0)} MiB`);
}

/** memory-flat.mjs of the checkout at `root`: its summary line's numbers (MiB). */
function flatRun(root, H) {
  const r = spawnSync(process.execPath, [join(root, 'bench', 'memory-flat.mjs'), '--epochs', String(opts.flatEpochs), '--hidden', String(H), '--records', ''], { cwd: root, encoding: 'utf8' });
  const m = /rss after epoch 1: ([\d.]+) MiB, after the last: ([\d.]+) MiB \(growth ([-\d.]+) MiB\), peak ([\d.]+) MiB, exit (\d+)/.exec(r.stdout);
  if (m === null || m[5] !== '0') throw new Error(`memory-flat.mjs in ${root} failed: ${r.stderr.slice(-500)}`);
  return { firstEpochMB: Number(m[1]), lastEpochMB: Number(m[2]), growthMB: Number(m[3]), peakMB: Number(m[4]) };
}
const flat = [];
if (opts.flatEpochs > 0) {
  for (const H of opts.hidden.split(',').map(Number)) {
    for (const [side, root] of [['before', opts.before], ['after', ROOT]]) {
      flat.push({ hidden: H, side, epochs: opts.flatEpochs, ...flatRun(root, H) });
      loads.push(loadNow(`memory-flat ${side} ${H}`));
      const f = flat.at(-1);
      console.log(`memory-flat LSTM ${H} ${side}: peak ${fmtNum(f.peakMB, 0)} MiB, after epoch 1 ${fmtNum(f.firstEpochMB, 0)}, after the last ${fmtNum(f.lastEpochMB, 0)} (growth ${fmtNum(f.growthMB, 1)})`);
    }
  }
}
loads.push(loadNow('end'));
if (opts.records !== '') {
  const file = writeRecord('weights-memory', { settings: { ...opts, before: opts.before }, loads, rounds, medians, flat }, { dir: opts.records, note: opts.note === '' ? null : opts.note });
  console.log(`record: ${file.replace(ROOT + '/', '')}`);
}

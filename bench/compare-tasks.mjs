#!/usr/bin/env node
// lstm-ts against PyTorch on the task models of issue #16, in one run (`node bench/compare-torch.mjs --task
// forecast,classify` comes here): `lstm bench --task T --json` and `bench/torch_bench.py --task T --json` (the same
// models, batches and optimizer: src/bench/tasks.ts, bench/torch_tasks.py) take turns, never at once, for --rounds
// rounds (the order reversed every other round). PyTorch's classifier runs in both forms, packed
// (pack_padded_sequence) and unpacked (a forward and a reversed-within-length LSTM), and the ratio is taken against
// the faster. Then, per task, a fresh short training-only process of each side (PyTorch's classifier once per form)
// for peak resident memory, PyTorch's smaller figure taken. Every number reported is the median of the rounds;
// prints both sides, the ratios and issue #16's targets as met or missed, and writes a JSON record (records.mjs).
// Usage (after `npx tsc -p tsconfig.build.json`):
//   node bench/compare-torch.mjs --task forecast,classify [--threads 2] [--seconds 3] [--rounds 3] [--idle 0.85]
//     [--python /usr/bin/python3] [--records bench/records] [--note text]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, fmtLoad, fmtNum, fmtRatio, idleFraction, markdown, parseFlags, ratio, reduceRounds, runJsonLines, table, verdict } from './common.mjs';
import { RECORDS_DIR, loadNow, takeTurns, writeRecord } from './records.mjs';

/** Issue #16's targets: training steps/s at least this many times PyTorch's (its faster form), memory at most half. */
export const TASK_TARGETS = { forecast: 2, classify: 1.5, memory: 0.5 };
const TASKS = ['forecast', 'classify'];

export const TASK_FIELDS = {
  'lstm-ts': ['trainStepsPerSec', 'trainStepsPerSecMedian', 'sequencesPerSec', 'meanLength'],
  pytorch: ['trainStepsPerSec', 'trainStepsPerSecPacked', 'trainStepsPerSecUnpacked', 'sequencesPerSec'],
};

/** PyTorch's faster form of a row of medians: its rate and name ('packed', 'unpacked', or the forecaster's only one). */
export function fasterForm(row) {
  const forms = [['packed', row.trainStepsPerSecPacked], ['unpacked', row.trainStepsPerSecUnpacked]].filter(([, v]) => typeof v === 'number');
  if (forms.length === 0) return { rate: row.trainStepsPerSec ?? null, form: null };
  const [form, rate] = forms.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { rate, form };
}

export async function main(argv) {
  const opts = parseFlags(argv, { task: 'forecast,classify', threads: 2, seconds: 3, rounds: 3, idle: 0.85, python: '/usr/bin/python3', records: RECORDS_DIR, note: '' });
  const tasks = opts.task.split(',');
  if (tasks.some((t) => !TASKS.includes(t))) throw new Error(`--task must be a comma-separated list of ${TASKS.join(', ')}, got ${opts.task}`);
  if (!existsSync(CLI)) throw new Error(`${CLI} not found: build first (npx tsc -p tsconfig.build.json)`);
  const torchScript = join(ROOT, 'bench', 'torch_bench.py');
  const torchEnv = { OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' };
  const common = (task, seconds) => ['--json', '--task', task, '--threads', String(opts.threads), '--seconds', String(seconds)];
  const ours = (args) => runJsonLines(process.execPath, [CLI, 'bench', ...args]);
  const torch = (args) => runJsonLines(opts.python, [torchScript, ...args], { env: torchEnv });

  const loads = [];
  const perTask = {};
  for (const task of tasks) {
    const sides = { 'lstm-ts': () => ours(common(task, opts.seconds)), pytorch: () => torch(common(task, opts.seconds)) };
    const run = await takeTurns(sides, opts, (side) => TASK_FIELDS[side]);
    loads.push(...run.loads.map((l) => ({ ...l, when: `${task}: ${l.when}` })));
    const reduced = Object.fromEntries(Object.entries(run.rounds).map(([side, rs]) => [side, reduceRounds(rs, TASK_FIELDS[side])]));
    // Peak resident memory: a fresh training-only process per side (and per form of PyTorch's classifier).
    const memArgs = [...common(task, Math.min(opts.seconds, 1))];
    loads.push(loadNow(`${task}: before memory`));
    const a = await ours(memArgs);
    const forms = task === 'classify' ? ['packed', 'unpacked'] : [null];
    const theirs = [];
    for (const form of forms) theirs.push({ form, mb: (await torch([...memArgs, ...(form ? ['--forms', form] : [])])).summary.maxRssMB });
    const smallest = theirs.reduce((p, q) => (q.mb < p.mb ? q : p));
    perTask[task] = { ...run, reduced, memory: { lstmTsMB: a.summary.maxRssMB, pytorchMB: smallest.mb, pytorchForm: smallest.form, pytorchByForm: theirs } };
  }
  loads.push(loadNow('end', await idleFraction()));

  const out = [];
  const say = (line = '') => out.push(line);
  const first = Object.values(perTask)[0];
  const s = first.summaries['lstm-ts'][0];
  const t = first.summaries.pytorch[0];
  say(`lstm-ts: ${s.node}, ${s.threads} thread(s), sgemm tile ${s.gemm?.tile ?? '-'}; PyTorch ${t.torch}, python ${t.python}, ${t.threads} thread(s), OMP_WAIT_POLICY=${t.ompWaitPolicy}`);
  say(`tasks of issue #16, training steps per second (Adam), ${opts.seconds} s per row, medians of ${opts.rounds} alternating round(s)`);
  say(`1-minute load average (and CPU idle over 5 s) before each run: ${loads.filter((l) => l.when.includes('before') && l.when.includes('round')).map((l) => fmtLoad({ load: l.load1, idle: l.idle ?? null })).join(', ')}`);
  say();
  const head = ['task', 'hidden', 'lstm-ts steps/s', 'PyTorch steps/s', 'PyTorch form', 'ratio', 'target'];
  const rows = [];
  const targets = [];
  const addTarget = (what, v) => targets.push({ what, ...v });
  for (const task of tasks) {
    const { reduced, memory } = perTask[task];
    const torchBy = new Map(reduced.pytorch.medians.map((r) => [r.hidden, r]));
    for (const r of reduced['lstm-ts'].medians) {
      const p = fasterForm(torchBy.get(r.hidden) ?? {});
      const q = ratio(r.trainStepsPerSec, p.rate);
      rows.push([task, r.hidden, fmtNum(r.trainStepsPerSec, 2), fmtNum(p.rate, 2), p.form ?? '-', fmtRatio(q), `${TASK_TARGETS[task]}x`]);
      addTarget(`training ${task} LSTM ${r.hidden} vs PyTorch${p.form ? ` (${p.form}, its faster form)` : ''}`, verdict(q, TASK_TARGETS[task]));
    }
    addTarget(`peak resident memory training ${task} (${fmtNum(memory.lstmTsMB, 0)} MiB vs PyTorch ${fmtNum(memory.pytorchMB, 0)} MiB${memory.pytorchForm ? `, ${memory.pytorchForm}` : ''}), as a fraction of PyTorch's`, verdict(memory.lstmTsMB / memory.pytorchMB, TASK_TARGETS.memory, { lower: true, unit: 'ratio' }));
  }
  say(table(head, rows));
  say();
  say('targets (issue #16; medians of the rounds):');
  for (const x of targets) say(`  ${x.met ? '[x]' : '[ ]'} ${x.what}: ${x.text}`);
  say();
  say('markdown:');
  say();
  say(markdown(head, rows));
  if (opts.records !== '') {
    const settings = { tasks, threads: opts.threads, seconds: opts.seconds, rounds: opts.rounds };
    const field = (k) => Object.fromEntries(tasks.map((task) => [task, perTask[task][k]]));
    const medians = Object.fromEntries(tasks.map((task) => [task, Object.fromEntries(Object.entries(perTask[task].reduced).map(([side, v]) => [side, v.medians]))]));
    const bests = Object.fromEntries(tasks.map((task) => [task, Object.fromEntries(Object.entries(perTask[task].reduced).map(([side, v]) => [side, v.bests]))]));
    const file = writeRecord('compare-tasks', { settings, summaries: field('summaries'), loads, rounds: field('rounds'), medians, bests, memory: field('memory'), targets }, { dir: opts.records, note: opts.note === '' ? null : opts.note });
    say();
    say(`record: ${file.replace(ROOT + '/', '')}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

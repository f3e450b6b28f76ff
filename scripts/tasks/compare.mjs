#!/usr/bin/env node
// The bars of issue #12, measured: lstm-ts' forecaster and classifier with their defaults against the same models
// trained by PyTorch (scripts/tasks/forecast_torch.py, classify_torch.py) on the very windows / token ids the library
// prepares (scripts/tasks/prepare.ts), over the same seeds, one run after another (never in parallel).
//
//   node scripts/tasks/compare.mjs [--tasks forecast,classify] [--seeds 0,1,2,3,4] [--quick] [--readme README.md]
//   node scripts/tasks/compare.mjs --record scripts/tasks/last-run.json --readme README.md    (the table again, no runs)
//
//   1. lstm-ts:  node dist/cli/main.js train --task forecast|classify --seed S --threads T --json        (each seed)
//   2. PyTorch:  the prepared data, then forecast_torch.py / classify_torch.py --seeds ... --threads T  (same settings,
//                read from the library's FORECAST_DEFAULTS / CLASSIFY_DEFAULTS so the two cannot drift apart)
// Both keep the epoch with the best validation score and report its test metrics.
//
// The bars (exit 0 when met, 1 otherwise), on the means over the seeds:
//   forecast: every lstm-ts seed beats seasonal-naive on test MAE (MASE below 1), and PyTorch's mean test MAE is
//             within 5% of lstm-ts' mean;
//   classify: lstm-ts' mean test accuracy is at least 20 points above the majority class, and within 1.5 points
//             of PyTorch's mean.
// --quick (the test suite's, about a minute): one seed, short runs of a smaller model, looser bars (both beat the
// naive forecast and lstm-ts' MAE within 25% of PyTorch's; both 15 points above the majority class and within 5
// points of each other): it checks the plumbing and that the two train alike, not the final numbers.
// --torch-reference FILE takes PyTorch's side from an earlier record of this script (scripts/tasks/
// torch-reference-quick.json for --quick: the test suite runs lstm-ts alone); --lstm-args adds flags to lstm-ts' runs.
// Writes the record to --json-out and, with --readme, the table between its tasks-compare markers.
// Needs the CLI built (npm run build) and Debian's python3-torch.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');

const { values: args } = parseArgs({
  options: {
    tasks: { type: 'string', default: 'forecast,classify' },
    seeds: { type: 'string' },
    quick: { type: 'boolean', default: false },
    threads: { type: 'string', default: '1' },
    python: { type: 'string', default: '/usr/bin/python3' },
    cli: { type: 'string', default: join(ROOT, 'dist', 'cli', 'main.js') },
    'json-out': { type: 'string' },
    'torch-reference': { type: 'string' },
    'lstm-args': { type: 'string', default: '' },
    record: { type: 'string' },
    readme: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
/** --record FILE: no runs, the table of an earlier record (to write it into the README again). */
const earlier = args.record === undefined ? null : JSON.parse(readFileSync(args.record, 'utf8'));
const quick = earlier?.quick ?? args.quick;
const seeds = earlier?.seeds ?? (args.seeds ?? (quick ? '0' : '0,1,2,3,4')).split(',').map(Number);
const tasks = earlier === null ? args.tasks.split(',') : ['forecast', 'classify'].filter((t) => earlier[t] !== undefined);
const jsonOut = args['json-out'] ?? (quick ? join(tmpdir(), 'lstm-ts-tasks-quick.json') : join(HERE, 'last-run.json'));
/** Extra flags for the lstm-ts runs only (the test suite checks that a run off the mark fails the bar). */
const extraArgs = args['lstm-args'].split(' ').filter(Boolean);
const log = (text) => !args.quiet && process.stderr.write(`${text}\n`);

const { FORECAST_DEFAULTS: F, CLASSIFY_DEFAULTS: C } = await import(pathToFileURL(join(ROOT, 'dist', 'train', 'defaults.js')).href);
/** What --quick changes, the same on both sides. */
const QUICK = { forecast: { epochs: 8, hidden: 32, lr: 0.01 }, classify: { epochs: 3, hidden: 32, lr: 0.003 } };

function run(command, argv) {
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${command} ${argv.join(' ')} exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      else resolveRun({ stdout, seconds: (performance.now() - started) / 1000 });
    });
  });
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The settings both sides train with. */
function settings(task) {
  const q = quick ? QUICK[task] : {};
  const d = task === 'forecast' ? F : C;
  return { epochs: q.epochs ?? d.epochs, hidden: q.hidden ?? d.hiddenSize, lr: q.lr ?? d.lr, batch: d.batchSize };
}

async function lstmTs(task, dir) {
  const s = settings(task);
  const runs = [];
  for (const seed of seeds) {
    const out = join(dir, `${task}-${seed}.safetensors`);
    const argv = [args.cli, 'train', '--task', task, '--seed', String(seed), '--threads', args.threads, '--json', '--out', out, '--force',
      ...(quick ? ['--epochs', String(s.epochs), '--hidden', String(s.hidden), '--lr', String(s.lr)] : []), ...extraArgs];
    log(`lstm-ts ${task} seed ${seed}: node ${argv.slice(1).join(' ')}`);
    const { stdout, seconds } = await run(process.execPath, argv);
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)).summary;
    runs.push({ seed, seconds: +seconds.toFixed(1), bestEpoch: summary.keptEpoch, test: summary.test });
    log(`  ${seconds.toFixed(1)} s, test ${JSON.stringify(task === 'forecast' ? summary.test.model[0] : { accuracy: summary.test.accuracy })}`);
  }
  return runs;
}

async function torch(task, dir) {
  const s = settings(task);
  if (args['torch-reference'] !== undefined) {
    // PyTorch on CPU with a fixed seed and thread count repeats itself: a committed run stands in for a live one.
    const reference = JSON.parse(readFileSync(args['torch-reference'], 'utf8'))[task];
    if (reference === undefined || JSON.stringify(reference.settings) !== JSON.stringify(s) || JSON.stringify(reference.torch.runs.map((r) => r.seed)) !== JSON.stringify(seeds)) {
      throw new Error(`${args['torch-reference']} holds no ${task} run with these settings (${JSON.stringify(s)}) and seeds ${seeds.join(',')}; make it again without --torch-reference`);
    }
    return reference.torch;
  }
  const data = join(dir, `${task}.safetensors`);
  const prepare = task === 'forecast'
    ? ['forecast', '--window', String(F.window), '--horizon', String(F.horizon), '--valid', String(F.validFraction), '--test', String(F.testFraction)]
    : ['classify', '--tokens', C.tokens, ...(C.lowercase ? ['--lowercase'] : []), '--max-length', String(C.maxLength), '--seed', '0', '--valid', String(C.validFraction), '--test', String(C.testFraction)];
  await run(process.execPath, ['--import', 'tsx', join(HERE, 'prepare.ts'), ...prepare, '--out', data]);
  const json = join(dir, `${task}-torch.json`);
  const common = ['--data', data, '--seeds', seeds.join(','), '--epochs', String(s.epochs), '--batch', String(s.batch), '--lr', String(s.lr), '--hidden', String(s.hidden),
    '--schedule', task === 'forecast' ? F.lrSchedule : C.lrSchedule, '--threads', args.threads, '--json-out', json];
  const argv = task === 'forecast'
    ? [join(HERE, 'forecast_torch.py'), ...common, '--loss', F.loss, '--layers', String(F.numLayers)]
    : [join(HERE, 'classify_torch.py'), ...common, '--embed', String(C.embeddingDim), '--pool', C.pool, '--layers', String(C.numLayers), ...(C.bidirectional ? ['--bidirectional'] : [])];
  log(`PyTorch ${task}: ${args.python} ${argv.join(' ')}`);
  await run(args.python, argv);
  return JSON.parse(readFileSync(json, 'utf8'));
}

function forecastVerdict(ts, pt) {
  const tsMae = mean(ts.map((r) => r.test.model[0].mae));
  const ptMae = pt.summary.test_mae_mean;
  const snaive = ts[0].test.seasonalNaive[0].mae;
  const naive = ts[0].test.naive[0].mae;
  const ratio = ptMae / tsMae;
  const beats = quick ? ts.every((r) => r.test.model[0].mae < naive) && pt.runs.every((r) => r.test.mae < naive) : ts.every((r) => r.test.model[0].mase < 1 && r.test.model[0].mae < snaive);
  const close = Math.abs(ratio - 1) <= (quick ? 0.25 : 0.05);
  return {
    lstmTsMaeMean: tsMae, torchMaeMean: ptMae, torchOverLstmTs: ratio, seasonalNaiveMae: snaive, naiveMae: naive,
    lstmTsMaseMean: mean(ts.map((r) => r.test.model[0].mase)), torchMaseMean: mean(pt.runs.map((r) => r.test.mase)),
    lstmTsSecondsMean: mean(ts.map((r) => r.seconds)), torchSecondsMean: pt.summary.seconds_mean,
    bars: { [quick ? 'bothBeatNaive' : 'everySeedBeatsSeasonalNaive']: beats, [quick ? 'within25Percent' : 'within5Percent']: close }, met: beats && close,
  };
}

function classifyVerdict(ts, pt) {
  const tsAcc = mean(ts.map((r) => r.test.accuracy));
  const ptAcc = pt.summary.test_accuracy_mean;
  const majority = ts[0].test.majority.accuracy;
  const above = quick ? 0.15 : 0.2;
  const well = tsAcc - majority >= above && (!quick || ptAcc - majority >= above);
  const close = Math.abs(tsAcc - ptAcc) <= (quick ? 0.05 : 0.015);
  return {
    lstmTsAccuracyMean: tsAcc, torchAccuracyMean: ptAcc, differencePoints: 100 * (tsAcc - ptAcc), majorityAccuracy: majority,
    lstmTsMacroF1Mean: mean(ts.map((r) => r.test.macroF1)), torchMacroF1Mean: pt.summary.test_macro_f1_mean,
    lstmTsSecondsMean: mean(ts.map((r) => r.seconds)), torchSecondsMean: pt.summary.seconds_mean,
    bars: { [`atLeast${100 * above}PointsAboveMajority`]: well, [quick ? 'within5Points' : 'within1.5Points']: close }, met: well && close,
  };
}

function table(record) {
  const rows = ['| task (test part, mean over seeds ' + seeds.join(', ') + ') | lstm-ts | PyTorch | baseline | bar | met |', '|---|---|---|---|---|---|'];
  const f = record.forecast?.verdict;
  if (f) {
    const bar = quick ? 'both beat naive; within 25%' : 'MASE < 1 each seed; PyTorch within 5%';
    rows.push(`| forecast, births: MAE (MASE) | ${f.lstmTsMaeMean.toFixed(1)} (${f.lstmTsMaseMean.toFixed(3)}) | ${f.torchMaeMean.toFixed(1)} (${f.torchMaseMean.toFixed(3)}) | seasonal-naive ${f.seasonalNaiveMae.toFixed(1)} | ${bar} (${(100 * (f.torchOverLstmTs - 1)).toFixed(1)}%) | ${f.met ? 'yes' : 'no'} |`);
    rows.push(`| forecast: seconds a run | ${f.lstmTsSecondsMean.toFixed(0)} | ${f.torchSecondsMean.toFixed(0)} | | | |`);
  }
  const c = record.classify?.verdict;
  if (c) {
    const bar = quick ? '15 points above majority; within 5 points' : '20 points above majority; within 1.5 points';
    rows.push(`| classify, names: accuracy (macro F1) | ${(100 * c.lstmTsAccuracyMean).toFixed(2)}% (${c.lstmTsMacroF1Mean.toFixed(3)}) | ${(100 * c.torchAccuracyMean).toFixed(2)}% (${c.torchMacroF1Mean.toFixed(3)}) | majority ${(100 * c.majorityAccuracy).toFixed(2)}% | ${bar} (${c.differencePoints.toFixed(2)}) | ${c.met ? 'yes' : 'no'} |`);
    rows.push(`| classify: seconds a run | ${c.lstmTsSecondsMean.toFixed(0)} | ${c.torchSecondsMean.toFixed(0)} | | | |`);
  }
  return rows.join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'lstm-ts-compare-'));
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
})();
const record = earlier ?? { date: new Date().toISOString(), commit, quick, seeds, threads: Number(args.threads), machine: { cpu: cpus()[0]?.model ?? '', cores: cpus().length, loadBefore: loadavg(), node: process.version } };
try {
  for (const task of earlier === null ? tasks : []) {
    const ts = await lstmTs(task, dir);
    const pt = await torch(task, dir);
    const verdict = task === 'forecast' ? forecastVerdict(ts, pt) : classifyVerdict(ts, pt);
    record[task] = { settings: settings(task), lstmTs: ts, torch: { summary: pt.summary, runs: pt.runs.map(({ history: _h, ...r }) => r) }, verdict };
    log(`${task}: ${JSON.stringify(verdict)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
record.machine.loadAfter ??= loadavg();
record.table = table(record);
if (earlier === null) writeFileSync(jsonOut, `${JSON.stringify(record, null, 1)}\n`);
console.log(record.table);
if (args.readme !== undefined) {
  const text = readFileSync(args.readme, 'utf8');
  const [begin, end] = ['<!-- tasks-compare:begin -->', '<!-- tasks-compare:end -->'];
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${args.readme} has no ${begin} ... ${end} block`);
  const load = (l) => l.map((x) => x.toFixed(1)).join(' ');
  const intro = `Run of ${record.date.slice(0, 10)} (${record.machine.cpu}, ${record.machine.cores} cores, load ${load(record.machine.loadBefore)} before and ${load(record.machine.loadAfter)} after; ` +
    `${record.threads} thread each; the record is scripts/tasks/${jsonOut.endsWith('last-run.json') ? 'last-run.json' : jsonOut}):`;
  writeFileSync(args.readme, `${text.slice(0, a + begin.length)}\n${intro}\n\n${record.table}\n${text.slice(b)}`);
}
const met = tasks.every((t) => record[t].verdict.met);
console.log(met ? 'all bars met' : `bars not met: ${tasks.filter((t) => !record[t].verdict.met).join(', ')}`);
process.exitCode = met ? 0 : 1;

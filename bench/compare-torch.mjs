#!/usr/bin/env node
// lstm-ts against PyTorch on the d2l setting, in one run: `lstm bench --json` and bench/torch_bench.py --json
// (Debian's /usr/bin/python3 with python3-torch and OpenBLAS, OMP_WAIT_POLICY=PASSIVE, torch.set_num_threads)
// run one after the other, never at once, on the same cells, hidden sizes, threads and seconds. Then a short
// training-only run of each at a few sizes for peak resident memory. Prints both sides, the ratios
// lstm-ts / PyTorch, every target of the issue as met or missed (and by how much), and a markdown table.
// Usage (after `npx tsc -p tsconfig.build.json`):
//   node bench/compare-torch.mjs [--cells lstm,gru,rnn] [--hidden 128,256,512,1024] [--threads 2] [--seconds 2]
//     [--length 500] [--memory-hidden 256,1024] [--rounds 1] [--idle 0.85] [--python /usr/bin/python3]
// --rounds R alternates the two sides R times and keeps each side's best per number (a shared machine only
// ever slows a run down); before each run it waits (up to 15 minutes) until the CPUs were at least --idle idle
// over 5 s (0: don't wait). The 1-minute load average and idle fraction before each run are printed.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

/** Training targets: lstm-ts tokens/s at least this many times PyTorch's, for LSTM and GRU. */
export const TRAIN_TARGETS = { 128: 2, 256: 1.5, 512: 1.2, 1024: 1.2 };

export function parseFlags(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!flag.startsWith('--')) throw new Error(`unexpected argument ${flag}`);
    const key = flag.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown flag ${flag}`);
    if (typeof defaults[key] === 'boolean') {
      out[key] = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    out[key] = typeof defaults[key] === 'number' ? Number(value) : value;
    if (typeof defaults[key] === 'number' && !Number.isFinite(out[key])) throw new Error(`${flag}: '${value}' is not a number`);
  }
  return out;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function cpuTimes() {
  // First line of /proc/stat: cpu user nice system idle iowait irq softirq steal ...
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  return { idle, total: f.reduce((a, b) => a + b, 0) };
}

/** Fraction of CPU time idle over the next `ms` (Linux /proc/stat), or null where there is none. */
export async function idleFraction(ms = 5000) {
  if (!existsSync('/proc/stat')) return null;
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  return b.total > a.total ? (b.idle - a.idle) / (b.total - a.total) : null;
}

/**
 * Waits (up to 15 minutes) until the machine is quiet: CPUs at least `minIdle` idle over 5 s (the 1-minute load
 * average is printed but not used, since it still counts our own previous run for a minute or two). minIdle 0:
 * never waits. Returns the 1-minute load and the idle fraction it went on at.
 */
export async function waitForQuiet(minIdle, log = (s) => process.stderr.write(s)) {
  for (let waited = 0; ; waited += 35) {
    const idle = await idleFraction();
    const load = loadavg()[0];
    if (!(minIdle > 0) || idle === null || idle >= minIdle || waited >= 900) return { load, idle };
    log(`CPUs ${(100 * idle).toFixed(0)}% idle over 5 s (load average ${load.toFixed(2)}): waiting 30 s\n`);
    await sleep(30_000);
  }
}

export function fmtLoad({ load, idle }) {
  return `${load.toFixed(2)}${idle === null ? '' : ` (${(100 * idle).toFixed(0)}% idle)`}`;
}

/** Runs a command to completion (stderr passed through) and returns its stdout parsed as JSON lines. */
export function runJsonLines(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    process.stderr.write(`$ ${[command, ...args].join(' ')}\n`);
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited with code ${code}`));
      const lines = stdout.split('\n').filter((l) => l.trim() !== '');
      try {
        const objects = lines.map((l) => JSON.parse(l));
        resolve({ rows: objects.filter((o) => !('summary' in o)), summary: objects.find((o) => 'summary' in o)?.summary ?? null });
      } catch {
        reject(new Error(`${command}: output is not JSON lines:\n${stdout.slice(0, 500)}`));
      }
    });
  });
}

export const key = (r) => `${r.cell}/${r.hidden}`;

export function fmtRate(v) {
  return v === null || v === undefined ? '-' : Math.round(v).toLocaleString('en-US', { maximumSignificantDigits: 3 });
}
export function fmtNum(v, d = 1) {
  return v === null || v === undefined ? '-' : v.toFixed(d);
}
export function fmtRatio(v) {
  return v === null || v === undefined || !Number.isFinite(v) ? '-' : `${v.toFixed(2)}x`;
}
export function ratio(a, b) {
  return a === null || a === undefined || b === null || b === undefined || !(b > 0) ? null : a / b;
}

/** "met (2.31x, target 2x)" or "MISSED by 13% (1.31x of 1.5x; needs 1.15x more)". `lower`: smaller is better. */
export function verdict(value, target, { lower = false, unit = 'x' } = {}) {
  if (value === null || value === undefined || !Number.isFinite(value)) return { met: false, text: 'not measured' };
  const shown = unit === 'x' ? `${value.toFixed(2)}x` : unit === '%' ? `${(100 * value).toFixed(0)}%` : value.toFixed(2);
  const want = unit === 'x' ? `${target}x` : unit === '%' ? `${(100 * target).toFixed(0)}%` : target.toFixed(2);
  const met = lower ? value <= target : value >= target;
  if (met) return { met, text: `met (${shown}, target ${lower ? '<=' : '>='} ${want})` };
  const short = lower ? value / target - 1 : 1 - value / target;
  const needs = lower ? value / target : target / value;
  return { met, text: `MISSED by ${(100 * short).toFixed(0)}% (${shown}, target ${lower ? '<=' : '>='} ${want}; needs ${needs.toFixed(2)}x ${lower ? 'less' : 'more'})` };
}

export function table(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((v, i) => (i < 2 ? String(v).padEnd(widths[i]) : String(v).padStart(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

export function markdown(head, rows) {
  return [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Rates: the better of several runs is kept (other processes only ever slow a run down). */
const RATE_KEYS = ['trainTokensPerSec', 'trainTokensPerSecMedian', 'generateCharsPerSec', 'generateCharsPerSecMedian', 'sgemmGflops', 'sgemmGflops1Thread', 'simdPeakGflops', 'simdPeakGflopsAllThreads', 'maxRssMB'];

/** Merges the rows of several runs of one side: per (cell, hidden) the best of every rate; derived fields recomputed. */
export function bestOf(runs) {
  const byKey = new Map();
  for (const run of runs) {
    for (const row of run.rows) {
      const k = key(row);
      const seen = byKey.get(k);
      if (seen === undefined) {
        byKey.set(k, { ...row });
        continue;
      }
      for (const f of RATE_KEYS) if (typeof row[f] === 'number' && !(seen[f] >= row[f])) seen[f] = row[f];
    }
  }
  const rows = [...byKey.values()];
  const peak = Math.max(...rows.map((r) => r.simdPeakGflops ?? 0));
  for (const r of rows) {
    if (r.trainTokensPerSec !== null && r.trainFlopsPerStep !== undefined) {
      r.trainGflops = (r.trainTokensPerSec / ((r.batch ?? 32) * (r.steps ?? 35))) * r.trainFlopsPerStep / 1e9;
    }
    if (peak > 0) {
      r.simdPeakGflops = peak;
      if (r.trainGflops !== null && r.trainGflops !== undefined) r.peakFraction = r.trainGflops / (peak * r.threads);
      if (typeof r.sgemmGflops1Thread === 'number') r.sgemmPeakFraction1Thread = r.sgemmGflops1Thread / peak;
    }
    if (typeof r.sgemmGflops === 'number' && typeof r.sgemmGflops1Thread === 'number') r.sgemmThreadSpeedup = r.sgemmGflops / r.sgemmGflops1Thread;
  }
  const summaries = runs.map((r) => r.summary).filter((x) => x !== null);
  const summary = { ...summaries[0] };
  for (const f of ['simdPeakGflops', 'simdPeakGflopsAllThreads', 'maxRssMB']) {
    if (typeof summary[f] === 'number') summary[f] = Math.max(...summaries.map((x) => x[f]));
  }
  return { rows, summary };
}

async function main() {
  const opts = parseFlags(process.argv.slice(2), {
    cells: 'lstm,gru,rnn', hidden: '128,256,512,1024', threads: 2, seconds: 2, length: 500,
    memoryHidden: '256,1024', rounds: 1, idle: 0.85, python: '/usr/bin/python3',
  });
  if (!existsSync(CLI)) throw new Error(`${CLI} not found: build first (npx tsc -p tsconfig.build.json)`);
  if (!(Number.isInteger(opts.rounds) && opts.rounds >= 1)) throw new Error('--rounds must be a positive integer');
  const common = ['--json', '--cells', opts.cells, '--hidden', opts.hidden, '--threads', String(opts.threads), '--seconds', String(opts.seconds), '--length', String(opts.length)];
  const torchScript = join(ROOT, 'bench', 'torch_bench.py');
  const torchEnv = { OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' };

  const loads = [];
  const oursRuns = [];
  const torchRuns = [];
  for (let round = 0; round < opts.rounds; round++) {
    loads.push(await waitForQuiet(opts.idle));
    oursRuns.push(await runJsonLines(process.execPath, [CLI, 'bench', ...common]));
    loads.push(await waitForQuiet(opts.idle));
    torchRuns.push(await runJsonLines(opts.python, [torchScript, ...common], { env: torchEnv }));
  }
  const ours = bestOf(oursRuns);
  const torch = bestOf(torchRuns);

  // Peak resident memory while training: a fresh process per side and size, training only.
  const memory = [];
  for (const H of opts.memoryHidden.split(',').filter((s) => s !== '')) {
    const args = ['--json', '--parts', 'train', '--cells', 'lstm', '--hidden', H, '--threads', String(opts.threads), '--seconds', String(Math.min(opts.seconds, 1))];
    const a = await runJsonLines(process.execPath, [CLI, 'bench', ...args]);
    const b = await runJsonLines(opts.python, [torchScript, ...args], { env: torchEnv });
    memory.push({ hidden: Number(H), ours: a.summary.maxRssMB, torch: b.summary.maxRssMB });
  }
  loads.push({ load: loadavg()[0], idle: await idleFraction() });

  const theirs = new Map(torch.rows.map((r) => [key(r), r]));
  const out = [];
  const say = (s = '') => out.push(s);
  const s = ours.summary;
  say(`lstm-ts: ${s.node}, ${s.threads} thread(s), 128-bit SIMD peak ${fmtNum(s.simdPeakGflops)} GFLOP/s per thread (${fmtNum(s.simdPeakGflopsAllThreads)} on ${s.threads} measured together); peak RSS of the whole run ${fmtNum(s.maxRssMB, 0)} MiB`);
  say(`PyTorch: ${torch.summary.torch}, python ${torch.summary.python}, ${torch.summary.threads} thread(s), OMP_WAIT_POLICY=${torch.summary.ompWaitPolicy}; peak RSS of the whole run ${fmtNum(torch.summary.maxRssMB, 0)} MiB`);
  say(`setting: d2l (one-hot over 28 tokens, batch 32 x 35 steps, 1 layer, SGD lr 1, clip 1, sequential minibatches), ${opts.seconds} s per row; best of several windows, best of ${opts.rounds} alternating round(s) per side`);
  say(`1-minute load average (and CPU idle over 5 s) before each run and at the end: ${loads.map(fmtLoad).join(', ')}`);
  say();

  const head = ['cell', 'hidden', 'train tok/s lstm-ts', 'PyTorch', 'ratio', 'step GF/s', 'of SIMD peak', 'gen chars/s lstm-ts', 'PyTorch', 'ratio', 'sgemm GF/s lstm-ts', 'PyTorch', 'ratio', '1T lstm-ts', '1T PyTorch'];
  const rows = ours.rows.map((r) => {
    const t = theirs.get(key(r)) ?? {};
    return [
      r.cell, r.hidden,
      fmtRate(r.trainTokensPerSec), fmtRate(t.trainTokensPerSec), fmtRatio(ratio(r.trainTokensPerSec, t.trainTokensPerSec)),
      fmtNum(r.trainGflops), r.peakFraction === null ? '-' : `${(100 * r.peakFraction).toFixed(0)}%`,
      fmtRate(r.generateCharsPerSec), fmtRate(t.generateCharsPerSec), fmtRatio(ratio(r.generateCharsPerSec, t.generateCharsPerSec)),
      fmtNum(r.sgemmGflops), fmtNum(t.sgemmGflops), fmtRatio(ratio(r.sgemmGflops, t.sgemmGflops)),
      fmtNum(r.sgemmGflops1Thread), fmtNum(t.sgemmGflops1Thread),
    ];
  });
  say(table(head, rows));
  say();

  say('targets:');
  const targets = [];
  const addTarget = (what, v) => {
    targets.push({ what, ...v });
    say(`  ${v.met ? '[x]' : '[ ]'} ${what}: ${v.text}`);
  };
  for (const r of ours.rows) {
    const t = theirs.get(key(r));
    const want = TRAIN_TARGETS[r.hidden];
    if (r.cell === 'rnn' || want === undefined || t === undefined) continue;
    const ceiling = (r.simdPeakGflops * r.threads) / t.trainGflops;
    const extra = r.peakFraction === null ? '' : `; the step runs at ${fmtNum(r.trainGflops)} GFLOP/s = ${(100 * r.peakFraction).toFixed(0)}% of ${r.threads} x ${fmtNum(r.simdPeakGflops)} GFLOP/s 128-bit SIMD peak, PyTorch at ${fmtNum(t.trainGflops)} GFLOP/s (at 100% of the peak the ratio would be ${fmtRatio(ceiling)}; the target needs ${(100 * want * t.trainGflops / (r.simdPeakGflops * r.threads)).toFixed(0)}% of it)`;
    addTarget(`training ${r.cell.toUpperCase()} hidden ${r.hidden} vs nn.${r.cell === 'lstm' ? 'LSTM' : 'GRU'}`, (() => {
      const v = verdict(ratio(r.trainTokensPerSec, t.trainTokensPerSec), want);
      return { ...v, text: v.text + extra };
    })());
  }
  for (const r of ours.rows.filter((x) => x.hidden === 256)) {
    const t = theirs.get(key(r));
    if (t === undefined) continue;
    addTarget(`generation ${r.cell.toUpperCase()} hidden 256, one char at a time`, verdict(ratio(r.generateCharsPerSec, t.generateCharsPerSec), 3));
  }
  const mm = ours.rows.find((r) => r.cell === 'lstm' && r.hidden === 256);
  if (mm !== undefined && mm.sgemmGflops1Thread !== null) {
    addTarget(`sgemm 32x256 by 256x1024, 1 thread, of the measured 128-bit SIMD peak (${fmtNum(mm.sgemmGflops1Thread)} of ${fmtNum(mm.simdPeakGflops)} GFLOP/s)`, verdict(mm.sgemmPeakFraction1Thread, 0.8, { unit: '%' }));
    addTarget(`sgemm 32x256 by 256x1024, ${mm.threads} threads vs 1 (${fmtNum(mm.sgemmGflops)} vs ${fmtNum(mm.sgemmGflops1Thread)} GFLOP/s)`, verdict(mm.sgemmThreadSpeedup, 1.8));
  }
  for (const m of memory) {
    addTarget(`peak resident memory training LSTM ${m.hidden} (${fmtNum(m.ours, 0)} MiB vs PyTorch ${fmtNum(m.torch, 0)} MiB), as a fraction of PyTorch's`, verdict(m.ours / m.torch, 1 / 3, { lower: true, unit: 'ratio' }));
  }
  say();
  say('markdown:');
  say();
  const mdHead = ['cell', 'hidden', 'train tok/s lstm-ts', 'train tok/s PyTorch', 'ratio', 'of SIMD peak', 'gen chars/s lstm-ts', 'gen chars/s PyTorch', 'ratio', 'sgemm GFLOP/s lstm-ts', 'sgemm GFLOP/s PyTorch'];
  say(markdown(mdHead, rows.map((r) => [r[0], r[1], r[2], r[3], r[4], r[6], r[7], r[8], r[9], r[10], r[11]])));
  say();
  say(markdown(['target', 'result'], targets.map((t) => [t.what, t.text])));
  process.stdout.write(`${out.join('\n')}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    process.stderr.write(`compare-torch: error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}

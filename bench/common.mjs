// Helpers shared by the side-by-side benchmarks (compare-torch.mjs, onnx_generate.mjs, tfjs/compare.mjs,
// memory-flat.mjs): flags, waiting for a quiet machine, running a side as a child process that prints JSON lines,
// per-round numbers reduced to medians and bests, and formatting. Shapes: none.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

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
 * Waits (up to 15 minutes) until the machine is quiet: CPUs at least `minIdle` idle over `sampleMs` (default 5 s;
 * the 1-minute load average is printed but not used, since it still counts our own previous run for a minute or
 * two). minIdle 0: never waits longer than the sample. Returns the 1-minute load and the idle fraction it went on at.
 */
export async function waitForQuiet(minIdle, log = (s) => process.stderr.write(s), sampleMs = 5000) {
  for (let waited = 0; ; waited += 35) {
    const idle = await idleFraction(sampleMs);
    const load = loadavg()[0];
    if (!(minIdle > 0) || idle === null || idle >= minIdle || waited >= 900) return { load, loads: loadavg(), idle };
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

export function median(values) {
  const s = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * One side's rounds (each a list of rows) reduced per row key: every numeric field's median over the rounds and
 * its best (the largest: every field kept here is a rate, where the machine only ever slows a run down).
 */
export function reduceRounds(rounds, fields, rowKey = key) {
  const byKey = new Map();
  for (const rows of rounds) {
    for (const row of rows) {
      const k = rowKey(row);
      if (!byKey.has(k)) byKey.set(k, { first: row, values: Object.fromEntries(fields.map((f) => [f, []])) });
      for (const f of fields) if (typeof row[f] === 'number') byKey.get(k).values[f].push(row[f]);
    }
  }
  const out = { medians: [], bests: [] };
  for (const { first, values } of byKey.values()) {
    const id = { cell: first.cell, hidden: first.hidden, ...(first.threads !== undefined ? { threads: first.threads } : {}) };
    out.medians.push({ ...id, ...Object.fromEntries(fields.map((f) => [f, median(values[f])])) });
    out.bests.push({ ...id, ...Object.fromEntries(fields.map((f) => [f, values[f].length === 0 ? null : Math.max(...values[f])])) });
  }
  return out;
}

/** The row's fields named in `fields` (per-round numbers kept in a record without the rest). */
export function pick(row, fields) {
  return Object.fromEntries(['cell', 'hidden', 'threads', ...fields].filter((f) => row[f] !== undefined).map((f) => [f, row[f]]));
}

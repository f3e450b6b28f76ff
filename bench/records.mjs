// Benchmark records: every side-by-side run (compare-torch, tfjs/compare, memory-flat, browser) writes one JSON
// file into bench/records/ with what it needs to be trusted later: the commit (and whether the tree had changes),
// the date, the machine (lscpu's model name, vendor, family and model, a summary of its SIMD flags, cores), the
// software, the exact command, the load averages before and after every run, each side's per-round numbers and
// their medians and bests. The README's speed and memory tables are generated from the committed records
// (bench/tables.mjs); a test holds them together. Shapes: none.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, type as osType } from 'node:os';
import { join } from 'node:path';
import { ROOT, pick, waitForQuiet } from './common.mjs';

export const RECORDS_DIR = join(ROOT, 'bench', 'records');

/** The widest SIMD the CPU flags show, as people name it: AVX-512, AVX2, AVX, SSE4.1, NEON, ... */
export function simdSummary(flags) {
  const has = (f) => flags.includes(f);
  if (has('avx512f')) return has('avx512_fp16') || has('amx_tile') ? 'AVX-512 (with FP16/AMX)' : 'AVX-512';
  if (has('avx2')) return has('fma') ? 'AVX2 + FMA' : 'AVX2';
  if (has('avx')) return 'AVX';
  if (has('sse4_1')) return 'SSE4.1';
  if (has('asimd') || has('neon')) return 'NEON';
  return 'unknown';
}

/** lscpu's fields (Linux); elsewhere what node:os knows. */
export function machineInfo() {
  let fields = {};
  try {
    const text = execFileSync('lscpu', { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    fields = Object.fromEntries(text.split('\n').map((l) => l.split(/:\s+/, 2)).filter((p) => p.length === 2).map(([k, v]) => [k.trim(), v.trim()]));
  } catch {
    /* no lscpu: not Linux */
  }
  const flags = (fields.Flags ?? '').split(/\s+/).filter((f) => f !== '');
  return {
    cpu: fields['Model name'] ?? cpus()[0]?.model ?? 'unknown',
    vendor: fields['Vendor ID'] ?? null,
    family: fields['CPU family'] ?? null,
    model: fields.Model ?? null,
    simd: simdSummary(flags),
    flags: flags.filter((f) => /^(sse|ssse|avx|fma|f16c|amx|asimd|neon|sve)/.test(f)).join(' '),
    cores: cpus().length,
    hypervisor: fields['Hypervisor vendor'] ?? null,
    os: `${osType()} ${release()}`,
  };
}

/** The commit the numbers come from, and whether the working tree differed from it. */
export function gitInfo() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: null };
  }
}

/** The 1-, 5- and 15-minute load averages now, with a label saying when. */
export function loadNow(when, idle = null) {
  const [one, five, fifteen] = loadavg();
  return { when, load1: one, load5: five, load15: fifteen, ...(idle === null ? {} : { idle }) };
}

/**
 * Writes the record as bench/records/<date>-<kind>-<commit>.json (date to the second, UTC) and returns its path.
 * `body` holds the kind's own fields; the common ones (commit, date, machine, command) are added here.
 */
export function writeRecord(kind, body, { dir = RECORDS_DIR, note = null } = {}) {
  const date = new Date();
  const { commit, dirty } = gitInfo();
  const record = {
    kind,
    note,
    date: date.toISOString(),
    commit,
    dirty,
    command: `node ${process.argv.slice(1).map((a) => a.replace(ROOT + '/', '')).join(' ')}`,
    node: process.version,
    machine: machineInfo(),
    ...body,
  };
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${date.toISOString().slice(0, 19).replace(/:/g, '')}Z-${kind}-${commit}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 1)}\n`);
  return file;
}

/**
 * Runs every side in turn, `rounds` times (the order reversed every other round, so drift in the machine's load
 * falls on all sides alike), waiting for a quiet machine before each run (CPU idle sampled over `idleSampleMs`,
 * at least `idle`; see waitForQuiet). Returns each side's rows per round
 * (only the fields `keep(side)` names), its summaries, and the load averages before and after every run.
 */
export async function takeTurns(sides, { rounds, idle, idleSampleMs = 5000 }, keep) {
  const names = Object.keys(sides);
  const out = { loads: [], rounds: {}, summaries: {} };
  for (const side of names) {
    out.rounds[side] = [];
    out.summaries[side] = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? names : [...names].reverse()) {
      const quiet = await waitForQuiet(idle, undefined, idleSampleMs);
      out.loads.push(loadNow(`before ${side} round ${round + 1}`, quiet.idle));
      const run = await sides[side]();
      out.loads.push(loadNow(`after ${side} round ${round + 1}`));
      out.rounds[side].push(run.rows.map((r) => pick(r, keep(side))));
      out.summaries[side].push(run.summary);
    }
  }
  return out;
}

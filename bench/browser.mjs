#!/usr/bin/env node
// `lstm bench` in Chromium: what a page gets. Builds the bench page (bench/browser/: a page whose Web Worker runs
// the same rows as `lstm bench` through src/bench's runBench) with Vite, serves it twice with Vite's preview server
// (with COOP/COEP: cross-origin isolated, threads on shared memory as in Node; without: one thread), and drives
// Debian's Chromium headless through playwright-core. Node's `lstm bench --json` on the same rows takes turns with
// the two servings, --rounds times (the order reversed every other round, each run waiting for a quiet machine),
// so "a page gets X of Node" is a ratio measured in one run. Prints the medians and writes a JSON record into
// bench/records/ (kind 'browser': commit, date, lscpu's CPU, load before and after every run, Chromium's version,
// every round of every side, medians and bests), from which bench/tables.mjs writes the README's browser table.
// Usage (after `npm run build`, which the Node side runs from dist/):
//   node bench/browser.mjs [--cells lstm,gru] [--hidden 128,256,512,1024] [--threads <cores>] [--seconds 2]
//     [--length 500] [--rounds 3] [--idle 0.85] [--idle-sample-ms 5000] [--records bench/records] [--note text]
//     [--chromium /usr/bin/chromium]
// Before each run it waits (up to 15 minutes) until the CPUs were at least --idle idle over --idle-sample-ms
// (--idle 0: no waiting beyond that sample); --records '' writes no record. test/bench-browser.test.ts runs a
// tiny version of it; the measurement for the README is a run by hand on a quiet machine.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI, ROOT, fmtNum, fmtRate, parseFlags, reduceRounds, runJsonLines, sleep } from './common.mjs';
import { FIELDS } from './compare-torch.mjs';
import { RECORDS_DIR, loadNow, takeTurns, writeRecord } from './records.mjs';
import { browserTable, browserTiles } from './tables.mjs';

export const PAGE_DIR = join(ROOT, 'bench', 'browser');
/** The sides of a run, in the order of the first round: Node, then the page served with and without COOP/COEP. */
export const SIDES = ['node', 'page-isolated', 'page-not-isolated'];
const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
/** Per-round numbers kept in the record: `lstm bench`'s rates and fractions, the sgemm tiles and engine that ran, the last loss. */
const KEEP = [...FIELDS['lstm-ts'], 'gemmTile', 'gemmRowTile', 'engine', 'backend', 'lastLoss'];

/** Builds the bench page into `outDir` with Vite; returns Vite's warnings (a node:* import would show here). */
export async function buildBenchPage(outDir) {
  const { build, createLogger } = await import('vite');
  const logger = createLogger('warn');
  const warnings = [];
  logger.warn = (msg) => void warnings.push(msg);
  logger.warnOnce = (msg) => void warnings.push(msg);
  await build({
    root: PAGE_DIR, base: './', configFile: false, logLevel: 'warn', customLogger: logger,
    worker: { format: 'es' }, // the worker imports code-split chunks
    build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, chunkSizeWarningLimit: 4000 },
  });
  return warnings;
}

/** Vite's preview server on a free localhost port, with or without the two headers of cross-origin isolation. */
export async function serveBenchPage(outDir, isolated) {
  const { preview } = await import('vite');
  const server = await preview({
    root: PAGE_DIR, configFile: false, logLevel: 'error', build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false, headers: isolated ? ISOLATION_HEADERS : {} },
  });
  const { port } = server.httpServer.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

/**
 * One run of the page in a fresh headless Chromium: the rows and the summary as `lstm bench --json` gives them,
 * the summary extended with the page's runtimeInfo(), crossOriginIsolated, the user agent and Chromium's version.
 */
export async function runPage(url, options, { chromium: executablePath, label, timeoutMs }) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${url}?options=${encodeURIComponent(JSON.stringify(options))}`);
    const deadline = Date.now() + timeoutMs;
    for (let seen = 0; ; ) {
      const log = await page.evaluate((from) => globalThis.benchLog?.slice(from) ?? [], seen);
      seen += log.length;
      for (const m of log) {
        if (m.type === 'row') process.stderr.write(`${label}: ${m.row.cell} ${m.row.hidden}: train ${fmtRate(m.row.trainTokensPerSec)} tok/s, generate ${fmtRate(m.row.generateCharsPerSec)} chars/s, sgemm 1 thread ${fmtNum(m.row.sgemmGflops1Thread)} GFLOP/s, ${m.row.threads} thread(s)\n`);
        if (m.type === 'error') throw new Error(`${label}: the page's bench failed: ${m.message}`);
        if (m.type === 'done') {
          const summary = { ...m.summary, runtime: m.runtime, crossOriginIsolated: m.crossOriginIsolated, userAgent: m.userAgent, chromium: browser.version() };
          return { rows: m.rows, summary };
        }
      }
      if (errors.length > 0) throw new Error(`${label}: page error: ${errors.join('; ')}`);
      if (Date.now() > deadline) throw new Error(`${label}: no result within ${timeoutMs / 1000} s (${seen} message(s) so far)`);
      await sleep(250);
    }
  } finally {
    await browser.close();
  }
}

async function main() {
  const opts = parseFlags(process.argv.slice(2), {
    cells: 'lstm,gru', hidden: '128,256,512,1024', threads: Math.min(availableParallelism(), 16), seconds: 2, length: 500, rounds: 3,
    idle: 0.85, idleSampleMs: 5000, records: RECORDS_DIR, note: '', chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  });
  if (!existsSync(CLI)) throw new Error(`${CLI} not found: build first (npm run build)`);
  if (!existsSync(opts.chromium)) throw new Error(`no Chromium at ${opts.chromium} (--chromium or CHROMIUM_PATH names another)`);
  if (!(Number.isInteger(opts.rounds) && opts.rounds >= 1)) throw new Error('--rounds must be a positive integer');
  const cells = opts.cells.split(','), hidden = opts.hidden.split(',').map(Number);
  const pageOptions = { cells, hidden, threads: opts.threads, seconds: opts.seconds, length: opts.length };
  const nodeArgs = ['bench', '--json', '--cells', opts.cells, '--hidden', opts.hidden, '--threads', String(opts.threads), '--seconds', String(opts.seconds), '--length', String(opts.length)];
  const timeoutMs = 120_000 + 20_000 * cells.length * hidden.length * opts.seconds;

  const outDir = mkdtempSync(join(tmpdir(), 'lstm-ts-bench-page-'));
  const servers = [];
  try {
    process.stderr.write('building the bench page (bench/browser) with Vite\n');
    const warnings = await buildBenchPage(outDir);
    for (const w of warnings) process.stderr.write(`vite warning: ${w}\n`);
    const isolated = await serveBenchPage(outDir, true);
    servers.push(isolated);
    const open = await serveBenchPage(outDir, false);
    servers.push(open);
    const sides = {
      node: () => runJsonLines(process.execPath, [CLI, ...nodeArgs]),
      'page-isolated': () => runPage(isolated.url, pageOptions, { chromium: opts.chromium, label: 'page, isolated', timeoutMs }),
      'page-not-isolated': () => runPage(open.url, pageOptions, { chromium: opts.chromium, label: 'page, not isolated', timeoutMs }),
    };
    const { loads, rounds, summaries } = await takeTurns(sides, opts, () => KEEP);
    loads.push(loadNow('end'));
    const reduced = Object.fromEntries(SIDES.map((side) => [side, reduceRounds(rounds[side], FIELDS['lstm-ts'])]));

    const medians = Object.fromEntries(SIDES.map((side) => [side, reduced[side].medians]));
    const page = summaries['page-isolated'][0];
    const out = [];
    const say = (line = '') => out.push(line);
    say(`Chromium ${page.chromium} (${page.userAgent}); Node ${summaries.node[0].node}; medians of ${opts.rounds} alternating round(s), ${opts.seconds} s per row`);
    for (const side of SIDES) {
      const s = summaries[side][0];
      const why = s.runtime === undefined ? '' : ` (${s.runtime.threadsReason}; crossOriginIsolated ${s.crossOriginIsolated})`;
      say(`${side}: ${s.threads} thread(s)${why}, SIMD peak ${fmtNum(s.simdPeakGflops)} GFLOP/s per thread`);
    }
    say();
    // The same table the README gets from the record (bench/tables.mjs), so the two never differ.
    say(browserTable({ medians, summaries }));
    say(browserTiles({ summaries }));

    if (opts.records !== '') {
      const settings = { cells, hidden, threads: opts.threads, seconds: opts.seconds, length: opts.length, rounds: opts.rounds, batch: 32, steps: 35, vocab: 28 };
      const bests = Object.fromEntries(SIDES.map((side) => [side, reduced[side].bests]));
      const file = writeRecord('browser', { chromium: page.chromium, userAgent: page.userAgent, viteWarnings: warnings, settings, summaries, loads, rounds, medians, bests }, { dir: opts.records, note: opts.note === '' ? null : opts.note });
      say();
      say(`record: ${file.replace(ROOT + '/', '')} (node bench/tables.mjs --write puts the README's tables in step with the records)`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    for (const s of servers) await s.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    process.stderr.write(`bench/browser: error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}

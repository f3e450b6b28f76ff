// bench/browser.mjs, the page path of `lstm bench` (issue #15), in a tiny run: the bench page builds with Vite
// without a warning (nothing it reaches imports node:*), its Web Worker runs a row in Chromium served with COOP/COEP
// (threads on shared memory, as in Node) and without (one thread, and says why), Node's `lstm bench` takes its turn,
// and the record names Chromium, the machine and the load, with medians the browser table shows.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumAvailable, CHROMIUM } from './helpers/browser.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const records = mkdtempSync(join(tmpdir(), 'lstm-ts-bench-browser-'));
after(() => rmSync(records, { recursive: true, force: true }));

if (!chromiumAvailable() && process.env.CI) throw new Error(`CI needs Chromium at ${CHROMIUM}; .ci/run installs it`);

/** The script as a user runs it, without blocking this process (its servers answer Chromium meanwhile). */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bench/browser.mjs', ...args], { cwd: ROOT, env: { ...process.env, CHROMIUM_PATH: CHROMIUM } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

type Row = Record<string, number | string | null>;
type Summary = Record<string, unknown> & { runtime?: Record<string, unknown> };

test('a tiny run in Chromium, cross-origin isolated and not, beside Node, into a browser record', { skip: chromiumAvailable() ? false : `no Chromium at ${CHROMIUM}`, timeout: 240_000 }, async () => {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is not built: run `npm run build` (npm test does)');
  const r = await run(['--cells', 'lstm', '--hidden', '16', '--seconds', '0.1', '--length', '20', '--rounds', '1', '--idle', '0', '--idle-sample-ms', '200', '--records', records]);
  assert.equal(r.code, 0, r.stderr);
  const files = readdirSync(records);
  assert.equal(files.length, 1, files.join(', '));
  const record = JSON.parse(readFileSync(join(records, files[0]!), 'utf8'));
  assert.equal(record.kind, 'browser');
  assert.deepEqual(record.viteWarnings, [], 'the page builds without a warning: no node:* module reached, nothing externalized');
  assert.match(record.chromium, /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(typeof record.machine.cpu, 'string');
  assert.ok(record.loads.some((l: { when: string }) => l.when === 'before page-isolated round 1'));

  const [isolated, open, node] = (['page-isolated', 'page-not-isolated', 'node'] as const).map((side) => record.summaries[side][0] as Summary);
  // With COOP/COEP the worker's kernels share memory with nested workers; without, one thread and the reason.
  assert.equal(isolated!.crossOriginIsolated, true);
  assert.equal(isolated!.runtime!.sharedMemory, true);
  assert.equal(isolated!.runtime!.threads, Math.min(isolated!.cores as number, 16));
  if ((isolated!.runtime!.threads as number) > 1) assert.equal(isolated!.simdPeakMeasuredTogether, true, 'the SIMD peak ran on Web Workers at once');
  assert.equal(open!.crossOriginIsolated, false);
  assert.equal(open!.runtime!.threads, 1);
  assert.match(open!.runtime!.threadsReason as string, /not cross-origin isolated/);
  // What only Node has is null in a page, not a made-up number.
  for (const page of [isolated!, open!]) assert.deepEqual([page.node, page.maxRssMB, page.loadStart, page.loadEnd], [null, null, null, null]);
  assert.match(node!.node as string, /^v\d+\./);
  assert.ok((node!.maxRssMB as number) > 0);

  for (const side of ['node', 'page-isolated', 'page-not-isolated']) {
    const [row] = record.rounds[side][0] as Row[];
    assert.deepEqual([row!.cell, row!.hidden, row!.engine, row!.backend], ['lstm', 16, 'fused', 'wasm'], side);
    for (const k of ['trainTokensPerSec', 'generateCharsPerSec', 'sgemmGflops1Thread', 'simdPeakGflops']) assert.ok((row![k] as number) > 0, `${side} ${k}: ${row![k]}`);
    assert.ok(Math.abs((row!.lastLoss as number) - Math.log(28)) < 0.5, `${side}: random tokens give a loss near ln 28, got ${row!.lastLoss}`);
    assert.equal(record.medians[side][0].trainTokensPerSec, row!.trainTokensPerSec, 'one round: its numbers are the medians');
  }
  assert.equal(record.rounds['page-not-isolated'][0][0].threads, 1);
  assert.match(r.stdout, /^\| LSTM \| 16 \| [\d,]+ \| [\d,]+ \([\d.]+x\) \| [\d,]+ \([\d.]+x\) \|/m, r.stdout);
});

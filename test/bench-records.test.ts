// Benchmark records and the README tables made from them (bench/records.mjs, bench/tables.mjs): the README's tables
// are exactly what the committed records give (a stale table fails here); on a fixture record (a short real run,
// kept in test/fixtures/bench) the tables show medians of the rounds, the ratio against PyTorch's faster input and
// ONNX Runtime's faster thread count, and name the CPU, the command, the commit and the load; the browser table
// (bench/browser.mjs) shows each serving of the page beside Node; one section per CPU, newest first, from its newest
// record; a record written now carries what makes it checkable later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = join(root, 'test', 'fixtures', 'bench');
// The bench scripts are plain ESM JavaScript (run with node, no build): loaded untyped.
const load = (file: string): Promise<any> => import(String(new URL(`../bench/${file}`, import.meta.url))); // eslint-disable-line @typescript-eslint/no-explicit-any

test("the README's speed and memory tables are the ones the committed records give", () => {
  const run = spawnSync(process.execPath, ['bench/tables.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
});

test('a README whose table no longer matches the records fails the check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lstm-tables-'));
  try {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    assert.match(readme, /\| LSTM \| 256 \| 48,000 \| 29,000 \| 1\.65x \|/);
    writeFileSync(join(dir, 'README.md'), readme.replace('| LSTM | 256 | 48,000 |', '| LSTM | 256 | 58,000 |'));
    const run = spawnSync(process.execPath, ['bench/tables.mjs', '--check', '--readme', join(dir, 'README.md')], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /not the ones the records give; run node bench\/tables\.mjs --write/);
    spawnSync(process.execPath, ['bench/tables.mjs', '--write', '--readme', join(dir, 'README.md')], { cwd: root });
    assert.equal(readFileSync(join(dir, 'README.md'), 'utf8'), readme, '--write puts the records\' numbers back');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tables from a real record: medians of its rounds, ratios against the faster PyTorch input and ONNX thread count', async () => {
  const { loadRecords, renderTables } = await load('tables.mjs');
  const { median } = await load('common.mjs');
  const records = loadRecords(fixtures);
  const record = records.find((r: { kind: string }) => r.kind === 'compare-torch');
  const block: string = renderTables(records);
  // The median over the record's own rounds, recomputed here, is the number shown.
  const perRound = (side: string, cell: string, field: string) => record.rounds[side].map((rows: Array<Record<string, number | string>>) => rows.find((r) => r.cell === cell)![field]);
  const fmt = (v: number) => Math.round(v).toLocaleString('en-US', { maximumSignificantDigits: 3 });
  const ours = median(perRound('lstm-ts', 'gru', 'trainTokensPerSec'));
  const onehot = median(perRound('pytorch', 'gru', 'trainTokensPerSec'));
  const gather = median(perRound('pytorch', 'gru', 'trainTokensPerSecEmbedding'));
  const torch = Math.max(onehot, gather);
  const ortRates = [1, 2].map((t) => median(record.rounds.onnxruntime.map((rows: Array<Record<string, number | string>>) => rows.find((r) => r.cell === 'gru' && r.threads === t)!.generateCharsPerSec)));
  const line = block.split('\n').find((l) => l.startsWith('| GRU | 32 |'))!;
  const cells = line.split('|').map((c) => c.trim());
  assert.equal(cells[3], fmt(ours));
  assert.equal(cells[4], fmt(torch) + (gather > onehot ? ' (gather)' : ''));
  assert.equal(cells[5], `${(ours / torch).toFixed(2)}x`);
  const ortBest = Math.max(...ortRates);
  assert.equal(cells[10], `${fmt(ortBest)} (${ortRates.indexOf(ortBest) + 1} thread${ortBest === ortRates[0] ? '' : 's'})`);
  // The CPU, the command, the commit and the load are named; the memory table and the flat-memory run are there.
  assert.match(block, /\*\*Intel\(R\) Xeon\(R\) Processor\*\* \(GenuineIntel family 6 model 167, AVX-512[^)]*\), 2 cores, KVM guest\)/);
  assert.match(block, /`node bench\/compare-torch\.mjs --cells lstm,gru [^`]*` at commit 2ac9843f47b3 \(with uncommitted changes\), 2026-12-02 06:38 UTC; medians of 2 alternating rounds; 1-minute load average 13\.80-14\.99 before the runs/);
  assert.match(block, /\| LSTM 32 \| 74 MiB \| 248 MiB \| 0\.30 \|/);
  assert.match(block, /\| LSTM 32, 2 epochs \| 84\.4 MiB \| 84\.3 MiB \| -0\.1 MiB \| 117\.1 MiB \|/);
});

test("the browser table: each serving's medians over its rounds and its share of Node's; Chromium, threads and tiles named", async () => {
  const { loadRecords, renderTables } = await load('tables.mjs');
  const { median } = await load('common.mjs');
  const records = loadRecords(fixtures);
  const record = records.find((r: { kind: string }) => r.kind === 'browser');
  const block: string = renderTables(records);
  const section = block.slice(block.indexOf('In a page: '));
  assert.match(section, new RegExp(`^In a page: Chromium ${record.chromium.replaceAll('.', '\\.')}, the rows run in a Web Worker of a page served with COOP/COEP`));
  assert.match(section, /`node bench\/browser\.mjs --cells lstm,gru [^`]*` at commit [0-9a-f]{12}[^;]*; medians of 2 alternating rounds; 1-minute load average [\d.]+-[\d.]+ before the runs/);
  const perRound = (side: string, cell: string, hidden: number, field: string) =>
    median(record.rounds[side].map((rows: Array<Record<string, number | string>>) => rows.find((r) => r.cell === cell && r.hidden === hidden)![field]));
  const fmt = (v: number) => Math.round(v).toLocaleString('en-US', { maximumSignificantDigits: 3 });
  const lines = section.split('\n');
  const head = lines.find((l) => l.startsWith('| cell |'))!.split('|').map((c) => c.trim());
  assert.deepEqual(head.slice(3, 6), ['train Node (2 threads)', 'page, isolated (2 threads)', 'page, not isolated (1 thread)']);
  for (const [cell, hidden] of [['gru', 128], ['lstm', 32]] as const) {
    const cells = lines.find((l) => l.startsWith(`| ${cell.toUpperCase()} | ${hidden} |`))!.split('|').map((c) => c.trim());
    const node = perRound('node', cell, hidden, 'trainTokensPerSec');
    const isolated = perRound('page-isolated', cell, hidden, 'trainTokensPerSec');
    const open = perRound('page-not-isolated', cell, hidden, 'generateCharsPerSec');
    const nodeGen = perRound('node', cell, hidden, 'generateCharsPerSec');
    const gf = perRound('page-isolated', cell, hidden, 'sgemmGflops1Thread'), nodeGf = perRound('node', cell, hidden, 'sgemmGflops1Thread');
    assert.equal(cells[3], fmt(node));
    assert.equal(cells[4], `${fmt(isolated)} (${(isolated / node).toFixed(2)}x)`);
    assert.equal(cells[8], `${fmt(open)} (${(open / nodeGen).toFixed(2)}x)`);
    assert.equal(cells[10], `${gf.toFixed(1)} (${(gf / nodeGf).toFixed(2)}x)`);
  }
  const tiles = (side: string) => [...new Set(record.summaries[side].map((s: { gemm: { tile: string; rowTile: string } }) => `${s.gemm.tile},${s.gemm.rowTile}`))].join(' / ');
  assert.ok(section.includes(`sgemm register tiles timed at start-up: Node ${tiles('node')}; page, isolated ${tiles('page-isolated')}; page, not isolated ${tiles('page-not-isolated')}.`));
});

test('the task models\' table from a real record: medians of the rounds, the ratio against PyTorch\'s faster form, memory', async () => {
  const { loadRecords, renderTables } = await load('tables.mjs');
  const { median } = await load('common.mjs');
  const record = loadRecords(fixtures).find((r: { kind: string }) => r.kind === 'compare-tasks');
  const block: string = renderTables(loadRecords(fixtures));
  const perRound = (task: string, side: string, field: string) => record.rounds[task][side].map((rows: Array<Record<string, number>>) => rows[0]![field]);
  const ours = median(perRound('classify', 'lstm-ts', 'trainStepsPerSec'));
  const packed = median(perRound('classify', 'pytorch', 'trainStepsPerSecPacked'));
  const unpacked = median(perRound('classify', 'pytorch', 'trainStepsPerSecUnpacked'));
  const faster = Math.max(packed, unpacked);
  const line = block.split('\n').find((l) => l.startsWith('| classify | 128 |'))!;
  const cells = line.split('|').map((c) => c.trim());
  assert.equal(cells[3], ours.toFixed(1));
  assert.equal(cells[4], `${faster.toFixed(1)} (${faster === packed ? 'packed' : 'unpacked'})`);
  assert.equal(cells[5], `${(ours / faster).toFixed(2)}x`);
  assert.equal(cells[6], '1.5x');
  const memory = record.memory.classify;
  assert.equal(memory.pytorchMB, Math.min(...memory.pytorchByForm.map((f: { mb: number }) => f.mb)), "PyTorch's smaller form is the one compared");
  assert.ok(block.includes(`| classify | ${memory.lstmTsMB.toFixed(0)} MiB | ${memory.pytorchMB.toFixed(0)} MiB (${memory.pytorchForm}) |`));
  assert.match(block, /The task models \(forecast: 4 features, window 64, batch 64, MSE; classify: [^)]*\), training steps per second against PyTorch; `node bench\/compare-torch\.mjs --task forecast,classify/);
});

test('one section per CPU, newest first, each from its newest record of a kind', async () => {
  const { loadRecords, renderTables } = await load('tables.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'lstm-records-'));
  try {
    for (const f of readdirSync(fixtures)) copyFileSync(join(fixtures, f), join(dir, f));
    const base = JSON.parse(readFileSync(join(dir, readdirSync(dir).find((f) => f.includes('compare-torch'))!), 'utf8'));
    const other = { ...base, date: '2026-12-03T00:00:00.000Z', machine: { ...base.machine, cpu: 'Another CPU', simd: 'AVX2 + FMA' } };
    other.medians = { ...base.medians, 'lstm-ts': base.medians['lstm-ts'].map((r: Record<string, unknown>) => ({ ...r, trainTokensPerSec: 1000 })) };
    writeFileSync(join(dir, 'other.json'), JSON.stringify(other));
    const older = { ...other, date: '2026-12-01T00:00:00.000Z', medians: { ...other.medians, 'lstm-ts': other.medians['lstm-ts'].map((r: Record<string, unknown>) => ({ ...r, trainTokensPerSec: 2000 })) } };
    writeFileSync(join(dir, 'older.json'), JSON.stringify(older));
    const block: string = renderTables(loadRecords(dir));
    assert.ok(block.indexOf('**Another CPU**') < block.indexOf('**Intel(R) Xeon(R) Processor**'), 'the newest CPU first');
    assert.match(block, /\| LSTM \| 32 \| 1,000 \|/, 'the newest record of that CPU');
    assert.doesNotMatch(block, /\| LSTM \| 32 \| 2,000 \|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rounds reduce to medians and bests; SIMD named from the flags; a record names commit, date, machine and command', async () => {
  const { reduceRounds } = await load('common.mjs');
  const { simdSummary, writeRecord } = await load('records.mjs');
  const rounds = [3, 1, 2, 10].map((v) => [{ cell: 'lstm', hidden: 8, rate: v }]);
  assert.deepEqual(reduceRounds(rounds.slice(0, 3), ['rate']), { medians: [{ cell: 'lstm', hidden: 8, rate: 2 }], bests: [{ cell: 'lstm', hidden: 8, rate: 3 }] });
  assert.equal(reduceRounds(rounds, ['rate']).medians[0].rate, 2.5);
  assert.equal(simdSummary(['sse4_1', 'avx', 'avx2', 'fma']), 'AVX2 + FMA');
  assert.equal(simdSummary(['avx2', 'avx512f']), 'AVX-512');
  assert.equal(simdSummary(['asimd']), 'NEON');
  const dir = mkdtempSync(join(tmpdir(), 'lstm-record-'));
  try {
    const file: string = writeRecord('compare-torch', { medians: {} }, { dir, note: 'test' });
    const r = JSON.parse(readFileSync(file, 'utf8'));
    assert.match(r.commit, /^[0-9a-f]{12}$/);
    assert.ok(!Number.isNaN(Date.parse(r.date)));
    assert.equal(typeof r.machine.cpu, 'string');
    assert.ok(r.machine.cores >= 1);
    assert.match(r.command, /^node /);
    assert.equal(r.note, 'test');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

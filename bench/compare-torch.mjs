#!/usr/bin/env node
// lstm-ts against PyTorch and onnxruntime-node on the d2l setting, in one run: `lstm bench --json`,
// bench/torch_bench.py --json (Debian's /usr/bin/python3 with python3-torch and OpenBLAS, OMP_WAIT_POLICY=PASSIVE,
// torch.set_num_threads; two input variants: the book's one-hot and an embedding gather) and bench/onnx_generate.mjs
// (the ONNX export run one character at a time, the native anchor for generation) take turns, never at once, for
// --rounds rounds (the order reversed every other round), on the same cells, hidden sizes, threads and seconds.
// Then a short training-only run of each side at a few sizes for peak resident memory. Every number reported is
// the median of the rounds (the bests are in the record); PyTorch's training rate is the faster of its two inputs,
// ONNX Runtime's generation rate the faster of its thread counts. Prints both sides, the ratios, each target of
// issue #15 as met or missed, and writes a JSON record into bench/records/ (see records.mjs), from which
// bench/tables.mjs writes the README's tables.
// With --task forecast,classify it compares the task models of issue #16 instead (bench/compare-tasks.mjs).
// Usage (after `npx tsc -p tsconfig.build.json`):
//   node bench/compare-torch.mjs [--cells lstm,gru,rnn] [--hidden 128,256,512,1024] [--threads 2] [--seconds 2]
//     [--length 500] [--memory-hidden 256,1024] [--rounds 3] [--idle 0.85] [--python /usr/bin/python3]
//     [--inputs onehot,embedding] [--onnx-threads 1,2] [--records bench/records] [--note text]
// Before each run it waits (up to 15 minutes) until the CPUs were at least --idle idle over 5 s (0: don't wait);
// the load averages before and after every run go into the record. --onnx-threads '' skips onnxruntime;
// --records '' writes no record.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI, ROOT, fmtLoad, fmtNum, fmtRate, fmtRatio, idleFraction, key, markdown, parseFlags, ratio, reduceRounds, runJsonLines, table, verdict } from './common.mjs';
import { RECORDS_DIR, loadNow, takeTurns, writeRecord } from './records.mjs';

/** Issue #15's training targets: lstm-ts tokens/s at least this many times PyTorch's faster input, LSTM and GRU. */
export const TRAIN_TARGETS = { 128: 2.5, 256: 1.5, 512: 1.3, 1024: 1.3 };

/** Per-round numbers each side keeps in the record (all rates or fractions: medians and bests make sense). */
export const FIELDS = {
  'lstm-ts': ['trainTokensPerSec', 'generateCharsPerSec', 'sgemmGflops', 'sgemmGflops1Thread', 'trainGflops', 'peakFraction', 'simdPeakGflops', 'simdPeakGflopsAllThreads', 'sgemmPeakFraction1Thread', 'sgemmThreadSpeedup'],
  pytorch: ['trainTokensPerSec', 'trainTokensPerSecEmbedding', 'generateCharsPerSec', 'generateCharsPerSecEmbedding', 'sgemmGflops', 'sgemmGflops1Thread', 'trainGflops', 'trainGflopsEmbedding'],
  onnxruntime: ['generateCharsPerSec'],
};

const onnxKey = (r) => `${r.cell}/${r.hidden}/${r.threads}`;

/** PyTorch's faster input variant for training (and generation), per row of medians. */
export function fasterTorch(row) {
  const train = Math.max(row.trainTokensPerSec ?? 0, row.trainTokensPerSecEmbedding ?? 0) || null;
  const generate = Math.max(row.generateCharsPerSec ?? 0, row.generateCharsPerSecEmbedding ?? 0) || null;
  return { train, generate, trainInput: (row.trainTokensPerSecEmbedding ?? 0) > (row.trainTokensPerSec ?? 0) ? 'embedding' : 'onehot' };
}

/** ONNX Runtime's faster thread count for generation, per (cell, hidden), from rows of medians. */
export function fasterOnnx(rows, cell, hidden) {
  const mine = rows.filter((r) => r.cell === cell && r.hidden === hidden && typeof r.generateCharsPerSec === 'number');
  if (mine.length === 0) return null;
  return mine.reduce((a, b) => (b.generateCharsPerSec > a.generateCharsPerSec ? b : a));
}

async function main() {
  const task = process.argv.indexOf('--task');
  if (task >= 0 && process.argv[task + 1] !== 'lm') return (await import('./compare-tasks.mjs')).main(process.argv.slice(2));
  const opts = parseFlags(process.argv.slice(2).filter((a, i, all) => a !== '--task' && all[i - 1] !== '--task'), {
    cells: 'lstm,gru,rnn', hidden: '128,256,512,1024', threads: 2, seconds: 2, length: 500, memoryHidden: '256,1024', rounds: 3,
    idle: 0.85, python: '/usr/bin/python3', inputs: 'onehot,embedding', onnxThreads: '1,2', records: RECORDS_DIR, note: '',
  });
  if (!existsSync(CLI)) throw new Error(`${CLI} not found: build first (npx tsc -p tsconfig.build.json)`);
  if (!(Number.isInteger(opts.rounds) && opts.rounds >= 1)) throw new Error('--rounds must be a positive integer');
  const common = ['--json', '--cells', opts.cells, '--hidden', opts.hidden, '--threads', String(opts.threads), '--seconds', String(opts.seconds), '--length', String(opts.length)];
  const torchScript = join(ROOT, 'bench', 'torch_bench.py');
  const torchEnv = { OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' };
  const sides = {
    'lstm-ts': () => runJsonLines(process.execPath, [CLI, 'bench', ...common]),
    pytorch: () => runJsonLines(opts.python, [torchScript, ...common, '--inputs', opts.inputs], { env: torchEnv }),
  };
  if (opts.onnxThreads !== '') {
    const onnxArgs = ['--json', '--cells', opts.cells, '--hidden', opts.hidden, '--threads', opts.onnxThreads, '--seconds', String(opts.seconds), '--length', String(opts.length)];
    sides.onnxruntime = () => runJsonLines(process.execPath, [join(ROOT, 'bench', 'onnx_generate.mjs'), ...onnxArgs]);
  }

  const { loads, rounds, summaries } = await takeTurns(sides, opts, (side) => [...FIELDS[side], 'gemmTile', 'gemmRowTile', 'sameTextAsLstmTs']);
  const reduced = Object.fromEntries(Object.entries(rounds).map(([side, rs]) => [side, reduceRounds(rs, FIELDS[side], side === 'onnxruntime' ? onnxKey : key)]));

  // Peak resident memory while training: a fresh process per side and size, training only.
  const memory = [];
  for (const H of opts.memoryHidden.split(',').filter((s) => s !== '')) {
    const args = ['--json', '--parts', 'train', '--cells', 'lstm', '--hidden', H, '--threads', String(opts.threads), '--seconds', String(Math.min(opts.seconds, 1))];
    loads.push(loadNow(`before memory ${H}`));
    const a = await runJsonLines(process.execPath, [CLI, 'bench', ...args]);
    const b = await runJsonLines(opts.python, [torchScript, ...args, '--inputs', 'onehot'], { env: torchEnv });
    memory.push({ cell: 'lstm', hidden: Number(H), lstmTsMB: a.summary.maxRssMB, pytorchMB: b.summary.maxRssMB });
  }
  loads.push(loadNow('end', await idleFraction()));

  const ours = reduced['lstm-ts'].medians;
  const torchBy = new Map(reduced.pytorch.medians.map((r) => [key(r), r]));
  const onnx = reduced.onnxruntime?.medians ?? [];
  const s = summaries['lstm-ts'][0];
  const out = [];
  const say = (line = '') => out.push(line);
  say(`lstm-ts: ${s.node}, ${s.threads} thread(s), 128-bit SIMD peak ${fmtNum(s.simdPeakGflops)} GFLOP/s per thread; sgemm tile ${s.gemm?.tile ?? '-'} / row tile ${s.gemm?.rowTile ?? '-'} (${s.gemm?.how ?? '-'})`);
  const t = summaries.pytorch[0];
  say(`PyTorch: ${t.torch}, python ${t.python}, ${t.threads} thread(s), OMP_WAIT_POLICY=${t.ompWaitPolicy}; inputs ${opts.inputs}`);
  if (sides.onnxruntime) say(`onnxruntime-node ${summaries.onnxruntime[0].onnxruntime}, intra-op threads ${opts.onnxThreads}`);
  say(`setting: d2l (one-hot over 28 tokens, batch 32 x 35 steps, 1 layer, SGD lr 1, clip 1, sequential minibatches), ${opts.seconds} s per row; medians of ${opts.rounds} alternating round(s)`);
  say(`1-minute load average (and CPU idle over 5 s) before each run: ${loads.filter((l) => l.when.startsWith('before') && l.when.includes('round')).map((l) => fmtLoad({ load: l.load1, idle: l.idle ?? null })).join(', ')}`);
  say();

  const head = ['cell', 'hidden', 'train tok/s lstm-ts', 'PyTorch', 'ratio', 'of SIMD peak', 'gen chars/s lstm-ts', 'PyTorch', 'ratio', 'ONNX RT', 'ratio', 'sgemm 1T GF/s', 'NT/1T'];
  const rows = ours.map((r) => {
    const torch = fasterTorch(torchBy.get(key(r)) ?? {});
    const ort = fasterOnnx(onnx, r.cell, r.hidden);
    return [
      r.cell, r.hidden,
      fmtRate(r.trainTokensPerSec), fmtRate(torch.train) + (torch.trainInput === 'embedding' ? ' (gather)' : ''), fmtRatio(ratio(r.trainTokensPerSec, torch.train)),
      r.peakFraction === null ? '-' : `${(100 * r.peakFraction).toFixed(0)}%`,
      fmtRate(r.generateCharsPerSec), fmtRate(torch.generate), fmtRatio(ratio(r.generateCharsPerSec, torch.generate)),
      ort === null ? '-' : `${fmtRate(ort.generateCharsPerSec)} (${ort.threads}T)`, fmtRatio(ratio(r.generateCharsPerSec, ort?.generateCharsPerSec)),
      fmtNum(r.sgemmGflops1Thread), fmtRatio(r.sgemmThreadSpeedup),
    ];
  });
  say(table(head, rows));
  say();

  say('targets (issue #15; medians of the rounds):');
  const targets = [];
  const addTarget = (what, v) => {
    targets.push({ what, ...v });
    say(`  ${v.met ? '[x]' : '[ ]'} ${what}: ${v.text}`);
  };
  for (const r of ours) {
    const want = TRAIN_TARGETS[r.hidden];
    const torch = fasterTorch(torchBy.get(key(r)) ?? {});
    if (r.cell === 'rnn' || want === undefined || torch.train === null) continue;
    addTarget(`training ${r.cell.toUpperCase()} hidden ${r.hidden} vs PyTorch's faster input (${torch.trainInput})`, verdict(ratio(r.trainTokensPerSec, torch.train), want));
  }
  for (const r of ours.filter((x) => x.hidden === 256)) {
    const ort = fasterOnnx(onnx, r.cell, r.hidden);
    if (ort !== null) addTarget(`generation ${r.cell.toUpperCase()} hidden 256 vs onnxruntime-node (${ort.threads} thread(s), its faster)`, verdict(ratio(r.generateCharsPerSec, ort.generateCharsPerSec), 3));
  }
  const mm = ours.find((r) => r.cell === 'lstm' && r.hidden === 256);
  if (mm !== undefined && typeof mm.sgemmGflops1Thread === 'number') {
    addTarget(`sgemm 32x256 by 256x1024, 1 thread, of the measured 128-bit SIMD peak (${fmtNum(mm.sgemmGflops1Thread)} of ${fmtNum(mm.simdPeakGflops)} GFLOP/s)`, verdict(mm.sgemmPeakFraction1Thread, 0.8, { unit: '%' }));
    addTarget(`sgemm 32x256 by 256x1024, ${opts.threads} threads vs 1`, verdict(mm.sgemmThreadSpeedup, 1.8));
  }
  for (const m of memory) {
    addTarget(`peak resident memory training LSTM ${m.hidden} (${fmtNum(m.lstmTsMB, 0)} MiB vs PyTorch ${fmtNum(m.pytorchMB, 0)} MiB), as a fraction of PyTorch's`, verdict(m.lstmTsMB / m.pytorchMB, 1 / 3, { lower: true, unit: 'ratio' }));
  }
  say();
  say('markdown:');
  say();
  say(markdown(head, rows));
  say();
  say(markdown(['target', 'result'], targets.map((x) => [x.what, x.text])));

  if (opts.records !== '') {
    const settings = { cells: opts.cells.split(','), hidden: opts.hidden.split(',').map(Number), threads: opts.threads, seconds: opts.seconds, length: opts.length, rounds: opts.rounds, inputs: opts.inputs.split(','), onnxThreads: opts.onnxThreads === '' ? [] : opts.onnxThreads.split(',').map(Number), batch: 32, steps: 35, vocab: 28 };
    const file = writeRecord('compare-torch', { settings, summaries, loads, rounds, medians: Object.fromEntries(Object.entries(reduced).map(([k, v]) => [k, v.medians])), bests: Object.fromEntries(Object.entries(reduced).map(([k, v]) => [k, v.bests])), memory, targets }, { dir: opts.records, note: opts.note === '' ? null : opts.note });
    say();
    say(`record: ${file.replace(ROOT + '/', '')} (node bench/tables.mjs --write puts the README's tables in step with the records)`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    process.stderr.write(`compare-torch: error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}

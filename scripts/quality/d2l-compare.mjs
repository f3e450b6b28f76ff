#!/usr/bin/env node
// lstm-ts' quality bar against Dive into Deep Learning (ch. 8.5 / 9.2, the "concise" LSTM) and PyTorch's nn.LSTM.
//
//   node scripts/quality/d2l-compare.mjs [--epochs 500] [--whole-epochs 5] [--quick] [--torch-reference FILE]
//
// With --torch-reference the PyTorch side is not run but read from a committed curve that d2l_torch.py wrote
// (--json output), so CI needs no PyTorch for it: `--quick --torch-reference scripts/quality/torch-reference-quick.jsonl`
// is what test/quality-d2l.test.ts runs on every CI run.
//
// Runs, one after the other (never in parallel, so the timings are fair):
//   1. lstm-ts:  node dist/cli/main.js train --preset d2l --data <timemachine.txt> --json ...      (10,000 tokens)
//   2. PyTorch:  /usr/bin/python3 scripts/quality/d2l_torch.py --max-tokens 10000 --json ...      (same setting)
//   3. lstm-ts and 4. PyTorch again on the whole corpus (--max-tokens 0) for --whole-epochs epochs.
// Prints both perplexity curves side by side, the wall time and training tokens/s of each, a verdict, and a
// markdown table for the README; writes everything as JSON to scripts/quality/last-run.json.
//
// The bar (exit 0 when met, 1 otherwise):
//   - the final lstm-ts training perplexity is <= 1.1 (d2l reports 1.0-1.1), judged by the MEDIAN of the last 10
//     epochs, because SGD at lr 1 spikes now and then (PyTorch's run does too);
//   - at every 50-epoch checkpoint, lstm-ts' perplexity is <= 1.05 x PyTorch's (or below), both taken as the
//     median over the epochs within +-5 of the checkpoint (clipped to the run);
//   - on the whole corpus, lstm-ts' perplexity is <= 1.05 x PyTorch's at every epoch (each epoch is ~150
//     minibatches there, so single epochs are already smooth; no window).
// Needs the CLI built (npx tsc -p tsconfig.build.json) and Debian's python3-torch.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { f3, fRate, fRatio, fSec, markdown, pad } from './d2l-table.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');

const USAGE = `usage: node scripts/quality/d2l-compare.mjs [options]

  --epochs <n>        epochs of the d2l run (10,000 tokens)            default 500
  --whole-epochs <n>  epochs of the whole-corpus run (0 = skip it)     default 5
  --quick             smoke run: 20 epochs, checkpoints every 5, no whole-corpus run, no perplexity target
  --data <file>       The Time Machine                                 default ../shared/data/timemachine.txt (from the repo root)
  --seed <n>          seed of both runs                                default 0
  --every <n>         checkpoint spacing of the curve                  default 50
  --window <n>        median window: +-n epochs around a checkpoint    default 5
  --last <n>          the final perplexity is the median of the last n epochs   default 10
  --target <p>        final perplexity bar                             default 1.1
  --tolerance <r>     lstm-ts / PyTorch ratio bar                      default 1.05
  --two-sided         also require ratio >= 1/tolerance (a regression check: the curve must not move)
  --torch-reference <file>  read the PyTorch curve from this d2l_torch.py --json output instead of running it
  --lstm-args <args>  extra flags for lstm train (--lstm-args="--lr 0.5": shows the bar fails when training is off)
  --python <path>     Python with torch                                default /usr/bin/python3
  --cli <path>        lstm-ts CLI                                      default dist/cli/main.js
  --json-out <file>   where to write the results                       default scripts/quality/last-run.json
  --no-verbose        do not echo progress to stderr
  -h, --help`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      epochs: { type: 'string' },
      'whole-epochs': { type: 'string' },
      quick: { type: 'boolean', default: false },
      data: { type: 'string' },
      seed: { type: 'string', default: '0' },
      every: { type: 'string' },
      window: { type: 'string' },
      last: { type: 'string', default: '10' },
      target: { type: 'string', default: '1.1' },
      tolerance: { type: 'string', default: '1.05' },
      'two-sided': { type: 'boolean', default: false },
      python: { type: 'string', default: '/usr/bin/python3' },
      'torch-reference': { type: 'string' },
      'lstm-args': { type: 'string', default: '' },
      cli: { type: 'string', default: join(ROOT, 'dist', 'cli', 'main.js') },
      'json-out': { type: 'string', default: join(HERE, 'last-run.json') },
      'no-verbose': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name, value, min) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${value}`);
    return n;
  };
  const num = (name, value) => {
    const n = Number(value);
    if (!(n > 0)) throw new Error(`--${name} must be a positive number, got ${value}`);
    return n;
  };
  const quick = values.quick;
  return {
    quick,
    epochs: int('epochs', values.epochs ?? (quick ? 20 : 500), 1),
    wholeEpochs: int('whole-epochs', values['whole-epochs'] ?? (quick ? 0 : 5), 0),
    data: resolve(values.data ?? join(ROOT, '..', 'shared', 'data', 'timemachine.txt')),
    seed: int('seed', values.seed, 0),
    every: int('every', values.every ?? (quick ? 5 : 50), 1),
    window: int('window', values.window ?? (quick ? 2 : 5), 0),
    last: int('last', values.last, 1),
    target: num('target', values.target),
    tolerance: num('tolerance', values.tolerance),
    twoSided: values['two-sided'],
    python: values.python,
    torchReference: values['torch-reference'] === undefined ? null : resolve(values['torch-reference']),
    lstmArgs: values['lstm-args'].split(/\s+/).filter(Boolean),
    cli: resolve(values.cli),
    jsonOut: resolve(values['json-out']),
    verbose: !values['no-verbose'],
  };
}

// ---- running one side --------------------------------------------------------------------------------------

/**
 * Runs a command to completion, collecting the JSON lines of stdout: objects with `epoch` are the curve, the
 * `{"summary": ...}` line the summary. Lines that are not JSON are kept as `other` and otherwise skipped.
 */
function runSide(label, command, args, { verbose, every, totalEpochs }) {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const epochs = [];
    let summary = null;
    const other = [];
    let stderr = '';
    let buffer = '';
    const onLine = (line) => {
      const text = line.trim();
      if (text === '') return;
      let value;
      try {
        value = JSON.parse(text);
      } catch {
        other.push(text);
        return;
      }
      if (value !== null && typeof value === 'object' && 'summary' in value) {
        summary = value.summary;
      } else if (value !== null && typeof value === 'object' && Number.isFinite(value.epoch) && Number.isFinite(value.perplexity)) {
        epochs.push(value);
        if (verbose && (value.epoch % every === 0 || value.epoch === 1 || value.epoch === totalEpochs)) {
          const s = ((performance.now() - started) / 1000).toFixed(1);
          process.stderr.write(`  ${label}: epoch ${value.epoch}/${totalEpochs}  perplexity ${value.perplexity.toFixed(3)}  (${s} s)\n`);
        }
      } else {
        other.push(text);
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
    });
    const finish = (code, error) => {
      if (buffer !== '') onLine(buffer);
      buffer = '';
      const wallSeconds = (performance.now() - started) / 1000;
      epochs.sort((a, b) => a.epoch - b.epoch);
      resolvePromise({ label, command: [command, ...args], code, error, wallSeconds, epochs, summary, other, stderr });
    };
    child.on('error', (err) => finish(null, err.message));
    child.on('close', (code, signal) => finish(code, signal === null ? null : `killed by ${signal}`));
  });
}

function lstmArgs(opts, out, maxTokens, epochs) {
  const args = [opts.cli, 'train', '--preset', 'd2l', '--data', opts.data, '--json', '--out', out, '--epochs', String(epochs), '--seed', String(opts.seed)];
  // The preset's --max-tokens is 10000; pass it only when it differs, so the 10,000-token run is the bare preset.
  if (maxTokens !== 10000) args.push('--max-tokens', String(maxTokens));
  return ['node', [...args, ...opts.lstmArgs]];
}

function torchArgs(opts, maxTokens, epochs) {
  return [opts.python, [join(HERE, 'd2l_torch.py'), '--data', opts.data, '--max-tokens', String(maxTokens), '--epochs', String(epochs), '--seed', String(opts.seed), '--json']];
}

/** A PyTorch side read from a committed d2l_torch.py --json output instead of run (same shape as runSide's). */
function readReference(label, file) {
  const epochs = [];
  let summary = null;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const value = JSON.parse(line);
    if ('summary' in value) summary = value.summary;
    else if (Number.isFinite(value.epoch) && Number.isFinite(value.perplexity)) epochs.push(value);
  }
  epochs.sort((a, b) => a.epoch - b.epoch);
  const wallSeconds = summary?.wall_seconds ?? NaN;
  return { label, command: ['reference', relative(ROOT, file)], code: 0, error: null, wallSeconds, epochs, summary, other: [], stderr: '' };
}

// ---- statistics ------------------------------------------------------------------------------------------------

function median(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** A per-epoch value (perplexity by default) by epoch (1-based), NaN where missing. */
function curveOf(side, epochs, key = 'perplexity') {
  const curve = new Array(epochs + 1).fill(NaN);
  for (const e of side.epochs) if (e.epoch >= 1 && e.epoch <= epochs && Number.isFinite(e[key])) curve[e.epoch] = e[key];
  return curve;
}

function windowMedian(curve, epoch, window, epochs) {
  const values = [];
  for (let e = Math.max(1, epoch - window); e <= Math.min(epochs, epoch + window); e++) values.push(curve[e]);
  return median(values);
}

/** Training tokens/s over the run: the harmonic mean of the epochs' rates (exact when epochs have equal token counts). */
function tokensPerSec(side) {
  const s = side.summary;
  if (s && Number.isFinite(s.tokens_per_sec)) return s.tokens_per_sec;
  if (s && Number.isFinite(s.tokensPerSec)) return s.tokensPerSec;
  const rates = side.epochs.map((e) => e.tokensPerSec).filter((r) => Number.isFinite(r) && r > 0);
  if (rates.length === 0) return NaN;
  return rates.length / rates.reduce((acc, r) => acc + 1 / r, 0);
}

function sideInfo(side) {
  return {
    command: side.command.map((a) => (a.startsWith(ROOT) ? relative(ROOT, a) || '.' : a)).join(' '),
    exitCode: side.code,
    error: side.error ?? null,
    wallSeconds: side.wallSeconds,
    tokensPerSec: tokensPerSec(side),
    epochsReported: side.epochs.length,
    summary: side.summary,
    stderrTail: side.code === 0 ? undefined : side.stderr.slice(-2000),
  };
}

function sideOk(side, epochs) {
  if (side.code !== 0) return `exited with ${side.code ?? side.error}`;
  if (side.epochs.length < epochs) return `reported ${side.epochs.length} of ${epochs} epochs`;
  return null;
}

// ---- formatting -------------------------------------------------------------------------------------------------

function printCurve(title, rows, note) {
  console.log(`\n${title}`);
  if (note) console.log(note);
  console.log(`${pad('epoch', 6)} ${pad('lstm-ts', 9)} ${pad('PyTorch', 9)} ${pad('ratio', 7)}  ${pad('lstm-ts raw', 11)} ${pad('PyTorch raw', 11)}  ok`);
  for (const r of rows) {
    console.log(`${pad(r.epoch, 6)} ${pad(f3(r.lstm), 9)} ${pad(f3(r.torch), 9)} ${pad(fRatio(r.ratio), 7)}  ${pad(f3(r.lstmRaw), 11)} ${pad(f3(r.torchRaw), 11)}  ${r.ok ? 'yes' : 'NO'}`);
  }
}

// ---- main ---------------------------------------------------------------------------------------------------------

async function main() {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`d2l-compare: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (!existsSync(opts.data)) {
    console.error(`d2l-compare: no corpus at ${opts.data} (give --data)`);
    return 2;
  }
  if (!existsSync(opts.cli)) {
    console.error(`d2l-compare: the lstm-ts CLI is not built: ${opts.cli} is missing; run \`npx tsc -p tsconfig.build.json\` (or npm run build) first`);
    return 2;
  }
  const log = (text) => opts.verbose && process.stderr.write(`${text}\n`);
  // Other processes on the machine skew both sides' timings (not the perplexities): record the load around the runs.
  const loadBefore = loadavg()[0];
  let loadMax = loadBefore;
  const loadTimer = setInterval(() => (loadMax = Math.max(loadMax, loadavg()[0])), 5000);
  loadTimer.unref();
  const tmp = mkdtempSync(join(tmpdir(), 'lstm-d2l-'));
  const runOpts = (epochs) => ({ verbose: opts.verbose, every: opts.every, totalEpochs: epochs });
  const run = async (label, [command, args], epochs) => {
    log(`[${label}] ${[command, ...args].join(' ')}`);
    const side = await runSide(label, command, args, runOpts(epochs));
    log(`[${label}] exit ${side.code ?? side.error}, ${side.wallSeconds.toFixed(1)} s`);
    if (side.code !== 0) log(side.stderr.split('\n').slice(-15).join('\n'));
    return side;
  };

  let lstm10k, torch10k, lstmWhole = null, torchWhole = null;
  try {
    lstm10k = await run('lstm-ts d2l', lstmArgs(opts, join(tmp, 'd2l.safetensors'), 10000, opts.epochs), opts.epochs);
    torch10k = opts.torchReference !== null ? readReference('PyTorch d2l (reference)', opts.torchReference) : await run('PyTorch d2l', torchArgs(opts, 10000, opts.epochs), opts.epochs);
    if (opts.wholeEpochs > 0) {
      lstmWhole = await run('lstm-ts whole', lstmArgs(opts, join(tmp, 'whole.safetensors'), 0, opts.wholeEpochs), opts.wholeEpochs);
      torchWhole = await run('PyTorch whole', torchArgs(opts, 0, opts.wholeEpochs), opts.wholeEpochs);
    }
  } finally {
    clearInterval(loadTimer);
    rmSync(tmp, { recursive: true, force: true });
  }
  const busy = loadMax > cpus().length;

  const failures = [];
  // --- the d2l run: checkpoints and the final perplexity
  const E = opts.epochs;
  const lc = curveOf(lstm10k, E);
  const tc = curveOf(torch10k, E);
  const checkpoints = [];
  for (let e = opts.every; e <= E; e += opts.every) checkpoints.push(e);
  if (checkpoints[checkpoints.length - 1] !== E) checkpoints.push(E);
  // One-sided by default (lstm-ts may beat PyTorch); --two-sided also refuses a curve far below PyTorch's, which
  // for a regression check means the numbers moved (a changed loss or perplexity computation, say).
  const within = (ratio) => ratio <= opts.tolerance && (!opts.twoSided || ratio >= 1 / opts.tolerance);
  const rows = checkpoints.map((epoch) => {
    const lstm = windowMedian(lc, epoch, opts.window, E);
    const torch = windowMedian(tc, epoch, opts.window, E);
    const ratio = lstm / torch;
    return { epoch, lstm, torch, ratio, lstmRaw: lc[epoch], torchRaw: tc[epoch], ok: within(ratio) };
  });
  const lastMedian = (curve) => median(curve.slice(Math.max(1, E - opts.last + 1), E + 1));
  const finalLstm = lastMedian(lc);
  const finalTorch = lastMedian(tc);
  for (const [side, what] of [[lstm10k, 'lstm-ts'], [torch10k, 'PyTorch']]) {
    const bad = sideOk(side, E);
    if (bad !== null) failures.push(`${what} d2l run ${bad}`);
  }
  for (const r of rows) if (!r.ok) failures.push(`epoch ${r.epoch}: lstm-ts ${f3(r.lstm)} against PyTorch ${f3(r.torch)}: ratio ${fRatio(r.ratio)} outside the bar ${opts.twoSided ? `[1/${opts.tolerance}, ${opts.tolerance}]` : `<= ${opts.tolerance}`}`);
  const targetJudged = !opts.quick;
  if (targetJudged && !(finalLstm <= opts.target)) failures.push(`final lstm-ts perplexity ${f3(finalLstm)} (median of the last ${opts.last} epochs) > ${opts.target}`);

  // --- the whole-corpus run: every epoch, raw
  let whole = null;
  if (lstmWhole !== null && torchWhole !== null) {
    const W = opts.wholeEpochs;
    const lw = curveOf(lstmWhole, W);
    const tw = curveOf(torchWhole, W);
    const wrows = [];
    for (let e = 1; e <= W; e++) {
      const ratio = lw[e] / tw[e];
      wrows.push({ epoch: e, lstm: lw[e], torch: tw[e], ratio, lstmRaw: lw[e], torchRaw: tw[e], ok: within(ratio) });
    }
    for (const [side, what] of [[lstmWhole, 'lstm-ts'], [torchWhole, 'PyTorch']]) {
      const bad = sideOk(side, W);
      if (bad !== null) failures.push(`${what} whole-corpus run ${bad}`);
    }
    for (const r of wrows) if (!r.ok) failures.push(`whole corpus, epoch ${r.epoch}: lstm-ts ${f3(r.lstm)} > ${opts.tolerance} x PyTorch ${f3(r.torch)} (ratio ${fRatio(r.ratio)})`);
    whole = { rows: wrows, tokens: torchWhole.summary?.tokens ?? null, lstm: sideInfo(lstmWhole), torch: sideInfo(torchWhole), curves: { lstm: lw.slice(1), torch: tw.slice(1) },
      tokensPerSec: { lstm: curveOf(lstmWhole, W, 'tokensPerSec').slice(1), torch: curveOf(torchWhole, W, 'tokensPerSec').slice(1) } };
  }

  // --- output
  const argv = process.argv.slice(2);
  const command = `node scripts/quality/d2l-compare.mjs${argv.length ? ' ' + argv.join(' ') : ''}`;
  let gitCommit = null;
  try {
    const head = readFileSync(join(ROOT, '.git', 'HEAD'), 'utf8').trim();
    gitCommit = head.startsWith('ref: ') ? readFileSync(join(ROOT, '.git', head.slice(5)), 'utf8').trim() : head;
  } catch {}
  const result = {
    date: new Date().toISOString(),
    command,
    passed: failures.length === 0,
    failures,
    settings: {
      data: relative(ROOT, opts.data), seed: opts.seed, epochs: E, wholeEpochs: opts.wholeEpochs, quick: opts.quick,
      every: opts.every, window: opts.window, last: opts.last, target: opts.target, tolerance: opts.tolerance, twoSided: opts.twoSided, torchReference: opts.torchReference === null ? null : relative(ROOT, opts.torchReference), targetJudged,
    },
    environment: {
      node: process.versions.node, cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length,
      torch: torch10k.summary?.torch ?? null, torchThreads: torch10k.summary?.threads ?? null, gitCommit,
      loadAverage: { atStart: loadBefore, max: loadMax, atEnd: loadavg()[0] }, busy,
    },
    d2l: {
      rows, finalLstm, finalTorch,
      lstm: sideInfo(lstm10k), torch: sideInfo(torch10k),
      curves: { lstm: lc.slice(1), torch: tc.slice(1) },
      tokensPerSec: { lstm: curveOf(lstm10k, E, 'tokensPerSec').slice(1), torch: curveOf(torch10k, E, 'tokensPerSec').slice(1) },
    },
    whole,
  };

  printCurve(
    `d2l setting, ${E} epochs on 10,000 chars: training perplexity every ${opts.every} epochs`,
    rows,
    `(lstm-ts and PyTorch columns: median over epochs within +-${opts.window} of the checkpoint; raw: that epoch alone; bar: ratio <= ${opts.tolerance})`,
  );
  console.log(`final perplexity (median of the last ${opts.last} epochs): lstm-ts ${f3(finalLstm)}, PyTorch ${f3(finalTorch)}` +
    (targetJudged ? `; bar <= ${opts.target}: ${finalLstm <= opts.target ? 'met' : 'MISSED'}` : ' (quick run: the <= ' + opts.target + ' bar is not judged)'));
  if (whole) {
    printCurve(`whole corpus (${whole.tokens ?? 'all'} chars), ${opts.wholeEpochs} epochs: training perplexity per epoch (no window)`, whole.rows, null);
  }
  console.log('\nwall time (whole process) and training tokens/s:');
  const timeLine = (what, info) => console.log(`  ${what.padEnd(34)} ${fSec(info.wallSeconds).padStart(18)}  ${fRate(info.tokensPerSec).padStart(8)} tokens/s`);
  timeLine(`lstm-ts, ${E} epochs x 10k`, result.d2l.lstm);
  timeLine(`PyTorch, ${E} epochs x 10k`, result.d2l.torch);
  if (whole) {
    timeLine(`lstm-ts, ${opts.wholeEpochs} epochs x whole`, whole.lstm);
    timeLine(`PyTorch, ${opts.wholeEpochs} epochs x whole`, whole.torch);
  }
  console.log(`  1-minute load average: ${loadBefore.toFixed(1)} at the start, up to ${loadMax.toFixed(1)} (${cpus().length} CPUs)` +
    (busy ? ' -- above the CPU count (PyTorch with 2 threads alone adds ~2), so these timings may be skewed (the perplexities are not)' : ''));
  console.log(`\nverdict: ${result.passed ? 'PASS' : 'FAIL'}`);
  for (const f of failures) console.log(`  - ${f}`);
  console.log('\n' + markdown(result));

  writeFileSync(opts.jsonOut, JSON.stringify(result, null, 2) + '\n');
  log(`\nresults written to ${relative(process.cwd(), opts.jsonOut) || opts.jsonOut}`);
  return result.passed ? 0 : 1;
}

process.exitCode = await main();

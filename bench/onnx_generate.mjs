#!/usr/bin/env node
// The native anchor for generation: onnxruntime-node running the ONNX export (src/export/onnx.ts) of the same
// untrained d2l model `lstm bench` generates with (28 tokens, one layer, the same seed), one character at a time
// with the state passed in and out, greedy, as d2l's predict_ch8: the prefix fed a character at a time, then
// --length characters each fed back. Sessions run sequentially with intraOpNumThreads 1 and 2 (each --threads
// value). Characters per second timed by lstm bench's own timeWindowsAsync (best window, median beside it);
// sameTextAsLstmTs says whether it wrote the text lstm-ts's greedy generate() writes for the same model.
// Usage (after `npx tsc -p tsconfig.build.json`): node bench/onnx_generate.mjs [--json] [--cells lstm,gru,rnn]
//   [--hidden 128,256,512,1024] [--threads 1,2] [--seconds 2] [--length 500] [--seed 0]
import { loadavg } from 'node:os';
import ort from 'onnxruntime-node';
import { parseFlags } from './common.mjs';

const dist = new URL('../dist/', import.meta.url);
const { exportOnnx } = await import(new URL('export/onnx.js', dist).href);
const { buildModel } = await import(new URL('train/model-config.js', dist).href);
const { d2lVocab, BENCH_PREFIX } = await import(new URL('bench/generation.js', dist).href);
const { timeWindowsAsync } = await import(new URL('bench/timing.js', dist).href);
const { generate } = await import(new URL('train/generate.js', dist).href);

const opts = parseFlags(process.argv.slice(2), { json: false, cells: 'lstm,gru,rnn', hidden: '128,256,512,1024', threads: '1,2', seconds: 2, length: 500, seed: 0 });
const list = (s) => s.split(',').filter((x) => x !== '');

/** One generate call: reset the state, feed the prefix, then `length` greedy characters; returns their ids. */
function generator(session, cell, H, prefix, length) {
  const stateNames = cell === 'lstm' ? ['h', 'c'] : ['h'];
  const token = new BigInt64Array(1);
  const tokens = new ort.Tensor('int64', token, [1, 1]);
  const zeros = () => Object.fromEntries(stateNames.map((n) => [`${n}0`, new ort.Tensor('float32', new Float32Array(H), [1, 1, H])]));
  return async () => {
    let state = zeros();
    let next = prefix[0];
    const step = async (id) => {
      token[0] = BigInt(id);
      const out = await session.run({ tokens, ...state });
      state = Object.fromEntries(stateNames.map((n) => [`${n}0`, out[`${n}n`]]));
      return out.logits.data;
    };
    for (const id of prefix.slice(1)) {
      await step(next);
      next = id;
    }
    const ids = [];
    for (let k = 0; k < length; k++) {
      const logits = await step(next);
      let best = 0;
      for (let v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
      ids.push((next = best));
    }
    return ids;
  };
}

const vocab = d2lVocab();
const prefix = [...BENCH_PREFIX].map((ch) => vocab.indexOf(ch));
const loadStart = loadavg()[0];
const t0 = performance.now();
for (const cell of list(opts.cells)) {
  for (const H of list(opts.hidden).map(Number)) {
    const model = buildModel({ cell, hiddenSize: H, numLayers: 1, dropout: 0, vocabSize: vocab.size, seed: opts.seed });
    const bytes = exportOnnx(model);
    // The text lstm-ts's own greedy generate() writes for this model: the anchor must compute the same thing.
    const ours = generate(model, vocab, { tokens: 'char', preprocess: 'letters' }, BENCH_PREFIX, { length: opts.length, strategy: 'greedy' });
    for (const threads of list(opts.threads).map(Number)) {
      const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
      const call = generator(session, cell, H, prefix, opts.length);
      const text = BENCH_PREFIX + (await call()).map((id) => vocab.tokenAt(id)).join('');
      const stats = await timeWindowsAsync(async () => void (await call()), opts.length, { seconds: Math.max(0.1, opts.seconds / 2), warmup: 1, windows: 5 });
      await session.release();
      const row = { cell, hidden: H, threads, generateCharsPerSec: stats.best, generateCharsPerSecMedian: stats.median, calls: stats.calls, sameTextAsLstmTs: text === ours };
      if (opts.json) process.stdout.write(`${JSON.stringify(row)}\n`);
      else process.stdout.write(`${cell.padEnd(4)}  ${String(H).padStart(6)}  ${String(threads).padStart(7)} thread(s)  ${Math.round(stats.best).toLocaleString('en-US').padStart(9)} chars/s (median ${Math.round(stats.median).toLocaleString('en-US')})${row.sameTextAsLstmTs ? '' : '; NOT the text lstm-ts generates'}\n`);
    }
  }
}
const summary = { onnxruntime: ort.env.versions?.node ?? 'unknown', loadStart, loadEnd: loadavg()[0], seconds: (performance.now() - t0) / 1000 };
if (opts.json) process.stdout.write(`${JSON.stringify({ summary })}\n`);
else process.stdout.write(`onnxruntime-node ${summary.onnxruntime}; load average ${loadStart.toFixed(2)} at the start, ${summary.loadEnd.toFixed(2)} at the end\n`);

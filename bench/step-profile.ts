// Where one training step's time goes, kernel by kernel, on one thread: the d2l step (one-hot input over 28
// tokens, batch 32, 35 steps, one layer) of an LSTM and a GRU, each kernel the engine calls timed alone on wasm
// memory with the count the step calls it (the time loops' per-step products, cells and row gathers; the
// whole-sequence products dU and the decoder's three; the scatter of dWx and the softmax). Says whether faster
// cell or decoder kernels could pay: a kernel's share of the step bounds what any variant of it can save.
// Run: npm run build:wasm && node --import tsx bench/step-profile.ts [--hidden 128,256,512,1024] [--cells lstm,gru]
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { initWasmSync } from '../src/kernels/wasm/backend.js';
import { ensureGemmChoice } from '../src/kernels/wasm/gemm-variants.js';

const arg = (flag: string, fallback: string): string => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1]! : fallback;
};
const hidden = arg('--hidden', '128,256,512,1024').split(',').map(Number);
const cells = arg('--cells', 'lstm,gru').split(',') as Array<'lstm' | 'gru'>;
const [B, T, V] = [32, 35, 28];
const N = B * T;

const inst = initWasmSync();
const ex = inst.exports;
const choice = ensureGemmChoice(inst);
const cpu = (() => {
  try {
    return /Model name:\s*(.*)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();

/** Best of 5 rounds of `reps` calls, in microseconds per call. */
function time(fn: () => void, reps: number): number {
  fn();
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let k = 0; k < reps; k++) fn();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return best * 1000;
}

const loadBefore = loadavg()[0]!;
console.log(`CPU: ${cpu}; node ${process.version}; sgemm tile ${choice.tile}; one thread; d2l step B=${B}, T=${T}, V=${V}`);
for (const cell of cells) {
  for (const H of hidden) {
    const G = (cell === 'lstm' ? 4 : 3) * H;
    const mark = ex.mark();
    const f = (floats: number) => {
      const p = ex.alloc(floats * 4);
      new Float32Array(inst.memory.buffer, p, floats).fill(0.01);
      return p;
    };
    const [x, y, z, w] = [f(N * G), f(N * G), f(N * G), f(N * G)];
    const ids = ex.alloc(N * 4);
    new Int32Array(inst.memory.buffer, ids, N).fill(3); // valid ids
    const Wx = f(V * G), bias = f(G), Wd = f(H * V), logits = f(N * V);
    const fwd = f(ex.packedBFloats(H, G)), bwd = f(ex.packedBFloats(G, H));
    const scratch = ex.alloc(ex.sgemmScratchBytes(Math.max(G, V), Math.max(G, N)));
    const parts: Array<[string, number]> = [
      ['step product h U (x T)', T * time(() => ex.sgemmPackedColumns(B, G, H, x, fwd, y, 0, 1, 0, G, scratch), 20)],
      ['step product dG Uᵀ (x T)', T * time(() => ex.sgemmPackedColumns(B, H, G, x, bwd, y, 0, 0, 0, H, scratch), 20)],
      ['cell forward (x T)', T * time(() => (cell === 'lstm' ? ex.lstmCellForward(B, H, x, y, z, w, y) : ex.gruCellForward(B, H, x, y, z, w, z)), 50)],
      ['cell backward (x T)', T * time(() => (cell === 'lstm' ? ex.lstmCellBackward(B, H, x, y, z, w, z, x) : ex.gruCellBackward(B, H, x, y, z, w, x, y, z)), 50)],
      ['input rows gathered (x T)', T * time(() => ex.gatherRows(B, G, Wx, ids, bias, x), 50)],
      ['dU = Σ h_{t-1}ᵀ dG', time(() => ex.sgemmColumns(H, G, N, x, y, z, 1, 0, 0, 0, G, scratch), 3)],
      ['dWx scatter, db sums', time(() => {
        ex.scatterAddRows(N, G, x, ids, Wx);
        ex.addColumnSums(N, G, x, bias);
      }, 3)],
      ['decoder: logits, dWd, dh', time(() => {
        ex.sgemmColumns(N, V, H, x, Wd, logits, 0, 0, 1, 0, V, scratch);
        ex.sgemmColumns(V, H, N, logits, x, y, 1, 0, 0, 0, H, scratch);
        ex.sgemmColumns(N, H, V, logits, Wd, y, 0, 1, 0, 0, H, scratch);
      }, 3)],
      ['softmax cross-entropy', time(() => void ex.softmaxCrossEntropy(N, V, logits, ids, 0, z, 1 / N), 10)],
    ];
    ex.release(mark);
    const total = parts.reduce((s, [, us]) => s + us, 0);
    console.log(`\n${cell.toUpperCase()} ${H}: ${(total / 1000).toFixed(2)} ms per step on one thread (kernels alone, no JS between them)`);
    for (const [name, us] of parts) console.log(`  ${name.padEnd(28)} ${(us / 1000).toFixed(3).padStart(8)} ms  ${((100 * us) / total).toFixed(1).padStart(5)}%`);
  }
}
console.log(`\nload average ${loadBefore.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)}`);

// GEMM throughput: the reference TypeScript gemm vs the wasm SIMD sgemm, both the raw kernel on data already in
// wasm memory and the `Kernels.gemm` path that copies A, B, C in and out. Also measures the machine's 128-bit
// SIMD peak (separate f32x4 mul + add) so sgemm can be reported as a fraction of it. Single thread.
// Shapes: op(A) (M, K), op(B) (K, N); "T" marks a transposed operand as used by the backward pass.
// Run: npm run build:wasm && node --import tsx bench/sgemm.ts [--quick]
import { gemm as refGemm, type GemmArgs } from '../src/kernels/ref/gemm.js';
import { createWasmKernels, initWasmSync } from '../src/kernels/wasm/backend.js';

interface Shape {
  label: string;
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  beta?: 0 | 1;
}

const quick = process.argv.includes('--quick');
const shapes: Shape[] = [
  { label: 'step fwd   32x256 · 256x1024', m: 32, n: 1024, k: 256 },
  { label: 'step dA    32x1024 · (256x1024)T', m: 32, n: 256, k: 1024, transB: true, beta: 1 },
  { label: 'step dB    (32x256)T · 32x1024', m: 256, n: 1024, k: 32, transA: true, beta: 1 },
  { label: 'seq fwd    1120x256 · 256x1024', m: 1120, n: 1024, k: 256 },
  { label: 'seq dA     1120x1024 · (256x1024)T', m: 1120, n: 256, k: 1024, transB: true, beta: 1 },
  { label: 'seq dB     (1120x256)T · 1120x1024', m: 256, n: 1024, k: 1120, transA: true, beta: 1 },
  { label: 'gemv       1x256 · 256x1024', m: 1, n: 1024, k: 256 },
];

/** Best seconds per call of each function over `batches` rounds; the functions take turns so that load from
 * other processes on the machine hits them alike. Each batch runs a function for at least `minTime` seconds. */
function timeEach(fns: (() => void)[], minTime: number, batches = 5): number[] {
  const best = fns.map((fn) => (fn(), Infinity));
  for (let b = 0; b < batches; b++) {
    fns.forEach((fn, i) => {
      let reps = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < minTime * 1000) {
        fn();
        reps++;
        t = performance.now();
      }
      best[i] = Math.min(best[i]!, (t - t0) / 1000 / reps);
    });
  }
  return best;
}

const time = (fn: () => void, minTime: number, batches = 5): number => timeEach([fn], minTime, batches)[0]!;

function random(len: number): Float32Array {
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) out[i] = Math.random() - 0.5;
  return out;
}

const inst = initWasmSync();
const wasm = createWasmKernels();
const ex = inst.exports;

// Peak: 12 chains x (mul + add) x 4 lanes = 96 flop per iteration; measured before and after, best kept.
// Clock: 16 dependent 1-cycle integer ops per iteration; the port bound for separate mul + add is then
// 2 f32x4.mul + 2 f32x4.add per cycle (Zen 4/5: two FMUL and two FADD pipes) = 16 flop per cycle.
const iters = 10_000_000;
const measurePeak = () => (96 * iters) / time(() => ex.simdPeak(iters, 0.5), quick ? 0.05 : 0.2) / 1e9;
const ghz = (16 * iters) / time(() => ex.clockLoop(iters, 3, 5), quick ? 0.05 : 0.2) / 1e9;
let peak = measurePeak();

const rows: string[][] = [];
const minTime = quick ? 0.05 : 0.25;
for (const s of shapes) {
  const flop = 2 * s.m * s.n * s.k;
  const a = random(s.m * s.k), b = random(s.k * s.n), c = random(s.m * s.n);
  const args: GemmArgs = { m: s.m, n: s.n, k: s.k, a, b, c, transA: s.transA ?? false, transB: s.transB ?? false, beta: s.beta ?? 0 };
  const tRef = time(() => refGemm(args), minTime, flop > 1e8 ? 2 : 4);
  // Raw kernel: operands resident in wasm memory, no copies. (Allocated above the copy path's scratch.)
  const mark = ex.mark();
  const pa = ex.alloc(a.length * 4), pb = ex.alloc(b.length * 4), pc = ex.alloc(c.length * 4);
  new Float32Array(inst.memory.buffer, pa, a.length).set(a);
  new Float32Array(inst.memory.buffer, pb, b.length).set(b);
  new Float32Array(inst.memory.buffer, pc, c.length).set(c);
  const kernel = () => ex.sgemm(s.m, s.n, s.k, pa, pb, pc, args.transA ? 1 : 0, args.transB ? 1 : 0, args.beta ?? 0);
  const [tCopy, tKernel] = timeEach([() => wasm.gemm(args), kernel], minTime / 2, 8) as [number, number];
  ex.release(mark);
  const g = (t: number) => flop / t / 1e9;
  rows.push([
    s.label,
    g(tRef).toFixed(2),
    g(tCopy).toFixed(1),
    g(tKernel).toFixed(1),
    `${(100 * g(tKernel) / peak).toFixed(0)}%`,
    `${(tRef / tKernel).toFixed(1)}x`,
    `${(tKernel * 1e6).toFixed(0)}`,
  ]);
}

peak = Math.max(peak, measurePeak());
const head = ['shape (M x K · K x N)', 'ref GF/s', 'wasm+copy GF/s', 'wasm kernel GF/s', 'of meas. peak', 'kernel/ref', 'kernel µs'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
console.log(`node ${process.version}, wasm memory ${inst.shared ? 'shared' : 'unshared'}, clock ~${ghz.toFixed(2)} GHz`);
console.log(`128-bit SIMD peak, measured (12 f32x4 mul+add chains): ${peak.toFixed(1)} GFLOP/s; port bound 16 flop/cycle: ${(16 * ghz).toFixed(1)} GFLOP/s`);
console.log(line(head));
for (const r of rows) console.log(line(r));

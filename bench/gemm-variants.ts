// Every sgemm variant (src/kernels/wasm/gemm-variants.ts) on the products the engine runs, one thread, operands
// resident in wasm memory: the step products with B̂ packed once (forward (rows, H) by (H, 4H), backward (rows, 4H)
// by (4H, H)) for rows = 16 and 32, the one-row product of generation, and two whole-sequence products packed per
// call (dU = hᵀ dG, the decoder's logits). GFLOP/s, best of interleaved rounds, and the share of the measured
// 128-bit SIMD peak; then what chooseGemmVariant (the start-up timing) picks here. Prints the CPU and the load.
// Run: npm run build:wasm && node --import tsx bench/gemm-variants.ts [--hidden 128,256,512,1024] [--rounds 7] [--json]
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { initWasmSync } from '../src/kernels/wasm/backend.js';
import { chooseGemmVariant, gemmVariants, type GemmVariant } from '../src/kernels/wasm/gemm-variants.js';

const arg = (flag: string, fallback: string): string => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1]! : fallback;
};
const hidden = arg('--hidden', '128,256,512,1024').split(',').map(Number);
const rounds = Number(arg('--rounds', '7'));
const json = process.argv.includes('--json');

const inst = initWasmSync();
const ex = inst.exports;
const variants = gemmVariants();
const cpu = (() => {
  try {
    return /Model name:\s*(.*)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();

function peakGflops(): number {
  const iters = 4_000_000;
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    ex.simdPeak(iters, 0.5);
    best = Math.min(best, performance.now() - t0);
  }
  return (96 * iters) / (best / 1000) / 1e9;
}

interface Case {
  label: string;
  kind: GemmVariant['kind'];
  flop: number;
  run: () => void;
}

function fill(ptr: number, len: number, seed: number): void {
  const f32 = new Float32Array(inst.memory.buffer, ptr, len);
  for (let q = 0; q < len; q++) f32[q] = (((q + seed) * 37) % 101) / 101 - 0.5;
}

const loadBefore = loadavg()[0]!;
const peak = peakGflops();
const results: Array<{ label: string; gflops: Record<string, number> }> = [];
for (const H of hidden) {
  const G = 4 * H, N = 1120;
  const mark = ex.mark();
  const a = ex.alloc(N * G * 4), b = ex.alloc(N * G * 4), c = ex.alloc(N * G * 4);
  const fwd = ex.alloc(ex.packedBFloats(H, G) * 4), bwd = ex.alloc(ex.packedBFloats(G, H) * 4);
  const scratch = ex.alloc(ex.sgemmScratchBytes(G, Math.max(G, N)));
  fill(a, N * G, 1);
  fill(b, N * G, 2);
  ex.packAllB(H, G, b, 0, fwd);
  ex.packAllB(G, H, b, 1, bwd);
  const cases: Case[] = [];
  for (const rows of [16, 32]) {
    cases.push({ label: `H=${H} fwd ${rows}x${H} by ${H}x${G}`, kind: 'tile', flop: 2 * rows * H * G, run: () => ex.sgemmPackedColumns(rows, G, H, a, fwd, c, 0, 0, 0, G, scratch) });
    cases.push({ label: `H=${H} bwd ${rows}x${G} by ${G}x${H}`, kind: 'tile', flop: 2 * rows * H * G, run: () => ex.sgemmPackedColumns(rows, H, G, a, bwd, c, 0, 0, 0, H, scratch) });
  }
  cases.push({ label: `H=${H} dU ${H}x${N}ᵀ by ${N}x${G}`, kind: 'tile', flop: 2 * H * G * N, run: () => ex.sgemmColumns(H, G, N, a, b, c, 1, 0, 0, 0, G, scratch) });
  cases.push({ label: `H=${H} logits ${N}x${H} by ${H}x28`, kind: 'tile', flop: 2 * N * H * 28, run: () => ex.sgemmColumns(N, 28, H, a, b, c, 0, 0, 1, 0, 28, scratch) });
  cases.push({ label: `H=${H} generate 1x${H} by ${H}x${G}`, kind: 'row', flop: 2 * H * G, run: () => ex.sgemmPackedColumns(1, G, H, a, fwd, c, 0, 0, 0, G, scratch) });
  for (const cs of cases) {
    const mine = variants.filter((v) => v.kind === cs.kind);
    const reps = Math.max(1, Math.round(2e6 / cs.flop)); // about 50-100 µs per timing
    const best = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
      for (const v of mine) {
        ex.setGemmTiles(v.kind === 'tile' ? v.index : 0, v.kind === 'row' ? v.index : 0);
        if (round === 0) cs.run();
        const t0 = performance.now();
        for (let r = 0; r < reps; r++) cs.run();
        const s = (performance.now() - t0) / 1000 / reps;
        best.set(v.name, Math.min(best.get(v.name) ?? Infinity, s));
      }
    }
    results.push({ label: cs.label, gflops: Object.fromEntries([...best].map(([name, s]) => [name, cs.flop / s / 1e9])) });
  }
  ex.release(mark);
}
const picked = chooseGemmVariant();
const loadAfter = loadavg()[0]!;

if (json) {
  process.stdout.write(`${JSON.stringify({ cpu, node: process.version, peakGflops: peak, loadBefore, loadAfter, results, picked })}\n`);
} else {
  console.log(`CPU: ${cpu}; node ${process.version}; 128-bit SIMD peak ${peak.toFixed(1)} GFLOP/s per thread; load average ${loadBefore.toFixed(2)} -> ${loadAfter.toFixed(2)}`);
  for (const kind of ['tile', 'row'] as const) {
    const names = variants.filter((v) => v.kind === kind).map((v) => v.name);
    const rows = results.filter((r) => names.some((n) => n in r.gflops));
    const width = Math.max(...rows.map((r) => r.label.length));
    console.log(`\n${'GFLOP/s (share of peak)'.padEnd(width)}  ${names.map((n) => n.padStart(14)).join('')}`);
    for (const r of rows) {
      const top = Math.max(...Object.values(r.gflops));
      console.log(`${r.label.padEnd(width)}  ${names.map((n) => `${r.gflops[n]! === top ? '*' : ' '}${r.gflops[n]!.toFixed(1)} (${((100 * r.gflops[n]!) / peak).toFixed(0)}%)`.padStart(14)).join('')}`);
    }
  }
  console.log(`\nstart-up choice: tile ${picked.tile}, row tile ${picked.rowTile} in ${picked.ms.toFixed(1)} ms (${Object.entries(picked.gflops).map(([n, g]) => `${n} ${g.toFixed(1)}`).join(', ')})`);
}

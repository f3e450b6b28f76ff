// When a product is worth splitting over the threads, by timing. Splitting costs a fixed price (waking the
// workers, the barrier after; on a machine where a worker gets descheduled, much more) and saves a share of the
// work, so below some number of multiply-adds one thread is faster. Once a pool's workers are up, its first job
// times generation's one-row product (1, H) by (H, 4H), H = 256, on one thread and split, a few rounds
// interleaved, and sets the pool's threshold where the saving pays the measured price:
//   split pays when  w/r/t + o < w/r,  i.e. when  w > o·r·t/(t - 1)
// (w multiply-adds, r one thread's rate, t threads, o the split's overhead). The engine then also runs a time
// loop whose rows cannot be split (generation) in wasm on one thread unless its step products would be split.
import type { WasmInstance } from './backend.js';
import { currentThreadPool, type ThreadPool } from './threads.js';

export interface SplitChoice {
  threads: number;
  /** Products of fewer multiply-adds run on one thread. */
  minParallelMacs: number;
  /** What a split costs beyond the work it shares out, microseconds (best round). */
  overheadUs: number;
  /** One thread's rate on the timed product, GFLOP/s. */
  soloGflops: number;
  /** 'measured', or 'default' while the workers start up. */
  how: 'measured' | 'default';
}

const H = 256;
const ROUNDS = 6;
const MIN_MACS = 1 << 14;
const MAX_MACS = 1 << 26;

const chosen = new WeakMap<ThreadPool, SplitChoice>();

/** The pool's split threshold and how it was set. */
export function splitChoice(pool: ThreadPool): SplitChoice {
  return chosen.get(pool) ?? { threads: pool.active, minParallelMacs: pool.minParallelMacs, overheadUs: NaN, soloGflops: NaN, how: 'default' };
}

/** The split of the process's thread pool, or null while there is none (asking starts no workers). */
export function threadSplitChoice(): SplitChoice | null {
  const pool = currentThreadPool();
  return pool === null ? null : splitChoice(pool);
}

/** Times the split once per pool, the first time all its workers are up; returns whether it has been timed. */
export function ensureSplitChoice(inst: WasmInstance, pool: ThreadPool): boolean {
  if (chosen.has(pool)) return true;
  if (pool.active < 2) return false;
  chosen.set(pool, timeSplit(inst, pool));
  return true;
}

function timeSplit(inst: WasmInstance, pool: ThreadPool): SplitChoice {
  const ex = inst.exports;
  const G = 4 * H, macs = G * H, threads = pool.active;
  const saved = ex.mark();
  const { adaptive, minParallelMacs } = pool;
  let timed = false;
  try {
    const a = ex.alloc(H * 4), c = ex.alloc(G * 4), b = ex.alloc(H * G * 4), packed = ex.alloc(ex.packedBFloats(H, G) * 4);
    const scratch = ex.alloc(ex.sgemmScratchBytes(G, H));
    new Float32Array(inst.memory.buffer, a, H).fill(0.5);
    new Float32Array(inst.memory.buffer, b, H * G).fill(-0.25);
    ex.packAllB(H, G, b, 0, packed);
    pool.adaptive = false; // a lagging worker must show in the split's time, not turn it into a solo job
    pool.minParallelMacs = 0;
    let solo = Infinity, split = Infinity;
    for (let round = 0; round <= ROUNDS; round++) {
      const t0 = performance.now();
      ex.sgemmPackedColumns(1, G, H, a, packed, c, 0, 0, 0, G, scratch);
      const t1 = performance.now();
      pool.gemmPacked(1, G, H, a, packed, c, 0, 0);
      const t2 = performance.now();
      if (round > 0) {
        solo = Math.min(solo, t1 - t0);
        split = Math.min(split, t2 - t1);
      }
    }
    const overheadMs = Math.max(0, split - solo / threads);
    const macsPerMs = macs / solo;
    const threshold = Math.round((overheadMs * macsPerMs * threads) / (threads - 1));
    pool.minParallelMacs = Math.min(MAX_MACS, Math.max(MIN_MACS, threshold));
    timed = true;
    return { threads, minParallelMacs: pool.minParallelMacs, overheadUs: overheadMs * 1000, soloGflops: (2 * macs) / solo / 1e6, how: 'measured' };
  } finally {
    pool.adaptive = adaptive;
    if (!timed) pool.minParallelMacs = minParallelMacs;
    ex.release(saved);
  }
}

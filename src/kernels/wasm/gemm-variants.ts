// Which sgemm register tile the process runs, chosen by timing. The module has several tiles (assembly/tiles.ts:
// 2x16, 4x8, 6x8, with and without k unrolling) for products of two rows or more, and row tiles for one-row
// products (generation); which is fastest depends on the CPU (registers, load ports, add latency) and the engine
// that runs the wasm, so the first use of the module times each on the step products the engine runs and keeps
// the fastest, a few milliseconds. Every tile sums every element in the same order, so the choice changes speed,
// never a result: runs stay bit for bit reproducible whichever tile a machine picks.
// setGemmVariant overrides the choice (tests, users); gemmChoice says what was chosen, how, and the timings.
// Shapes timed: an LSTM step's forward product (16, H) by (H, 4H) and backward (16, 4H) by (4H, H), H = 128 (a
// batch of 32 on two threads), and generation's one-row product (1, H) by (H, 4H); B̂ packed as the engine packs it.
// (bench/gemm-variants.ts times every variant on every hidden size: the ranking holds across them.)
import { initWasmSync, type WasmExports, type WasmInstance } from './backend.js';

export type GemmVariantKind = 'tile' | 'row';

export interface GemmVariant {
  name: string;
  kind: GemmVariantKind;
  /** The module's number for it (its index among tiles or among row tiles). */
  index: number;
  /** What it is, in a few words. */
  description: string;
}

export interface GemmChoice {
  /** The tile for products of two rows or more, and for one-row products with packed weights. */
  tile: string;
  rowTile: string;
  /** 'measured' at first use; 'set' by setGemmVariant; 'default' where nothing was timed yet. */
  how: 'measured' | 'set' | 'default';
  /** GFLOP/s of each variant on the timed shapes (the best of a few interleaved rounds); empty unless measured. */
  gflops: Record<string, number>;
  /** Milliseconds the timing took. */
  ms: number;
}

const HIDDEN = 128;
const ROUNDS = 4;
/** A variant slower than this many times the leader may be running baseline code yet: it is timed on... */
const BASELINE_GAP = 1.8;
/** ...for at most this many more milliseconds. */
const TIER_UP_MS = 40;

let choice: GemmChoice | null = null;

/** Every variant the module has: its tiles (for two rows or more), then its row tiles (one row). */
export function gemmVariants(): GemmVariant[] {
  return variantsOf(initWasmSync().exports);
}

function variantsOf(ex: WasmExports): GemmVariant[] {
  const out: GemmVariant[] = [];
  for (let t = 0; t < ex.gemmTiles(); t++) {
    const shape = ex.gemmTileShape(t);
    const [mr, w, unroll] = [shape & 0xff, (shape >> 8) & 0xff, shape >> 16];
    const name = `${mr}x${w}${unroll > 1 ? `u${unroll}` : ''}`;
    const what = `${mr} rows by ${w} columns, ${(mr * w) / 4} accumulators${unroll > 1 ? `, k unrolled by ${unroll}` : ''}${t === 0 ? ', packs B while its first rows compute' : ''}`;
    out.push({ name, kind: 'tile', index: t, description: what });
  }
  for (let r = 0; r < ex.gemmRowTiles(); r++) {
    const panels = ex.gemmRowTilePanels(r);
    const name = panels === 0 ? 'row-pair' : `row${16 * panels}`;
    const what = panels === 0 ? 'one row on the two-row tile, the second row zero' : `one row by ${16 * panels} columns, ${4 * panels} accumulators`;
    out.push({ name, kind: 'row', index: r, description: what });
  }
  return out;
}

/**
 * Makes a variant the one every thread runs from now on (a tile or a row tile: the other kind stays), instead of
 * the one timing chose (which then does not run). Throws on a name that is not in gemmVariants().
 */
export function setGemmVariant(name: string): void {
  const inst = initWasmSync();
  const ex = inst.exports;
  const all = variantsOf(ex);
  const variant = all.find((v) => v.name === name);
  if (variant === undefined) throw new Error(`unknown sgemm variant "${name}"; the variants are ${all.map((v) => v.name).join(', ')}`);
  const current = gemmChoice();
  const tile = variant.kind === 'tile' ? variant.index : ex.gemmTile();
  const row = variant.kind === 'row' ? variant.index : ex.gemmRowTile();
  ex.setGemmTiles(tile, row);
  choice = { ...current, [variant.kind === 'tile' ? 'tile' : 'rowTile']: name, how: 'set' };
}

/** What runs now, and how it was chosen. */
export function gemmChoice(): GemmChoice {
  if (choice !== null) return choice;
  const ex = initWasmSync().exports;
  const variants = variantsOf(ex);
  const name = (kind: GemmVariantKind, index: number) => variants.find((v) => v.kind === kind && v.index === index)!.name;
  return { tile: name('tile', ex.gemmTile()), rowTile: name('row', ex.gemmRowTile()), how: 'default', gflops: {}, ms: 0 };
}

/** Times the variants once per process (called at the module's first use by a backend) unless one was set. */
export function ensureGemmChoice(inst: WasmInstance): GemmChoice {
  return choice ?? timeVariants(inst);
}

/** Another variant replaces the default only when it is at least this much faster (timing noise is not a reason). */
const MARGIN = 1.03;

/**
 * Times every variant on the engine's step products (a few milliseconds; rounds interleave the variants, so load
 * from other processes hits them alike, and the best round of each counts) and keeps the fastest of each kind:
 * tiles first, then row tiles with the chosen tile.
 */
export function chooseGemmVariant(): GemmChoice {
  return timeVariants(initWasmSync());
}

function timeVariants(inst: WasmInstance): GemmChoice {
  const ex = inst.exports;
  const started = performance.now();
  const variants = variantsOf(ex);
  const H = HIDDEN, G = 4 * H, ROWS = 16;
  const saved = ex.mark();
  try {
    const a = ex.alloc(ROWS * G * 4), c = ex.alloc(ROWS * G * 4), b = ex.alloc(H * G * 4);
    const forward = ex.alloc(ex.packedBFloats(H, G) * 4), backward = ex.alloc(ex.packedBFloats(G, H) * 4);
    const scratch = ex.alloc(ex.sgemmScratchBytes(G, G));
    // Any normal numbers do (no subnormals, which would slow some CPUs down): the sums are not looked at.
    new Float32Array(inst.memory.buffer, a, ROWS * G).fill(0.5);
    new Float32Array(inst.memory.buffer, b, H * G).fill(-0.25);
    ex.packAllB(H, G, b, 0, forward);
    ex.packAllB(G, H, b, 1, backward);
    // A tile's work: one step's forward and backward products for 16 rows (a batch of 32 on two threads); a row
    // tile's: eight one-row products (generation's steps).
    const stepProducts = { flop: 2 * 2 * ROWS * H * G, run: () => {
      ex.sgemmPackedColumns(ROWS, G, H, a, forward, c, 0, 0, 0, G, scratch);
      ex.sgemmPackedColumns(ROWS, H, G, a, backward, c, 0, 0, 0, H, scratch);
    } };
    const rowProducts = { flop: 2 * 8 * H * G, run: () => {
      for (let r = 0; r < 8; r++) ex.sgemmPackedColumns(1, G, H, a, forward, c, 0, 0, 0, G, scratch);
    } };
    const gflops: Record<string, number> = {};
    const race = (kind: GemmVariantKind, set: (v: GemmVariant) => void, work: { flop: number; run: () => void }): GemmVariant => {
      const entrants = variants.filter((v) => v.kind === kind).map((v) => ({ v, best: Infinity }));
      const round = (who: typeof entrants) => {
        for (const e of who) {
          set(e.v);
          const t0 = performance.now();
          work.run();
          e.best = Math.min(e.best, performance.now() - t0);
        }
      };
      for (let r = 0; r < ROUNDS; r++) round(entrants);
      // V8 first runs a function as baseline code and swaps in optimized code when a background compile is done:
      // a variant far behind the leader may still be waiting for it, so it runs on, up to a deadline.
      const deadline = performance.now() + TIER_UP_MS;
      for (;;) {
        const leader = Math.min(...entrants.map((e) => e.best));
        const behind = entrants.filter((e) => e.best > BASELINE_GAP * leader);
        if (behind.length === 0 || performance.now() > deadline) break;
        round(behind);
      }
      for (const e of entrants) gflops[e.v.name] = work.flop / (e.best / 1000) / 1e9;
      const fastest = entrants.reduce((x, y) => (y.best < x.best ? y : x));
      return fastest.best * MARGIN < entrants[0]!.best ? fastest.v : entrants[0]!.v;
    };
    const tile = race('tile', (v) => ex.setGemmTiles(v.index, 0), stepProducts);
    const row = race('row', (v) => ex.setGemmTiles(tile.index, v.index), rowProducts);
    ex.setGemmTiles(tile.index, row.index);
    choice = { tile: tile.name, rowTile: row.name, how: 'measured', gflops, ms: performance.now() - started };
    return choice;
  } finally {
    ex.release(saved);
  }
}

// f32 general matrix multiply C = op(A) op(B) + beta C, row-major, same semantics as src/kernels/ref/gemm.ts.
// GotoBLAS-style blocking: for each KC slice of k, B is packed into 16-column panels [p][16] (zero-padded) and
// each MC block of A into groups of MR rows [p][MR] (zero-padded); a register tile (tiles.ts: 2x16, 4x8, 4x16, 6x8, or
// a row tile when m = 1; separate mul + add) then walks a panel that stays in L1. Which tile runs is a setting in
// memory that every thread reads (gemmTile / gemmRowTile); every tile sums in the same order, so the setting
// changes the speed, never a bit of the result. Shapes: op(A) (M, K), op(B) (K, N), C (M, N); A is stored
// (K, M) if transA, B is stored (N, K) if transB. Pointers are byte offsets; the scratch area sits above `top`.
import { ensure, scratchBase, settings } from './memory';
import { NR, packA, packB } from './pack';
import { tile2x16, tile4x16, tile4x8, tile6x8, tileRow } from './tiles';

const KC = 256; // k slice: a packed B panel is KC * 16 * 4 = 16 KiB
const MC = 128; // rows of A packed at once: MC * KC * 4 = 128 KiB
const SPILL = 256; // bytes of scratch for a tile cut by the edge of C (at most 4 rows of 16 or 6 rows of 8 floats)
const MR_MAX = 6;

@inline function shape(MR: i32, W: i32, unroll: i32): i32 {
  return MR | (W << 8) | (unroll << 16);
}

/**
 * The tiles for m >= 2, by number: MR rows, W columns (16: a whole B̂ panel, 8: half of one), k unrolling, packed
 * as MR | W << 8 | unroll << 16; 0 past the last. Tile 0, the default, packs an untransposed B's panel while it
 * computes its first row pair (fused).
 */
export function gemmTileShape(t: i32): i32 {
  switch (t) {
    case 0: return shape(2, 16, 1);
    case 1: return shape(2, 16, 2);
    case 2: return shape(4, 8, 1);
    case 3: return shape(4, 8, 2);
    case 4: return shape(6, 8, 1);
    case 5: return shape(4, 16, 1);
  }
  return 0;
}

export function gemmTiles(): i32 {
  let t = 0;
  while (gemmTileShape(t) != 0) t++;
  return t;
}

/**
 * The row tiles for m = 1 with B̂ packed (generation), by number: 0 runs the m >= 2 tile on a row pair whose second
 * row is zero; r > 0 a row tile over r adjacent panels (4r accumulators).
 */
export function gemmRowTiles(): i32 {
  return 4;
}

export function gemmRowTilePanels(r: i32): i32 {
  return r;
}

/** Chooses the tiles every thread runs from now on (they read the setting from shared memory). */
export function setGemmTiles(tile: i32, rowTile: i32): void {
  store<i32>(settings(), tile < 0 || tile >= gemmTiles() ? 0 : tile);
  store<i32>(settings(), rowTile < 0 || rowTile >= gemmRowTiles() ? 0 : rowTile, 4);
}

export function gemmTile(): i32 {
  return load<i32>(settings());
}

export function gemmRowTile(): i32 {
  return load<i32>(settings(), 4);
}

/**
 * Rows 0-1 of C (+)= A · op(B) for one full 16-column panel of an untransposed B, packing the panel into `bp` as
 * it goes (the other rows then read it packed): tile 0's first row pair, fused with the packing. Same sums as tile2x16.
 */
function fusedPair(kc: i32, ap: usize, src: usize, ldb: usize, bp: usize, c: usize, ldc: usize, mr: i32, acc: i32, spill: usize): void {
  let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00;
  let c10 = c00, c11 = c00, c12 = c00, c13 = c00;
  for (let p = 0; p < kc; p++) {
    const a0 = v128.load32_splat(ap), a1 = v128.load32_splat(ap, 4);
    const b0 = v128.load(src), b1 = v128.load(src, 16), b2 = v128.load(src, 32), b3 = v128.load(src, 48);
    v128.store(bp, b0);
    v128.store(bp, b1, 16);
    v128.store(bp, b2, 32);
    v128.store(bp, b3, 48);
    c00 = f32x4.add(c00, f32x4.mul(a0, b0));
    c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    c02 = f32x4.add(c02, f32x4.mul(a0, b2));
    c03 = f32x4.add(c03, f32x4.mul(a0, b3));
    c10 = f32x4.add(c10, f32x4.mul(a1, b0));
    c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    c12 = f32x4.add(c12, f32x4.mul(a1, b2));
    c13 = f32x4.add(c13, f32x4.mul(a1, b3));
    ap += 8;
    bp += NR << 2;
    src += ldb;
  }
  // Through the spill rows and the edge store: the same additions as tile2x16's stores.
  v128.store(spill, c00);
  v128.store(spill, c01, 16);
  v128.store(spill, c02, 32);
  v128.store(spill, c03, 48);
  v128.store(spill, c10, 64);
  v128.store(spill, c11, 80);
  v128.store(spill, c12, 96);
  v128.store(spill, c13, 112);
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < NR; j += 4) {
      const o = (<usize>j) << 2;
      const dst = c + <usize>r * ldc + o;
      const v = v128.load(spill + <usize>r * (NR << 2) + o);
      v128.store(dst, acc != 0 ? f32x4.add(v, v128.load(dst)) : v);
    }
  }
}

/**
 * C (+)= packed A block x op(B) panels for one MC x KC block with tile t; acc selects accumulate vs overwrite. With
 * perPanel, each panel is packed into pb just before use (stays in L1); otherwise pb already holds every panel.
 */
function macroKernel(t: i32, mc: i32, n: i32, j0: i32, j1: i32, k: i32, kc: i32, p0: i32, perPanel: bool, b: usize, transB: i32, pa: usize, pb: usize, c: usize, ldc: usize, acc: i32, spill: usize): void {
  const tile = gemmTileShape(t);
  const MR = tile & 0xff, W = (tile >> 8) & 0xff, unroll = tile >> 16;
  const group = <usize>MR * <usize>kc * 4; // bytes of one packed group of A
  for (let j = j0; j < j1; j += NR) {
    const nr = min(NR, j1 - j);
    let bPanel = pb;
    // Tile 0 packs full panels of an untransposed B with its first row pair while it computes (fused).
    const fuse = t == 0 && perPanel && transB == 0 && nr == NR;
    if (perPanel && !fuse) packB(n, k, b, transB, p0, kc, j, j + nr, pb);
    else if (!perPanel) bPanel = pb + <usize>((j - j0) >> 4) * <usize>kc * (NR << 2);
    const cj = c + ((<usize>j) << 2);
    if (fuse) {
      const ldb = (<usize>n) << 2;
      fusedPair(kc, pa, b + <usize>p0 * ldb + ((<usize>j) << 2), ldb, bPanel, cj, ldc, min(2, mc), acc, spill);
    }
    for (let h = 0; h < nr; h += W) {
      const w = min(W, nr - h);
      const bp = bPanel + ((<usize>h) << 2);
      let ap = pa;
      let i = 0;
      if (fuse) {
        ap += group;
        i = 2;
      }
      for (; i < mc; i += MR) {
        const ci = cj + <usize>i * ldc + ((<usize>h) << 2);
        const mr = min(MR, mc - i);
        if (MR == 2) tile2x16(kc, ap, bp, ci, ldc, mr, w, acc, spill, unroll);
        else if (MR == 4 && W == 16) tile4x16(kc, ap, bp, ci, ldc, mr, w, acc, spill);
        else if (MR == 4) tile4x8(kc, ap, bp, ci, ldc, mr, w, acc, spill, unroll);
        else tile6x8(kc, ap, bp, ci, ldc, mr, w, acc, spill);
        ap += group;
      }
    }
  }
}

/** Rows of A packed at once for groups of MR rows: MC rounded down to whole groups. */
@inline function rowBlock(MR: i32): i32 {
  return MC - MC % MR;
}

export function sgemmBlocked(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, transA: i32, transB: i32, beta: i32): void {
  sgemmColumns(m, n, k, a, b, c, transA, transB, beta, 0, n, 0);
}

/** Bytes of packing scratch `sgemmColumns` needs for a column range of width w (at most) and depth k. */
export function sgemmScratchBytes(w: i32, k: i32): usize {
  const panels = (w + NR - 1) >> 4;
  const kcMax = min(KC, k);
  return SPILL + <usize>panels * <usize>kcMax * (NR << 2) + <usize>(MC + MR_MAX) * <usize>kcMax * 4 + 64;
}

/**
 * Columns [j0, j1) of C = op(A) op(B) + beta C, j0 a multiple of 16: what one thread computes when a product is
 * split by columns. Every element is summed in the same order whatever the split, so results do not depend on the
 * thread count. `scratch` is this thread's packing area (0: above the allocator's top, growing memory if needed).
 */
export function sgemmColumns(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, transA: i32, transB: i32, beta: i32, j0: i32, j1: i32, scratch: usize): void {
  const ldc = (<usize>n) << 2;
  if (j1 <= j0 || m <= 0) return;
  if (k == 0) {
    if (beta == 0) for (let i = 0; i < m; i++) memory.fill(c + <usize>i * ldc + ((<usize>j0) << 2), 0, (<usize>(j1 - j0)) << 2);
    return;
  }
  const panels = (j1 - j0 + NR - 1) >> 4;
  const kcMax = min(KC, k);
  const spill = scratch != 0 ? scratch : scratchBase();
  const pb = spill + SPILL;
  const pa = pb + <usize>panels * <usize>kcMax * (NR << 2);
  if (scratch == 0) ensure(pa + <usize>(MC + MR_MAX) * <usize>kcMax * 4);
  const t = gemmTile();
  const MR = gemmTileShape(t) & 0xff, mcBlock = rowBlock(MR);
  // One row block: pack each B panel right before its use. Several: pack all of B once per k slice.
  const perPanel = m <= mcBlock;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    if (!perPanel) packB(n, k, b, transB, p0, kc, j0, j1, pb);
    const acc = beta != 0 || p0 > 0 ? 1 : 0;
    for (let i0 = 0; i0 < m; i0 += mcBlock) {
      const mc = min(mcBlock, m - i0);
      packA(m, k, a, transA, i0, mc, p0, kc, pa, MR);
      macroKernel(t, mc, n, j0, j1, k, kc, p0, perPanel, b, transB, pa, pb, c + <usize>i0 * ldc, ldc, acc, spill);
    }
  }
}

/** Floats that `packAllB` writes for op(B) of shape (k, n): every k slice's 16-column panels, zero-padded. */
export function packedBFloats(k: i32, n: i32): i32 {
  return ((n + NR - 1) >> 4) * NR * k;
}

/**
 * Packs all of op(B) (k, n) once, in the layout `sgemmPackedColumns` reads: slice p0 (kc = min(KC, k - p0) rows)
 * starts at float p0 · panels · 16, and its panel q at q · kc · 16 within it. Weights that every step multiplies
 * by (h U, dG Uᵀ) are packed once per update instead of once per product.
 */
export function packAllB(k: i32, n: i32, b: usize, transB: i32, dst: usize): void {
  const panels = (n + NR - 1) >> 4;
  for (let p0 = 0; p0 < k; p0 += KC) {
    packB(n, k, b, transB, p0, min(KC, k - p0), 0, n, dst + ((<usize>p0 * <usize>panels * NR) << 2));
  }
}

/** The g-th of up to four block pointers. */
@inline function block(g: i32, s0: usize, s1: usize, s2: usize, s3: usize): usize {
  return g == 0 ? s0 : g == 1 ? s1 : g == 2 ? s2 : s3;
}

/**
 * `packAllB` for a matrix kept as G blocks side by side, each in its own place (a cell's per-gate weights U_i, U_f,
 * U_o, U_a): S = [S_0 | S_1 | ...] with S_g (r, w) row-major at s_g (G ≤ 4), and op(B) = S (k = r, n = G·w) or,
 * with transB, Sᵀ (k = G·w, n = r). Writes exactly what packAllB writes for S stored whole, so the weights are
 * packed straight from the tensors that hold them. Block edges inside a 16-column panel (w not a multiple of 16,
 * untransposed) are packed value by value; everything else through packB.
 */
export function packGatesB(k: i32, n: i32, transB: i32, G: i32, s0: usize, s1: usize, s2: usize, s3: usize, dst: usize): void {
  const panels = (n + NR - 1) >> 4;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const slice = dst + ((<usize>p0 * <usize>panels * NR) << 2);
    if (transB != 0) {
      // op(B)[p, j] = S_g[j, p - g·w] for p in block g: each block's part of the slice, one panel at a time.
      const w = k / G;
      for (let g = 0; g < G; g++) {
        const a = max(p0, g * w), e = min(p0 + kc, (g + 1) * w);
        if (a >= e) continue;
        if (e - a == kc) {
          // The whole slice lies in this block (w a multiple of the slice height): all its panels in one go.
          packB(n, w, block(g, s0, s1, s2, s3), 1, a - g * w, kc, 0, n, slice);
          continue;
        }
        for (let q = 0; q < panels; q++) {
          const at = slice + ((<usize>(q * kc + a - p0) * NR) << 2);
          packB(n, w, block(g, s0, s1, s2, s3), 1, a - g * w, e - a, q * NR, min(q * NR + NR, n), at);
        }
      }
      continue;
    }
    const w = n / G;
    if ((w & (NR - 1)) == 0) {
      // Every panel lies inside one block: block g's panels follow block g-1's.
      for (let g = 0; g < G; g++) packB(w, k, block(g, s0, s1, s2, s3), 0, p0, kc, 0, w, slice + ((<usize>(g * (w >> 4) * kc * NR)) << 2));
      continue;
    }
    let out = slice;
    for (let q = 0; q < panels; q++) {
      for (let p = 0; p < kc; p++) {
        for (let jj = 0; jj < NR; jj++) {
          const j = q * NR + jj;
          const from = block(j / w, s0, s1, s2, s3) + ((<usize>((p0 + p) * w + j % w)) << 2);
          store<f32>(out, j < n ? load<f32>(from) : 0);
          out += 4;
        }
      }
    }
  }
}

/** Columns [j0, j1) of C = op(A) B̂ + beta C, with B̂ packed by `packAllB`; as `sgemmColumns` otherwise. */
export function sgemmPackedColumns(m: i32, n: i32, k: i32, a: usize, packed: usize, c: usize, transA: i32, beta: i32, j0: i32, j1: i32, scratch: usize): void {
  const ldc = (<usize>n) << 2;
  if (j1 <= j0 || m <= 0) return;
  if (k == 0) {
    if (beta == 0) for (let i = 0; i < m; i++) memory.fill(c + <usize>i * ldc + ((<usize>j0) << 2), 0, (<usize>(j1 - j0)) << 2);
    return;
  }
  const panels = (n + NR - 1) >> 4;
  const kcMax = min(KC, k);
  const spill = scratch != 0 ? scratch : scratchBase();
  const pa = spill + SPILL;
  if (scratch == 0) ensure(pa + <usize>(MC + MR_MAX) * <usize>kcMax * 4);
  const rowPanels = m == 1 ? gemmRowTilePanels(gemmRowTile()) : 0;
  const t = gemmTile();
  const MR = gemmTileShape(t) & 0xff, mcBlock = rowBlock(MR);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const slice = packed + ((<usize>p0 * <usize>panels * NR) << 2);
    const pb = slice + <usize>(j0 >> 4) * <usize>kc * (NR << 2);
    const acc = beta != 0 || p0 > 0 ? 1 : 0;
    if (rowPanels > 0) {
      // One row (A's k values are contiguous either way): row tiles over `rowPanels` panels at a time.
      const panelBytes = <usize>kc * (NR << 2);
      for (let j = j0; j < j1; j += NR * rowPanels) {
        const count = min(rowPanels, (j1 - j + NR - 1) >> 4);
        tileRow(kc, a + ((<usize>p0) << 2), pb + <usize>((j - j0) >> 4) * panelBytes, panelBytes, count, c + ((<usize>j) << 2), min(NR * count, j1 - j), acc, spill);
      }
      continue;
    }
    for (let i0 = 0; i0 < m; i0 += mcBlock) {
      const mc = min(mcBlock, m - i0);
      packA(m, k, a, transA, i0, mc, p0, kc, pa, MR);
      macroKernel(t, mc, n, j0, j1, k, kc, p0, false, 0, 0, pa, pb, c + <usize>i0 * ldc, ldc, acc, spill);
    }
  }
}

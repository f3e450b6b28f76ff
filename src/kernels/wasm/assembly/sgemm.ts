// f32 general matrix multiply C = op(A) op(B) + beta C, row-major, same semantics as src/kernels/ref/gemm.ts.
// GotoBLAS-style blocking: for each KC slice of k, B is packed into 16-column panels [p][16] (zero-padded) and
// each MC block of A into row pairs [p][2] (zero-padded); a 2x16 register tile (8 f32x4 accumulators, separate
// mul + add) then walks a panel that stays in L1. Shapes: op(A) (M, K), op(B) (K, N), C (M, N); A is stored
// (K, M) if transA, B is stored (N, K) if transB. Pointers are byte offsets; the scratch area sits above `top`.
import { ensure, scratchBase } from './memory';

const NR = 16; // columns per register tile / packed B panel
const KC = 256; // k slice: a packed B panel is KC * 16 * 4 = 16 KiB
const MC = 128; // rows of A packed at once: MC * KC * 4 = 128 KiB

/** Packs rows [p0, p0 + kc) x columns [j0, j1) of op(B) into panels of kc rows of 16 floats (j0 % 16 == 0). */
function packB(n: i32, k: i32, b: usize, transB: i32, p0: i32, kc: i32, j0: i32, j1: i32, dst: usize): void {
  const nFull = min(j1, n & ~(NR - 1));
  if (transB == 0) {
    const stride = (<usize>n) << 2;
    for (let j = j0; j < nFull; j += NR) {
      let src = b + <usize>p0 * stride + ((<usize>j) << 2);
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        v128.store(dst, v128.load(src, 32), 32);
        v128.store(dst, v128.load(src, 48), 48);
        src += stride;
        dst += NR << 2;
      }
    }
    if (nFull < j1) {
      const w = j1 - nFull;
      for (let p = 0; p < kc; p++) {
        const src = b + <usize>(p0 + p) * stride + ((<usize>nFull) << 2);
        for (let jj = 0; jj < NR; jj++) store<f32>(dst + ((<usize>jj) << 2), jj < w ? load<f32>(src + ((<usize>jj) << 2)) : 0);
        dst += NR << 2;
      }
    }
    return;
  }
  // B stored (N, K): op(B)[p, j] = B[j * k + p]. 4x4 transposes of (4 columns j) x (4 values of p).
  const stride = (<usize>k) << 2;
  const kc4 = kc & ~3;
  for (let j = j0; j < j1; j += NR) {
    const w = min(NR, j1 - j);
    let jj = 0;
    for (; jj + 4 <= w; jj += 4) {
      const r0 = b + <usize>(j + jj) * stride + ((<usize>p0) << 2), r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride;
      let d = dst + ((<usize>jj) << 2);
      for (let p = 0; p < kc4; p += 4) {
        const o = (<usize>p) << 2;
        const v0 = v128.load(r0 + o), v1 = v128.load(r1 + o), v2 = v128.load(r2 + o), v3 = v128.load(r3 + o);
        const t0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5), t1 = i32x4.shuffle(v0, v1, 2, 6, 3, 7);
        const t2 = i32x4.shuffle(v2, v3, 0, 4, 1, 5), t3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
        v128.store(d, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
        v128.store(d, i32x4.shuffle(t0, t2, 2, 3, 6, 7), NR << 2);
        v128.store(d, i32x4.shuffle(t1, t3, 0, 1, 4, 5), NR << 3);
        v128.store(d, i32x4.shuffle(t1, t3, 2, 3, 6, 7), (NR << 3) + (NR << 2));
        d += NR << 4;
      }
      for (let p = kc4; p < kc; p++) {
        const o = (<usize>p) << 2;
        v128.store(d, f32x4(load<f32>(r0 + o), load<f32>(r1 + o), load<f32>(r2 + o), load<f32>(r3 + o)));
        d += NR << 2;
      }
    }
    for (; jj < NR; jj++) {
      let d = dst + ((<usize>jj) << 2);
      if (jj < w) {
        const r = b + <usize>(j + jj) * stride + ((<usize>p0) << 2);
        for (let p = 0; p < kc; p++) {
          store<f32>(d, load<f32>(r + ((<usize>p) << 2)));
          d += NR << 2;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          store<f32>(d, 0);
          d += NR << 2;
        }
      }
    }
    dst += <usize>kc * (NR << 2);
  }
}

/** Packs rows [i0, i0 + mc) x columns [p0, p0 + kc) of op(A) into row pairs [p][2]; an odd last row pairs with 0. */
function packA(m: i32, k: i32, a: usize, transA: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  const kc4 = kc & ~3;
  for (let i = i0; i < i0 + mc; i += 2) {
    const two = i + 1 < i0 + mc;
    if (transA != 0) {
      // A stored (K, M): op(A)[i, p] = A[p * m + i]; the pair is adjacent in memory.
      let src = a + <usize>p0 * ((<usize>m) << 2) + ((<usize>i) << 2);
      const stride = (<usize>m) << 2;
      for (let p = 0; p < kc; p++) {
        store<f32>(dst, load<f32>(src));
        store<f32>(dst, two ? load<f32>(src, 4) : 0, 4);
        src += stride;
        dst += 8;
      }
    } else {
      const r0 = a + <usize>i * ((<usize>k) << 2) + ((<usize>p0) << 2);
      const r1 = r0 + ((<usize>k) << 2);
      let p = 0;
      if (two) {
        for (; p < kc4; p += 4) {
          const o = (<usize>p) << 2;
          const v0 = v128.load(r0 + o), v1 = v128.load(r1 + o);
          v128.store(dst, i32x4.shuffle(v0, v1, 0, 4, 1, 5));
          v128.store(dst, i32x4.shuffle(v0, v1, 2, 6, 3, 7), 16);
          dst += 32;
        }
      }
      for (; p < kc; p++) {
        store<f32>(dst, load<f32>(r0 + ((<usize>p) << 2)));
        store<f32>(dst, two ? load<f32>(r1 + ((<usize>p) << 2)) : 0, 4);
        dst += 8;
      }
    }
  }
}

/** Writes (acc == 0) or adds (acc != 0) an mr x nr corner of a tile spilled to `tile` (2 rows of 16) into C. */
function storeEdge(tile: usize, c: usize, ldc: usize, mr: i32, nr: i32, acc: i32): void {
  for (let r = 0; r < mr; r++) {
    const src = tile + <usize>r * (NR << 2);
    const dst = c + <usize>r * ldc;
    for (let j = 0; j < nr; j++) {
      const o = (<usize>j) << 2;
      const v = load<f32>(src + o);
      store<f32>(dst + o, acc != 0 ? load<f32>(dst + o) + v : v);
    }
  }
}

/**
 * C (+)= packed A block x op(B) panels for one MC x KC block; acc selects accumulate vs overwrite. With perPanel,
 * each panel is packed into pb just before use (stays in L1); otherwise pb already holds every panel.
 */
function macroKernel(mc: i32, n: i32, j0: i32, j1: i32, k: i32, kc: i32, p0: i32, perPanel: bool, b: usize, transB: i32, pa: usize, pb: usize, c: usize, ldc: usize, acc: i32, tile: usize): void {
  for (let j = j0; j < j1; j += NR) {
    const nr = min(NR, j1 - j);
    let bPanel = pb;
    // Full panels of an untransposed B are packed by the first row pair while it computes (fused).
    const fuse = perPanel && transB == 0 && nr == NR;
    if (perPanel && !fuse) packB(n, k, b, transB, p0, kc, j, j + nr, pb);
    else bPanel = pb + <usize>((j - j0) >> 4) * <usize>kc * (NR << 2);
    for (let i = 0; i < mc; i += 2) {
      const mr = min(2, mc - i);
      let ap = pa + <usize>i * ((<usize>kc) << 2);
      let bp = bPanel;
      let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00;
      let c10 = c00, c11 = c00, c12 = c00, c13 = c00;
      if (fuse && i == 0) {
        const ldb = (<usize>n) << 2;
        let src = b + <usize>p0 * ldb + ((<usize>j) << 2);
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
      } else for (let p = 0; p < kc; p++) {
        const a0 = v128.load32_splat(ap), a1 = v128.load32_splat(ap, 4);
        const b0 = v128.load(bp), b1 = v128.load(bp, 16), b2 = v128.load(bp, 32), b3 = v128.load(bp, 48);
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
      }
      const c0 = c + <usize>i * ldc + ((<usize>j) << 2);
      if (mr == 2 && nr == NR) {
        const c1 = c0 + ldc;
        if (acc != 0) {
          c00 = f32x4.add(c00, v128.load(c0));
          c01 = f32x4.add(c01, v128.load(c0, 16));
          c02 = f32x4.add(c02, v128.load(c0, 32));
          c03 = f32x4.add(c03, v128.load(c0, 48));
          c10 = f32x4.add(c10, v128.load(c1));
          c11 = f32x4.add(c11, v128.load(c1, 16));
          c12 = f32x4.add(c12, v128.load(c1, 32));
          c13 = f32x4.add(c13, v128.load(c1, 48));
        }
        v128.store(c0, c00);
        v128.store(c0, c01, 16);
        v128.store(c0, c02, 32);
        v128.store(c0, c03, 48);
        v128.store(c1, c10);
        v128.store(c1, c11, 16);
        v128.store(c1, c12, 32);
        v128.store(c1, c13, 48);
      } else {
        v128.store(tile, c00);
        v128.store(tile, c01, 16);
        v128.store(tile, c02, 32);
        v128.store(tile, c03, 48);
        v128.store(tile, c10, 64);
        v128.store(tile, c11, 80);
        v128.store(tile, c12, 96);
        v128.store(tile, c13, 112);
        storeEdge(tile, c0, ldc, mr, nr, acc);
      }
    }
  }
}

export function sgemmBlocked(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, transA: i32, transB: i32, beta: i32): void {
  sgemmColumns(m, n, k, a, b, c, transA, transB, beta, 0, n, 0);
}

/** Bytes of packing scratch `sgemmColumns` needs for a column range of width w (at most) and depth k. */
export function sgemmScratchBytes(w: i32, k: i32): usize {
  const panels = (w + NR - 1) >> 4;
  const kcMax = min(KC, k);
  return 2 * (NR << 2) + <usize>panels * <usize>kcMax * (NR << 2) + <usize>(MC + 1) * <usize>kcMax * 4 + 64;
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
  const tile = scratch != 0 ? scratch : scratchBase();
  const pb = tile + 2 * (NR << 2);
  const pa = pb + <usize>panels * <usize>kcMax * (NR << 2);
  if (scratch == 0) ensure(pa + <usize>(MC + 1) * <usize>kcMax * 4);
  // One row block: pack each B panel right before its use. Several: pack all of B once per k slice.
  const perPanel = m <= MC;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    if (!perPanel) packB(n, k, b, transB, p0, kc, j0, j1, pb);
    const acc = beta != 0 || p0 > 0 ? 1 : 0;
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mc = min(MC, m - i0);
      packA(m, k, a, transA, i0, mc, p0, kc, pa);
      macroKernel(mc, n, j0, j1, k, kc, p0, perPanel, b, transB, pa, pb, c + <usize>i0 * ldc, ldc, acc, tile);
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
  const tile = scratch != 0 ? scratch : scratchBase();
  const pa = tile + 2 * (NR << 2);
  if (scratch == 0) ensure(pa + <usize>(MC + 1) * <usize>kcMax * 4);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const slice = packed + ((<usize>p0 * <usize>panels * NR) << 2);
    const pb = slice + <usize>(j0 >> 4) * <usize>kc * (NR << 2);
    const acc = beta != 0 || p0 > 0 ? 1 : 0;
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mc = min(MC, m - i0);
      packA(m, k, a, transA, i0, mc, p0, kc, pa);
      macroKernel(mc, n, j0, j1, k, kc, p0, false, 0, 0, pa, pb, c + <usize>i0 * ldc, ldc, acc, tile);
    }
  }
}

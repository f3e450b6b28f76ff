// Packing for sgemm (sgemm.ts): op(B) into panels of 16 columns [p][16] (zero-padded), the layout every register
// tile reads (tiles.ts) and the one weights are packed in once per update (packAllB); op(A) into groups of MR rows
// [p][MR] (zero-padded), the layout of the tile in use. Shapes: op(A) (M, K), op(B) (K, N); A stored (K, M) if
// transA, B stored (N, K) if transB. Pointers are byte offsets.

export const NR = 16; // columns per packed B panel

/** Packs rows [p0, p0 + kc) x columns [j0, j1) of op(B) into panels of kc rows of 16 floats (j0 % 16 == 0). */
export function packB(n: i32, k: i32, b: usize, transB: i32, p0: i32, kc: i32, j0: i32, j1: i32, dst: usize): void {
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
function packPairs(m: i32, k: i32, a: usize, transA: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
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

/** Packs rows [i0, i0 + mc) x columns [p0, p0 + kc) of op(A) into groups of MR rows [p][MR], zero-padded. */
export function packA(m: i32, k: i32, a: usize, transA: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize, MR: i32): void {
  if (MR == 2) {
    packPairs(m, k, a, transA, i0, mc, p0, kc, dst);
    return;
  }
  const step = (<usize>MR) << 2;
  for (let i = i0; i < i0 + mc; i += MR) {
    const rows = min(MR, i0 + mc - i);
    if (transA != 0) {
      // A stored (K, M): the group's values of one p are adjacent in memory.
      const stride = (<usize>m) << 2;
      let src = a + <usize>p0 * stride + ((<usize>i) << 2);
      for (let p = 0; p < kc; p++) {
        if (rows == 4 && MR == 4) v128.store(dst, v128.load(src));
        else for (let r = 0; r < MR; r++) store<f32>(dst + ((<usize>r) << 2), r < rows ? load<f32>(src + ((<usize>r) << 2)) : 0);
        src += stride;
        dst += step;
      }
    } else {
      const ld = (<usize>k) << 2;
      const r0 = a + <usize>i * ld + ((<usize>p0) << 2);
      let p = 0;
      if (rows == 4 && MR == 4) {
        // 4x4 transposes: four rows' values of p..p+3 become four [p][4] groups.
        const r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
        for (; p + 4 <= kc; p += 4) {
          const o = (<usize>p) << 2;
          const v0 = v128.load(r0 + o), v1 = v128.load(r1 + o), v2 = v128.load(r2 + o), v3 = v128.load(r3 + o);
          const t0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5), t1 = i32x4.shuffle(v0, v1, 2, 6, 3, 7);
          const t2 = i32x4.shuffle(v2, v3, 0, 4, 1, 5), t3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
          v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
          v128.store(dst, i32x4.shuffle(t0, t2, 2, 3, 6, 7), 16);
          v128.store(dst, i32x4.shuffle(t1, t3, 0, 1, 4, 5), 32);
          v128.store(dst, i32x4.shuffle(t1, t3, 2, 3, 6, 7), 48);
          dst += 64;
        }
      }
      for (; p < kc; p++) {
        const o = (<usize>p) << 2;
        for (let r = 0; r < MR; r++) store<f32>(dst + ((<usize>r) << 2), r < rows ? load<f32>(r0 + <usize>r * ld + o) : 0);
        dst += step;
      }
    }
  }
}

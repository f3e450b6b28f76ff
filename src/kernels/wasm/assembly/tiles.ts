// The sgemm register tiles: C[MR × W] (+)= A[MR × kc] · B̂[kc × W] for one k slice, each a different shape of the
// same sums. Every tile adds a[i, p]·b[p, j] into its accumulator in order p = 0, 1, ..., kc-1 (separate mul and
// add, from zero) and only then adds the old C, so every tile gives every element bit for bit the same value:
// which tile runs is a matter of speed alone, chosen by timing (src/kernels/wasm/gemm-variants.ts).
// Layouts: A packed in groups of MR rows, [p][MR]; B̂ in panels of 16 columns, [p][16] (64 bytes per p), a tile of
// width 8 reading half of one, a row tile of width 32 or 48 reading two or three adjacent panels (`panelBytes`
// apart). Pointers are byte offsets; `spill` is 4 x 16 floats of scratch for tiles cut by the edge of C.
// Shapes: op(A) (M, K), B̂ (K, N), C (M, N) row-major, ldc its row stride in bytes.

const ROW = 64; // bytes per p in a B̂ panel: 16 floats

/** Writes (acc == 0) or adds (acc != 0) the mr x nr corner of a tile spilled as rows of `stride` bytes into C. */
function storeEdge(spill: usize, stride: usize, c: usize, ldc: usize, mr: i32, nr: i32, acc: i32): void {
  for (let r = 0; r < mr; r++) {
    const src = spill + <usize>r * stride;
    const dst = c + <usize>r * ldc;
    for (let j = 0; j < nr; j++) {
      const o = (<usize>j) << 2;
      const v = load<f32>(src + o);
      store<f32>(dst + o, acc != 0 ? load<f32>(dst + o) + v : v);
    }
  }
}

/** Stores one row of 8 floats (two vectors) at `c`, added to what is there when acc != 0. */
@inline function store8(c: usize, x0: v128, x1: v128, acc: i32): void {
  if (acc != 0) {
    x0 = f32x4.add(x0, v128.load(c));
    x1 = f32x4.add(x1, v128.load(c, 16));
  }
  v128.store(c, x0);
  v128.store(c, x1, 16);
}

/** Stores one row of 16 floats (four vectors) at `c`, added to what is there when acc != 0. */
@inline function store16(c: usize, x0: v128, x1: v128, x2: v128, x3: v128, acc: i32): void {
  store8(c, x0, x1, acc);
  store8(c + 32, x2, x3, acc);
}

/** 2 x 16: 8 accumulators, per p two broadcasts of A and four vectors of B̂. `unroll` 2 takes two p per pass. */
export function tile2x16(kc: i32, a: usize, b: usize, c: usize, ldc: usize, mr: i32, nr: i32, acc: i32, spill: usize, unroll: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00;
  let c10 = c00, c11 = c00, c12 = c00, c13 = c00;
  let p = 0;
  if (unroll == 2) {
    for (; p + 2 <= kc; p += 2) {
      let a0 = v128.load32_splat(a), a1 = v128.load32_splat(a, 4);
      let b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32), b3 = v128.load(b, 48);
      c00 = f32x4.add(c00, f32x4.mul(a0, b0));
      c01 = f32x4.add(c01, f32x4.mul(a0, b1));
      c02 = f32x4.add(c02, f32x4.mul(a0, b2));
      c03 = f32x4.add(c03, f32x4.mul(a0, b3));
      c10 = f32x4.add(c10, f32x4.mul(a1, b0));
      c11 = f32x4.add(c11, f32x4.mul(a1, b1));
      c12 = f32x4.add(c12, f32x4.mul(a1, b2));
      c13 = f32x4.add(c13, f32x4.mul(a1, b3));
      a0 = v128.load32_splat(a, 8);
      a1 = v128.load32_splat(a, 12);
      b0 = v128.load(b, ROW);
      b1 = v128.load(b, ROW + 16);
      b2 = v128.load(b, ROW + 32);
      b3 = v128.load(b, ROW + 48);
      c00 = f32x4.add(c00, f32x4.mul(a0, b0));
      c01 = f32x4.add(c01, f32x4.mul(a0, b1));
      c02 = f32x4.add(c02, f32x4.mul(a0, b2));
      c03 = f32x4.add(c03, f32x4.mul(a0, b3));
      c10 = f32x4.add(c10, f32x4.mul(a1, b0));
      c11 = f32x4.add(c11, f32x4.mul(a1, b1));
      c12 = f32x4.add(c12, f32x4.mul(a1, b2));
      c13 = f32x4.add(c13, f32x4.mul(a1, b3));
      a += 16;
      b += 2 * ROW;
    }
  }
  for (; p < kc; p++) {
    const a0 = v128.load32_splat(a), a1 = v128.load32_splat(a, 4);
    const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32), b3 = v128.load(b, 48);
    c00 = f32x4.add(c00, f32x4.mul(a0, b0));
    c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    c02 = f32x4.add(c02, f32x4.mul(a0, b2));
    c03 = f32x4.add(c03, f32x4.mul(a0, b3));
    c10 = f32x4.add(c10, f32x4.mul(a1, b0));
    c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    c12 = f32x4.add(c12, f32x4.mul(a1, b2));
    c13 = f32x4.add(c13, f32x4.mul(a1, b3));
    a += 8;
    b += ROW;
  }
  if (mr == 2 && nr == 16) {
    store16(c, c00, c01, c02, c03, acc);
    store16(c + ldc, c10, c11, c12, c13, acc);
    return;
  }
  store16(spill, c00, c01, c02, c03, 0);
  store16(spill + 64, c10, c11, c12, c13, 0);
  storeEdge(spill, 64, c, ldc, mr, nr, acc);
}

/**
 * 4 x 16: 16 accumulators, per p four vectors of B̂ and each row's broadcast as it is used: for engines with 32
 * SIMD registers (arm64); where there are 16 (x64) some spill, and the timing says so.
 */
export function tile4x16(kc: i32, a: usize, b: usize, c: usize, ldc: usize, mr: i32, nr: i32, acc: i32, spill: usize): void {
  let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
  let c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32), b3 = v128.load(b, 48);
    let x = v128.load32_splat(a);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    c02 = f32x4.add(c02, f32x4.mul(x, b2));
    c03 = f32x4.add(c03, f32x4.mul(x, b3));
    x = v128.load32_splat(a, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    c12 = f32x4.add(c12, f32x4.mul(x, b2));
    c13 = f32x4.add(c13, f32x4.mul(x, b3));
    x = v128.load32_splat(a, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0));
    c21 = f32x4.add(c21, f32x4.mul(x, b1));
    c22 = f32x4.add(c22, f32x4.mul(x, b2));
    c23 = f32x4.add(c23, f32x4.mul(x, b3));
    x = v128.load32_splat(a, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0));
    c31 = f32x4.add(c31, f32x4.mul(x, b1));
    c32 = f32x4.add(c32, f32x4.mul(x, b2));
    c33 = f32x4.add(c33, f32x4.mul(x, b3));
    a += 16;
    b += ROW;
  }
  if (mr == 4 && nr == 16) {
    store16(c, c00, c01, c02, c03, acc);
    store16(c + ldc, c10, c11, c12, c13, acc);
    store16(c + 2 * ldc, c20, c21, c22, c23, acc);
    store16(c + 3 * ldc, c30, c31, c32, c33, acc);
    return;
  }
  store16(spill, c00, c01, c02, c03, 0);
  store16(spill + 64, c10, c11, c12, c13, 0);
  store16(spill + 128, c20, c21, c22, c23, 0);
  store16(spill + 192, c30, c31, c32, c33, 0);
  storeEdge(spill, 64, c, ldc, mr, nr, acc);
}

/** 4 x 8: 8 accumulators, per p four broadcasts of A and two vectors of half a B̂ panel. */
export function tile4x8(kc: i32, a: usize, b: usize, c: usize, ldc: usize, mr: i32, nr: i32, acc: i32, spill: usize, unroll: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00;
  let c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  let p = 0;
  if (unroll == 2) {
    for (; p + 2 <= kc; p += 2) {
      let b0 = v128.load(b), b1 = v128.load(b, 16);
      let a0 = v128.load32_splat(a), a1 = v128.load32_splat(a, 4), a2 = v128.load32_splat(a, 8), a3 = v128.load32_splat(a, 12);
      c00 = f32x4.add(c00, f32x4.mul(a0, b0));
      c01 = f32x4.add(c01, f32x4.mul(a0, b1));
      c10 = f32x4.add(c10, f32x4.mul(a1, b0));
      c11 = f32x4.add(c11, f32x4.mul(a1, b1));
      c20 = f32x4.add(c20, f32x4.mul(a2, b0));
      c21 = f32x4.add(c21, f32x4.mul(a2, b1));
      c30 = f32x4.add(c30, f32x4.mul(a3, b0));
      c31 = f32x4.add(c31, f32x4.mul(a3, b1));
      b0 = v128.load(b, ROW);
      b1 = v128.load(b, ROW + 16);
      a0 = v128.load32_splat(a, 16);
      a1 = v128.load32_splat(a, 20);
      a2 = v128.load32_splat(a, 24);
      a3 = v128.load32_splat(a, 28);
      c00 = f32x4.add(c00, f32x4.mul(a0, b0));
      c01 = f32x4.add(c01, f32x4.mul(a0, b1));
      c10 = f32x4.add(c10, f32x4.mul(a1, b0));
      c11 = f32x4.add(c11, f32x4.mul(a1, b1));
      c20 = f32x4.add(c20, f32x4.mul(a2, b0));
      c21 = f32x4.add(c21, f32x4.mul(a2, b1));
      c30 = f32x4.add(c30, f32x4.mul(a3, b0));
      c31 = f32x4.add(c31, f32x4.mul(a3, b1));
      a += 32;
      b += 2 * ROW;
    }
  }
  for (; p < kc; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    const a0 = v128.load32_splat(a), a1 = v128.load32_splat(a, 4), a2 = v128.load32_splat(a, 8), a3 = v128.load32_splat(a, 12);
    c00 = f32x4.add(c00, f32x4.mul(a0, b0));
    c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    c10 = f32x4.add(c10, f32x4.mul(a1, b0));
    c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    c20 = f32x4.add(c20, f32x4.mul(a2, b0));
    c21 = f32x4.add(c21, f32x4.mul(a2, b1));
    c30 = f32x4.add(c30, f32x4.mul(a3, b0));
    c31 = f32x4.add(c31, f32x4.mul(a3, b1));
    a += 16;
    b += ROW;
  }
  if (mr == 4 && nr == 8) {
    store8(c, c00, c01, acc);
    store8(c + ldc, c10, c11, acc);
    store8(c + 2 * ldc, c20, c21, acc);
    store8(c + 3 * ldc, c30, c31, acc);
    return;
  }
  store8(spill, c00, c01, 0);
  store8(spill + 32, c10, c11, 0);
  store8(spill + 64, c20, c21, 0);
  store8(spill + 96, c30, c31, 0);
  storeEdge(spill, 32, c, ldc, mr, nr, acc);
}

/** 6 x 8: 12 accumulators, per p two vectors of half a B̂ panel, each row's broadcast taken as it is used. */
export function tile6x8(kc: i32, a: usize, b: usize, c: usize, ldc: usize, mr: i32, nr: i32, acc: i32, spill: usize): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  let c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(a, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(a, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0));
    c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(a, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0));
    c31 = f32x4.add(c31, f32x4.mul(x, b1));
    x = v128.load32_splat(a, 16);
    c40 = f32x4.add(c40, f32x4.mul(x, b0));
    c41 = f32x4.add(c41, f32x4.mul(x, b1));
    x = v128.load32_splat(a, 20);
    c50 = f32x4.add(c50, f32x4.mul(x, b0));
    c51 = f32x4.add(c51, f32x4.mul(x, b1));
    a += 24;
    b += ROW;
  }
  if (mr == 6 && nr == 8) {
    store8(c, c00, c01, acc);
    store8(c + ldc, c10, c11, acc);
    store8(c + 2 * ldc, c20, c21, acc);
    store8(c + 3 * ldc, c30, c31, acc);
    store8(c + 4 * ldc, c40, c41, acc);
    store8(c + 5 * ldc, c50, c51, acc);
    return;
  }
  store8(spill, c00, c01, 0);
  store8(spill + 32, c10, c11, 0);
  store8(spill + 64, c20, c21, 0);
  store8(spill + 96, c30, c31, 0);
  store8(spill + 128, c40, c41, 0);
  store8(spill + 160, c50, c51, 0);
  storeEdge(spill, 32, c, ldc, mr, nr, acc);
}

/**
 * One row of C (m = 1: generation's products) over `panels` (1, 2 or 3) adjacent B̂ panels, `panelBytes` apart:
 * 4, 8 or 12 accumulators. `a` is the row itself (contiguous whether or not A is transposed); nr columns stored.
 */
export function tileRow(kc: i32, a: usize, b: usize, panelBytes: usize, panels: i32, c: usize, nr: i32, acc: i32, spill: usize): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, d0 = c0, d1 = c0, d2 = c0, d3 = c0, e0 = c0, e1 = c0, e2 = c0, e3 = c0;
  if (panels == 3) {
    const b2nd = b + panelBytes, b3rd = b + 2 * panelBytes;
    for (let p = 0; p < kc; p++) {
      const x = v128.load32_splat(a + ((<usize>p) << 2));
      const o = <usize>p * ROW;
      c0 = f32x4.add(c0, f32x4.mul(x, v128.load(b + o)));
      c1 = f32x4.add(c1, f32x4.mul(x, v128.load(b + o, 16)));
      c2 = f32x4.add(c2, f32x4.mul(x, v128.load(b + o, 32)));
      c3 = f32x4.add(c3, f32x4.mul(x, v128.load(b + o, 48)));
      d0 = f32x4.add(d0, f32x4.mul(x, v128.load(b2nd + o)));
      d1 = f32x4.add(d1, f32x4.mul(x, v128.load(b2nd + o, 16)));
      d2 = f32x4.add(d2, f32x4.mul(x, v128.load(b2nd + o, 32)));
      d3 = f32x4.add(d3, f32x4.mul(x, v128.load(b2nd + o, 48)));
      e0 = f32x4.add(e0, f32x4.mul(x, v128.load(b3rd + o)));
      e1 = f32x4.add(e1, f32x4.mul(x, v128.load(b3rd + o, 16)));
      e2 = f32x4.add(e2, f32x4.mul(x, v128.load(b3rd + o, 32)));
      e3 = f32x4.add(e3, f32x4.mul(x, v128.load(b3rd + o, 48)));
    }
  } else if (panels == 2) {
    const b2nd = b + panelBytes;
    for (let p = 0; p < kc; p++) {
      const x = v128.load32_splat(a + ((<usize>p) << 2));
      const o = <usize>p * ROW;
      c0 = f32x4.add(c0, f32x4.mul(x, v128.load(b + o)));
      c1 = f32x4.add(c1, f32x4.mul(x, v128.load(b + o, 16)));
      c2 = f32x4.add(c2, f32x4.mul(x, v128.load(b + o, 32)));
      c3 = f32x4.add(c3, f32x4.mul(x, v128.load(b + o, 48)));
      d0 = f32x4.add(d0, f32x4.mul(x, v128.load(b2nd + o)));
      d1 = f32x4.add(d1, f32x4.mul(x, v128.load(b2nd + o, 16)));
      d2 = f32x4.add(d2, f32x4.mul(x, v128.load(b2nd + o, 32)));
      d3 = f32x4.add(d3, f32x4.mul(x, v128.load(b2nd + o, 48)));
    }
  } else {
    for (let p = 0; p < kc; p++) {
      const x = v128.load32_splat(a + ((<usize>p) << 2));
      const o = <usize>p * ROW;
      c0 = f32x4.add(c0, f32x4.mul(x, v128.load(b + o)));
      c1 = f32x4.add(c1, f32x4.mul(x, v128.load(b + o, 16)));
      c2 = f32x4.add(c2, f32x4.mul(x, v128.load(b + o, 32)));
      c3 = f32x4.add(c3, f32x4.mul(x, v128.load(b + o, 48)));
    }
  }
  if (nr == 16 * panels) {
    store16(c, c0, c1, c2, c3, acc);
    if (panels > 1) store16(c + 64, d0, d1, d2, d3, acc);
    if (panels > 2) store16(c + 128, e0, e1, e2, e3, acc);
    return;
  }
  store16(spill, c0, c1, c2, c3, 0);
  store16(spill + 64, d0, d1, d2, d3, 0);
  store16(spill + 128, e0, e1, e2, e3, 0);
  storeEdge(spill, 192, c, 0, 1, nr, acc);
}

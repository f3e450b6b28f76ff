// Matrix-vector products in f32 for the degenerate gemm shapes (m = 1: batch-1 generation; n = 1), where the
// 2x16 tile would waste most of its lanes. M is row-major (rows, cols); pointers are byte offsets.
// gemvDot:    y[r] (+)= sum_c M[r, c] x[c]   (x: cols, y: rows) — contiguous dot products, 4 rows at a time.
// gemvStream: y[c] (+)= sum_r x[r] M[r, c]   (x: rows, y: cols) — streams 4 rows of M into y at a time.

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

export function gemvDot(rows: i32, cols: i32, mPtr: usize, xPtr: usize, yPtr: usize, beta: i32): void {
  const stride = (<usize>cols) << 2;
  const c4 = cols & ~3;
  const c8 = cols & ~7;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const m0 = mPtr + <usize>r * stride, m1 = m0 + stride, m2 = m1 + stride, m3 = m2 + stride;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    let c = 0;
    for (; c < c8; c += 8) {
      const o = (<usize>c) << 2;
      const x0 = v128.load(xPtr + o), x1 = v128.load(xPtr + o, 16);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(m0 + o), x0));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(m1 + o), x0));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(m2 + o), x0));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(m3 + o), x0));
      b0 = f32x4.add(b0, f32x4.mul(v128.load(m0 + o, 16), x1));
      b1 = f32x4.add(b1, f32x4.mul(v128.load(m1 + o, 16), x1));
      b2 = f32x4.add(b2, f32x4.mul(v128.load(m2 + o, 16), x1));
      b3 = f32x4.add(b3, f32x4.mul(v128.load(m3 + o, 16), x1));
    }
    for (; c < c4; c += 4) {
      const o = (<usize>c) << 2;
      const x0 = v128.load(xPtr + o);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(m0 + o), x0));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(m1 + o), x0));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(m2 + o), x0));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(m3 + o), x0));
    }
    let s0 = hsum(f32x4.add(a0, b0)), s1 = hsum(f32x4.add(a1, b1));
    let s2 = hsum(f32x4.add(a2, b2)), s3 = hsum(f32x4.add(a3, b3));
    for (; c < cols; c++) {
      const o = (<usize>c) << 2;
      const xc = load<f32>(xPtr + o);
      s0 += load<f32>(m0 + o) * xc;
      s1 += load<f32>(m1 + o) * xc;
      s2 += load<f32>(m2 + o) * xc;
      s3 += load<f32>(m3 + o) * xc;
    }
    const y = yPtr + ((<usize>r) << 2);
    if (beta != 0) {
      s0 += load<f32>(y);
      s1 += load<f32>(y, 4);
      s2 += load<f32>(y, 8);
      s3 += load<f32>(y, 12);
    }
    store<f32>(y, s0);
    store<f32>(y, s1, 4);
    store<f32>(y, s2, 8);
    store<f32>(y, s3, 12);
  }
  for (; r < rows; r++) {
    const m0 = mPtr + <usize>r * stride;
    let a0 = f32x4.splat(0);
    let c = 0;
    for (; c < c4; c += 4) a0 = f32x4.add(a0, f32x4.mul(v128.load(m0 + ((<usize>c) << 2)), v128.load(xPtr + ((<usize>c) << 2))));
    let s0 = hsum(a0);
    for (; c < cols; c++) s0 += load<f32>(m0 + ((<usize>c) << 2)) * load<f32>(xPtr + ((<usize>c) << 2));
    const y = yPtr + ((<usize>r) << 2);
    store<f32>(y, beta != 0 ? s0 + load<f32>(y) : s0);
  }
}

export function gemvStream(rows: i32, cols: i32, mPtr: usize, xPtr: usize, yPtr: usize, beta: i32): void {
  const stride = (<usize>cols) << 2;
  const c4 = cols & ~3;
  if (beta == 0) memory.fill(yPtr, 0, stride);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const x = xPtr + ((<usize>r) << 2);
    const x0 = v128.load32_splat(x), x1 = v128.load32_splat(x, 4), x2 = v128.load32_splat(x, 8), x3 = v128.load32_splat(x, 12);
    const m0 = mPtr + <usize>r * stride, m1 = m0 + stride, m2 = m1 + stride, m3 = m2 + stride;
    let c = 0;
    for (; c < c4; c += 4) {
      const o = (<usize>c) << 2;
      const s = f32x4.add(
        f32x4.add(f32x4.mul(v128.load(m0 + o), x0), f32x4.mul(v128.load(m1 + o), x1)),
        f32x4.add(f32x4.mul(v128.load(m2 + o), x2), f32x4.mul(v128.load(m3 + o), x3)),
      );
      v128.store(yPtr + o, f32x4.add(v128.load(yPtr + o), s));
    }
    const s0 = f32x4.extract_lane(x0, 0), s1 = f32x4.extract_lane(x1, 0);
    const s2 = f32x4.extract_lane(x2, 0), s3 = f32x4.extract_lane(x3, 0);
    for (; c < cols; c++) {
      const o = (<usize>c) << 2;
      const s = load<f32>(m0 + o) * s0 + load<f32>(m1 + o) * s1 + (load<f32>(m2 + o) * s2 + load<f32>(m3 + o) * s3);
      store<f32>(yPtr + o, load<f32>(yPtr + o) + s);
    }
  }
  for (; r < rows; r++) {
    const xr = load<f32>(xPtr + ((<usize>r) << 2));
    const x0 = f32x4.splat(xr);
    const m0 = mPtr + <usize>r * stride;
    let c = 0;
    for (; c < c4; c += 4) {
      const o = (<usize>c) << 2;
      v128.store(yPtr + o, f32x4.add(v128.load(yPtr + o), f32x4.mul(v128.load(m0 + o), x0)));
    }
    for (; c < cols; c++) {
      const o = (<usize>c) << 2;
      store<f32>(yPtr + o, load<f32>(yPtr + o) + load<f32>(m0 + o) * xr);
    }
  }
}

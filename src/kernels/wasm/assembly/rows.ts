// Row-wise helpers of the fused engine, as in src/kernels/ref/rows.ts: gather rows by id (one-hot input as a
// lookup), scatter-add (its gradient), fill rows with a bias, column sums, y += x, flushing tiny gradients to zero,
// one gate's columns out of a packed matrix and back in.
// Shapes: tables (V, W); rows (N, W); ids (N,) i32; bias (W,). Pointers are byte offsets.

@inline function at(p: usize, k: i32): usize {
  return p + ((<usize>k) << 2);
}

/** out[r] = table[ids[r]] + bias (no bias when bias == 0). */
export function gatherRows(n: i32, width: i32, table: usize, ids: usize, bias: usize, out: usize): void {
  for (let r = 0; r < n; r++) {
    const src = at(table, load<i32>(at(ids, r)) * width);
    const dst = at(out, r * width);
    let j = 0;
    if (bias != 0) {
      for (; j + 4 <= width; j += 4) v128.store(at(dst, j), f32x4.add(v128.load(at(src, j)), v128.load(at(bias, j))));
      for (; j < width; j++) store<f32>(at(dst, j), load<f32>(at(src, j)) + load<f32>(at(bias, j)));
    } else {
      memory.copy(dst, src, (<usize>width) << 2);
    }
  }
}

/** table[ids[r]] += src[r]. */
export function scatterAddRows(n: i32, width: i32, src: usize, ids: usize, table: usize): void {
  for (let r = 0; r < n; r++) {
    const dst = at(table, load<i32>(at(ids, r)) * width);
    const from = at(src, r * width);
    let j = 0;
    for (; j + 4 <= width; j += 4) v128.store(at(dst, j), f32x4.add(v128.load(at(dst, j)), v128.load(at(from, j))));
    for (; j < width; j++) store<f32>(at(dst, j), load<f32>(at(dst, j)) + load<f32>(at(from, j)));
  }
}

export function fillRows(n: i32, width: i32, bias: usize, out: usize): void {
  for (let r = 0; r < n; r++) memory.copy(at(out, r * width), bias, (<usize>width) << 2);
}

/** out += Σ_r src[r]. */
export function addColumnSums(n: i32, width: i32, src: usize, out: usize): void {
  for (let r = 0; r < n; r++) {
    const from = at(src, r * width);
    let j = 0;
    for (; j + 4 <= width; j += 4) v128.store(at(out, j), f32x4.add(v128.load(at(out, j)), v128.load(at(from, j))));
    for (; j < width; j++) store<f32>(at(out, j), load<f32>(at(out, j)) + load<f32>(at(from, j)));
  }
}

/** y += x over n floats. */
export function addInPlace(n: i32, x: usize, y: usize): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) v128.store(at(y, k), f32x4.add(v128.load(at(y, k)), v128.load(at(x, k))));
  for (; k < n; k++) store<f32>(at(y, k), load<f32>(at(y, k)) + load<f32>(at(x, k)));
}

/**
 * Zeroes every value below 2^-100 in magnitude over n floats (see src/kernels/ref/rows.ts: gradients that small
 * would turn into subnormal floats in the next products, and subnormal arithmetic costs a hundred times more).
 */
export function flushTiny(n: i32, p: usize): void {
  const tiny = f32x4.splat(TINY);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const v = v128.load(at(p, k));
    v128.store(at(p, k), v128.andnot(v, f32x4.lt(f32x4.abs(v), tiny)));
  }
  for (; k < n; k++) if (Mathf.abs(load<f32>(at(p, k))) < TINY) store<f32>(at(p, k), 0);
}

/** 2^-100. */
const TINY: f32 = 7.888609052210118e-31;

/**
 * dst (rows, width) = columns g·width .. g·width + width - 1 of src (rows, G·width) + beta · dst: one gate out of a
 * packed matrix, copied (beta 0) or added (beta 1).
 */
export function gatherColumns(rows: i32, width: i32, G: i32, src: usize, g: i32, dst: usize, beta: i32): void {
  const bytes = (<usize>width) << 2;
  for (let r = 0; r < rows; r++) {
    const from = at(src, r * G * width + g * width);
    const to = at(dst, r * width);
    if (beta == 0) {
      memory.copy(to, from, bytes);
      continue;
    }
    let j = 0;
    for (; j + 4 <= width; j += 4) v128.store(at(to, j), f32x4.add(v128.load(at(to, j)), v128.load(at(from, j))));
    for (; j < width; j++) store<f32>(at(to, j), load<f32>(at(to, j)) + load<f32>(at(from, j)));
  }
}

/** Columns g·width .. g·width + width - 1 of dst (rows, G·width) = src (rows, width): one gate into a packed matrix. */
export function scatterColumns(rows: i32, width: i32, G: i32, src: usize, g: i32, dst: usize): void {
  const bytes = (<usize>width) << 2;
  for (let r = 0; r < rows; r++) memory.copy(at(dst, r * G * width + g * width), at(src, r * width), bytes);
}

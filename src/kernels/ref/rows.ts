// Row-wise helpers of the fused engine over one Float32Array heap (ids in an Int32Array view of the same memory):
// gather (one-hot input as a row lookup instead of a product), scatter-add (its gradient), bias broadcast,
// column sums (bias gradients), flushing tiny gradients to zero.
// Shapes: tables (V, W); rows and src (N, W); ids (N,); bias (W,).

/** out[r] = table[ids[r]] + bias (bias < 0: none). */
export function gatherRows(m: Float32Array, ids: Int32Array, n: number, width: number, table: number, idsAt: number, bias: number, out: number): void {
  for (let r = 0; r < n; r++) {
    const src = table + ids[idsAt + r]! * width;
    const dst = out + r * width;
    for (let j = 0; j < width; j++) m[dst + j] = m[src + j]! + (bias < 0 ? 0 : m[bias + j]!);
  }
}

/** table[ids[r]] += src[r]. */
export function scatterAddRows(m: Float32Array, ids: Int32Array, n: number, width: number, src: number, idsAt: number, table: number): void {
  for (let r = 0; r < n; r++) {
    const dst = table + ids[idsAt + r]! * width;
    const from = src + r * width;
    for (let j = 0; j < width; j++) m[dst + j]! += m[from + j]!;
  }
}

/** out[r] = bias for every row (the start of a product accumulated with beta = 1). */
export function fillRows(m: Float32Array, n: number, width: number, bias: number, out: number): void {
  for (let r = 0; r < n; r++) m.copyWithin(out + r * width, bias, bias + width);
}

/** out += Σ_r src[r]. */
export function addColumnSums(m: Float32Array, n: number, width: number, src: number, out: number): void {
  for (let r = 0; r < n; r++) {
    const from = src + r * width;
    for (let j = 0; j < width; j++) m[out + j]! += m[from + j]!;
  }
}

/**
 * 2^-100: gradients below it are flushed to zero in the backward time loops (flushTiny). Going back through a long
 * sequence, BPTT gradients shrink step by step, and once values fall below 2^-126 every product that touches them
 * is subnormal arithmetic, which x86 cores run about a hundred times slower (measured here: 0.3% subnormal values
 * in one operand made a product 1.5x slower, 3% made it 5x). Flushing a little above that, at 2^-100, keeps the
 * products with weights and gates from underflowing too; what is dropped is below 2^-100 × (what it would multiply),
 * far under float32 resolution of any gradient it is summed into.
 */
export const TINY = 2 ** -100;

/** Zeroes every value below TINY in magnitude over n floats at `at`. */
export function flushTiny(m: Float32Array, n: number, at: number): void {
  for (let k = at; k < at + n; k++) if (Math.abs(m[k]!) < TINY) m[k] = 0;
}

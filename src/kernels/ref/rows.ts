// Row-wise helpers of the fused engine over one Float32Array heap (ids in an Int32Array view of the same memory):
// gather (one-hot input as a row lookup instead of a product), scatter-add (its gradient), bias broadcast,
// column sums (bias gradients).
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

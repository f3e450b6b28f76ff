// Row-wise helpers of the fused engine over one Float32Array heap (ids in an Int32Array view of the same memory):
// gather (one-hot input as a row lookup instead of a product), scatter-add (its gradient), bias broadcast,
// column sums (bias gradients), and softmax cross-entropy with its gradient.
// Shapes: tables (V, W); rows and src (N, W); ids (N,); bias (W,); logits and dLogits (N, V).

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
 * Mean cross-entropy of logits against targets; writes dLogits = (softmax - onehot(target)) · scale and returns
 * Σ_r -log softmax(logits_r)[target_r] (the caller divides by N). Rows are shifted by their max before exp.
 */
export function softmaxCrossEntropy(
  m: Float32Array, ids: Int32Array, n: number, classes: number, logits: number, targetsAt: number, dLogits: number, scale: number,
): number {
  let total = 0;
  for (let r = 0; r < n; r++) {
    const x = logits + r * classes;
    const d = dLogits + r * classes;
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, m[x + j]!);
    let z = 0;
    for (let j = 0; j < classes; j++) z += Math.exp(m[x + j]! - max);
    const t = ids[targetsAt + r]!;
    total += Math.log(z) + max - m[x + t]!;
    for (let j = 0; j < classes; j++) m[d + j] = (Math.exp(m[x + j]! - max) / z) * scale;
    m[d + t]! -= scale;
  }
  return total;
}

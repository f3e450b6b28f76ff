// Elman RNN cell pointwise math for the fused engine: h = φ(g) with g = x W + h_{t-1} U + b already summed in
// `pre`; backward dg = dh ⊙ φ'(g), written from the output: tanh' = 1 - h², relu' = [h > 0].
// Shapes: pre, h, dh, dPre (B, H), contiguous, so n = B·H.

export function rnnCellForward(m: Float32Array, n: number, relu: boolean, pre: number, h: number): void {
  for (let k = 0; k < n; k++) {
    const g = m[pre + k]!;
    m[h + k] = relu ? (g > 0 ? g : 0) : Math.tanh(g);
  }
}

export function rnnCellBackward(m: Float32Array, n: number, relu: boolean, h: number, dh: number, dPre: number): void {
  for (let k = 0; k < n; k++) {
    const y = m[h + k]!;
    m[dPre + k] = relu ? (y > 0 ? m[dh + k]! : 0) : m[dh + k]! * (1 - y * y);
  }
}

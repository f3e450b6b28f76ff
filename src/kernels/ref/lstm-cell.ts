// LSTM cell pointwise math for the fused engine, forward then backward, over offsets into one Float32Array heap.
// Gate columns are packed [i | f | o | a] (each H wide) per batch row; forward overwrites the pre-activations with
// the activations, which is all backward needs besides c_{t-1} and tanh(c_t).
// Shapes: gates and dGates (B, 4H); cPrev, c, h, tanhC, dh, dc (B, H).

export function lstmCellForward(m: Float32Array, B: number, H: number, gates: number, cPrev: number, c: number, h: number, tanhC: number): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const g = gates + b * G;
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const i = 1 / (1 + Math.exp(-m[g + j]!));
      const f = 1 / (1 + Math.exp(-m[g + H + j]!));
      const o = 1 / (1 + Math.exp(-m[g + 2 * H + j]!));
      const a = Math.tanh(m[g + 3 * H + j]!);
      const cNew = f * m[cPrev + s + j]! + i * a; // c = f ⊙ c_{t-1} + i ⊙ a
      const tc = Math.tanh(cNew);
      m[g + j] = i;
      m[g + H + j] = f;
      m[g + 2 * H + j] = o;
      m[g + 3 * H + j] = a;
      m[c + s + j] = cNew;
      m[tanhC + s + j] = tc;
      m[h + s + j] = o * tc; // h = o ⊙ tanh(c)
    }
  }
}

/**
 * One step back: given dh (everything reaching h_t) and dc (reaching c_t from step t+1), writes the
 * pre-activation gradients dGates and replaces dc with d(loss)/d(c_{t-1}) = dc_t ⊙ f.
 *   dc_t = dc + dh ⊙ o ⊙ (1 - tanh²c)   do = dh ⊙ tanh c   di = dc_t ⊙ a   df = dc_t ⊙ c_{t-1}   da = dc_t ⊙ i
 *   then through σ' = s(1 - s) and tanh' = 1 - a².
 * dGates may be `gates` itself: each unit's gates are read before its gradients are written (the engine does this).
 */
export function lstmCellBackward(
  m: Float32Array, B: number, H: number, gates: number, cPrev: number, tanhC: number, dh: number, dc: number, dGates: number,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const g = gates + b * G;
    const d = dGates + b * G;
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const i = m[g + j]!;
      const f = m[g + H + j]!;
      const o = m[g + 2 * H + j]!;
      const a = m[g + 3 * H + j]!;
      const tc = m[tanhC + s + j]!;
      const dhj = m[dh + s + j]!;
      const dct = m[dc + s + j]! + dhj * o * (1 - tc * tc);
      m[d + j] = dct * a * i * (1 - i);
      m[d + H + j] = dct * m[cPrev + s + j]! * f * (1 - f);
      m[d + 2 * H + j] = dhj * tc * o * (1 - o);
      m[d + 3 * H + j] = dct * i * (1 - a * a);
      m[dc + s + j] = dct * f;
    }
  }
}

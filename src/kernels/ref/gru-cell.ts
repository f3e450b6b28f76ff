// GRU cell pointwise math for the fused engine, forward then backward, over offsets into one Float32Array heap.
// xg = x W + b (input side) and hg = h U (hidden side) hold columns [r | z | n]; forward adds b_hn to hg's n part
// (and keeps it there: hg_n = h U_n + b_hn is needed going back). The reset gate multiplies it after the product:
// n = tanh(xg_n + r ⊙ hg_n), h = (1 - z) ⊙ n + z ⊙ h_{t-1}. Forward overwrites xg with the activations r, z, n.
// Shapes: xg, hg, dxg, dhg (B, 3H); bhn (H); hPrev, h, dh, dhPrev (B, H).

export function gruCellForward(m: Float32Array, B: number, H: number, xg: number, hg: number, bhn: number, hPrev: number, h: number): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const x = xg + b * G;
    const y = hg + b * G;
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const r = 1 / (1 + Math.exp(-(m[x + j]! + m[y + j]!)));
      const z = 1 / (1 + Math.exp(-(m[x + H + j]! + m[y + H + j]!)));
      const hn = (m[y + 2 * H + j] = m[y + 2 * H + j]! + m[bhn + j]!);
      const n = Math.tanh(m[x + 2 * H + j]! + r * hn);
      m[x + j] = r;
      m[x + H + j] = z;
      m[x + 2 * H + j] = n;
      m[h + s + j] = (1 - z) * n + z * m[hPrev + s + j]!;
    }
  }
}

/**
 * One step back from dh (everything reaching h_t):
 *   dn = dh ⊙ (1 - z) ⊙ (1 - n²)   dz = dh ⊙ (h_{t-1} - n) ⊙ z(1 - z)   dr = dn ⊙ hg_n ⊙ r(1 - r)
 *   dxg = [dr, dz, dn], dhg = [dr, dz, dn ⊙ r], and dhPrev = dh ⊙ z (the product dhg Uᵀ is added by the caller).
 * dxg and dhg may be xg and hg themselves: each unit's values are read before its gradients are written.
 */
export function gruCellBackward(
  m: Float32Array, B: number, H: number, xg: number, hg: number, hPrev: number, dh: number, dxg: number, dhg: number, dhPrev: number,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const x = xg + b * G;
    const y = hg + b * G;
    const dx = dxg + b * G;
    const dy = dhg + b * G;
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const r = m[x + j]!;
      const z = m[x + H + j]!;
      const n = m[x + 2 * H + j]!;
      const dhj = m[dh + s + j]!;
      const dn = dhj * (1 - z) * (1 - n * n);
      const dz = dhj * (m[hPrev + s + j]! - n) * z * (1 - z);
      const dr = dn * m[y + 2 * H + j]! * r * (1 - r);
      m[dx + j] = dr;
      m[dx + H + j] = dz;
      m[dx + 2 * H + j] = dn;
      m[dy + j] = dr;
      m[dy + H + j] = dz;
      m[dy + 2 * H + j] = dn * r;
      m[dhPrev + s + j] = dhj * z;
    }
  }
}

// LSTM, GRU and RNN cell pointwise math for the fused engine, forward then backward; the same formulas as
// src/kernels/ref/{lstm,gru,rnn}-cell.ts (see there for the derivations), on byte pointers into linear memory.
// Shapes: LSTM gates (B, 4H) packed [i | f | o | a]; GRU xg, hg (B, 3H) packed [r | z | n]; states (B, H).

@inline function sigmoid(x: f32): f32 {
  return 1 / (1 + Mathf.exp(-x));
}

@inline function at(p: usize, k: i32): usize {
  return p + ((<usize>k) << 2);
}

export function lstmCellForward(B: i32, H: i32, gates: usize, cPrev: usize, c: usize, h: usize, tanhC: usize): void {
  for (let b = 0; b < B; b++) {
    const g = at(gates, b * 4 * H);
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(load<f32>(at(g, j)));
      const f = sigmoid(load<f32>(at(g, H + j)));
      const o = sigmoid(load<f32>(at(g, 2 * H + j)));
      const a = Mathf.tanh(load<f32>(at(g, 3 * H + j)));
      const cNew = f * load<f32>(at(cPrev, s + j)) + i * a;
      const tc = Mathf.tanh(cNew);
      store<f32>(at(g, j), i);
      store<f32>(at(g, H + j), f);
      store<f32>(at(g, 2 * H + j), o);
      store<f32>(at(g, 3 * H + j), a);
      store<f32>(at(c, s + j), cNew);
      store<f32>(at(tanhC, s + j), tc);
      store<f32>(at(h, s + j), o * tc);
    }
  }
}

export function lstmCellBackward(B: i32, H: i32, gates: usize, cPrev: usize, tanhC: usize, dh: usize, dc: usize, dGates: usize): void {
  for (let b = 0; b < B; b++) {
    const g = at(gates, b * 4 * H);
    const d = at(dGates, b * 4 * H);
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const i = load<f32>(at(g, j));
      const f = load<f32>(at(g, H + j));
      const o = load<f32>(at(g, 2 * H + j));
      const a = load<f32>(at(g, 3 * H + j));
      const tc = load<f32>(at(tanhC, s + j));
      const dhj = load<f32>(at(dh, s + j));
      const dct = load<f32>(at(dc, s + j)) + dhj * o * (1 - tc * tc);
      store<f32>(at(d, j), dct * a * i * (1 - i));
      store<f32>(at(d, H + j), dct * load<f32>(at(cPrev, s + j)) * f * (1 - f));
      store<f32>(at(d, 2 * H + j), dhj * tc * o * (1 - o));
      store<f32>(at(d, 3 * H + j), dct * i * (1 - a * a));
      store<f32>(at(dc, s + j), dct * f);
    }
  }
}

export function gruCellForward(B: i32, H: i32, xg: usize, hg: usize, hPrev: usize, h: usize): void {
  for (let b = 0; b < B; b++) {
    const x = at(xg, b * 3 * H);
    const y = at(hg, b * 3 * H);
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(load<f32>(at(x, j)) + load<f32>(at(y, j)));
      const z = sigmoid(load<f32>(at(x, H + j)) + load<f32>(at(y, H + j)));
      const n = Mathf.tanh(load<f32>(at(x, 2 * H + j)) + r * load<f32>(at(y, 2 * H + j)));
      store<f32>(at(x, j), r);
      store<f32>(at(x, H + j), z);
      store<f32>(at(x, 2 * H + j), n);
      store<f32>(at(h, s + j), (1 - z) * n + z * load<f32>(at(hPrev, s + j)));
    }
  }
}

export function gruCellBackward(B: i32, H: i32, xg: usize, hg: usize, hPrev: usize, dh: usize, dxg: usize, dhg: usize, dhPrev: usize): void {
  for (let b = 0; b < B; b++) {
    const x = at(xg, b * 3 * H);
    const y = at(hg, b * 3 * H);
    const dx = at(dxg, b * 3 * H);
    const dy = at(dhg, b * 3 * H);
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const r = load<f32>(at(x, j));
      const z = load<f32>(at(x, H + j));
      const n = load<f32>(at(x, 2 * H + j));
      const dhj = load<f32>(at(dh, s + j));
      const dn = dhj * (1 - z) * (1 - n * n);
      const dz = dhj * (load<f32>(at(hPrev, s + j)) - n) * z * (1 - z);
      const dr = dn * load<f32>(at(y, 2 * H + j)) * r * (1 - r);
      store<f32>(at(dx, j), dr);
      store<f32>(at(dx, H + j), dz);
      store<f32>(at(dx, 2 * H + j), dn);
      store<f32>(at(dy, j), dr);
      store<f32>(at(dy, H + j), dz);
      store<f32>(at(dy, 2 * H + j), dn * r);
      store<f32>(at(dhPrev, s + j), dhj * z);
    }
  }
}

export function rnnCellForward(n: i32, relu: i32, pre: usize, h: usize): void {
  for (let k = 0; k < n; k++) {
    const g = load<f32>(at(pre, k));
    store<f32>(at(h, k), relu != 0 ? (g > 0 ? g : 0) : Mathf.tanh(g));
  }
}

export function rnnCellBackward(n: i32, relu: i32, h: usize, dh: usize, dPre: usize): void {
  for (let k = 0; k < n; k++) {
    const y = load<f32>(at(h, k));
    const d = load<f32>(at(dh, k));
    store<f32>(at(dPre, k), relu != 0 ? (y > 0 ? d : 0) : d * (1 - y * y));
  }
}

// LSTM, GRU and RNN cell pointwise math for the fused engine, forward then backward; the same formulas as
// src/kernels/ref/{lstm,gru,rnn}-cell.ts (see there for the derivations), on byte pointers into linear memory.
// Shapes: LSTM gates (B, 4H) packed [i | f | o | a]; GRU xg, hg (B, 3H) packed [r | z | n], b_hn (H); states (B, H).

import { sigmoidv, tanhv } from './vmath';

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
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const i = sigmoidv(v128.load(at(g, j)));
      const f = sigmoidv(v128.load(at(g, H + j)));
      const o = sigmoidv(v128.load(at(g, 2 * H + j)));
      const a = tanhv(v128.load(at(g, 3 * H + j)));
      const cNew = f32x4.add(f32x4.mul(f, v128.load(at(cPrev, s + j))), f32x4.mul(i, a));
      const tc = tanhv(cNew);
      v128.store(at(g, j), i);
      v128.store(at(g, H + j), f);
      v128.store(at(g, 2 * H + j), o);
      v128.store(at(g, 3 * H + j), a);
      v128.store(at(c, s + j), cNew);
      v128.store(at(tanhC, s + j), tc);
      v128.store(at(h, s + j), f32x4.mul(o, tc));
    }
    for (; j < H; j++) {
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
    const one = f32x4.splat(1);
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const i = v128.load(at(g, j));
      const f = v128.load(at(g, H + j));
      const o = v128.load(at(g, 2 * H + j));
      const a = v128.load(at(g, 3 * H + j));
      const tc = v128.load(at(tanhC, s + j));
      const dhj = v128.load(at(dh, s + j));
      const dct = f32x4.add(v128.load(at(dc, s + j)), f32x4.mul(f32x4.mul(dhj, o), f32x4.sub(one, f32x4.mul(tc, tc))));
      v128.store(at(d, j), f32x4.mul(f32x4.mul(dct, a), f32x4.mul(i, f32x4.sub(one, i))));
      v128.store(at(d, H + j), f32x4.mul(f32x4.mul(dct, v128.load(at(cPrev, s + j))), f32x4.mul(f, f32x4.sub(one, f))));
      v128.store(at(d, 2 * H + j), f32x4.mul(f32x4.mul(dhj, tc), f32x4.mul(o, f32x4.sub(one, o))));
      v128.store(at(d, 3 * H + j), f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(a, a))));
      v128.store(at(dc, s + j), f32x4.mul(dct, f));
    }
    for (; j < H; j++) {
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

export function gruCellForward(B: i32, H: i32, xg: usize, hg: usize, bhn: usize, hPrev: usize, h: usize): void {
  for (let b = 0; b < B; b++) {
    const x = at(xg, b * 3 * H);
    const y = at(hg, b * 3 * H);
    const s = b * H;
    const one = f32x4.splat(1);
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const r = sigmoidv(f32x4.add(v128.load(at(x, j)), v128.load(at(y, j))));
      const z = sigmoidv(f32x4.add(v128.load(at(x, H + j)), v128.load(at(y, H + j))));
      const hn = f32x4.add(v128.load(at(y, 2 * H + j)), v128.load(at(bhn, j)));
      v128.store(at(y, 2 * H + j), hn);
      const n = tanhv(f32x4.add(v128.load(at(x, 2 * H + j)), f32x4.mul(r, hn)));
      v128.store(at(x, j), r);
      v128.store(at(x, H + j), z);
      v128.store(at(x, 2 * H + j), n);
      v128.store(at(h, s + j), f32x4.add(f32x4.mul(f32x4.sub(one, z), n), f32x4.mul(z, v128.load(at(hPrev, s + j)))));
    }
    for (; j < H; j++) {
      const r = sigmoid(load<f32>(at(x, j)) + load<f32>(at(y, j)));
      const z = sigmoid(load<f32>(at(x, H + j)) + load<f32>(at(y, H + j)));
      const hn = load<f32>(at(y, 2 * H + j)) + load<f32>(at(bhn, j));
      store<f32>(at(y, 2 * H + j), hn);
      const n = Mathf.tanh(load<f32>(at(x, 2 * H + j)) + r * hn);
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
    const one = f32x4.splat(1);
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const r = v128.load(at(x, j));
      const z = v128.load(at(x, H + j));
      const n = v128.load(at(x, 2 * H + j));
      const dhj = v128.load(at(dh, s + j));
      const dn = f32x4.mul(f32x4.mul(dhj, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
      const dz = f32x4.mul(f32x4.mul(dhj, f32x4.sub(v128.load(at(hPrev, s + j)), n)), f32x4.mul(z, f32x4.sub(one, z)));
      const dr = f32x4.mul(f32x4.mul(dn, v128.load(at(y, 2 * H + j))), f32x4.mul(r, f32x4.sub(one, r)));
      v128.store(at(dx, j), dr);
      v128.store(at(dx, H + j), dz);
      v128.store(at(dx, 2 * H + j), dn);
      v128.store(at(dy, j), dr);
      v128.store(at(dy, H + j), dz);
      v128.store(at(dy, 2 * H + j), f32x4.mul(dn, r));
      v128.store(at(dhPrev, s + j), f32x4.mul(dhj, z));
    }
    for (; j < H; j++) {
      const r = load<f32>(at(x, j));
      const z = load<f32>(at(x, H + j));
      const n = load<f32>(at(x, 2 * H + j));
      const dhj = load<f32>(at(dh, s + j));
      const dn = dhj * (1 - z) * (1 - n * n);
      const dz = dhj * (load<f32>(at(hPrev, s + j)) - n) * (z * (1 - z));
      const dr = dn * load<f32>(at(y, 2 * H + j)) * (r * (1 - r));
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
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const g = v128.load(at(pre, k));
    v128.store(at(h, k), relu != 0 ? f32x4.max(g, f32x4.splat(0)) : tanhv(g));
  }
  // The last n % 4 values through the same vector tanh as the others: rows are split between threads at any
  // row, so which values fall in the tail changes with the split, and their results must not.
  for (; k < n; k++) {
    const g = load<f32>(at(pre, k));
    store<f32>(at(h, k), relu != 0 ? (g > 0 ? g : 0) : f32x4.extract_lane(tanhv(f32x4.splat(g)), 0));
  }
}

export function rnnCellBackward(n: i32, relu: i32, h: usize, dh: usize, dPre: usize): void {
  let k = 0;
  const one = f32x4.splat(1);
  for (; k + 4 <= n; k += 4) {
    const y = v128.load(at(h, k));
    const d = v128.load(at(dh, k));
    // relu: the derivative is 1 where h > 0 (a lane mask), tanh: 1 - h².
    v128.store(at(dPre, k), relu != 0 ? v128.and(d, f32x4.gt(y, f32x4.splat(0))) : f32x4.mul(d, f32x4.sub(one, f32x4.mul(y, y))));
  }
  for (; k < n; k++) {
    const y = load<f32>(at(h, k));
    const d = load<f32>(at(dh, k));
    store<f32>(at(dPre, k), relu != 0 ? (y > 0 ? d : 0) : d * (1 - y * y));
  }
}

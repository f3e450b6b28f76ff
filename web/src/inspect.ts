// What each unit does, token by token: runs a trained model's recurrent layers over a short text in plain
// TypeScript (eval mode, float64 sums) and records every gate and state per step, per layer. It recomputes the
// gate pre-activations from the cells' own parameters (x W_g + h U_g + b_g), the same equations as src/nn.
import { CELL_KINDS, cellKind, cellKindOf as kindOfCell, type CellKind } from '../../src/nn/cell-kinds.js';
import type { GRUCell } from '../../src/nn/gru.js';
import type { LSTMCell } from '../../src/nn/lstm.js';
import type { RNNCell } from '../../src/nn/rnn.js';
import type { RNNModel } from '../../src/nn/rnn-model.js';
import type { Tensor } from '../../src/core/tensor.js';

/** Recorded signals per cell kind, its states then its gates; `a` is the LSTM's candidate c̃, `n` the GRU's. */
export const SIGNALS = Object.fromEntries(
  CELL_KINDS.map((k) => [k, [...cellKind(k).stateNames, ...cellKind(k).gates]]),
) as unknown as Readonly<Record<CellKind, readonly string[]>>;

export interface Recording {
  cell: CellKind;
  hiddenSize: number;
  steps: number;
  /** layers[l][signal] holds steps·H values, [t·H + unit]. */
  layers: Array<Record<string, Float32Array>>;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function cellKindOf(model: RNNModel): CellKind {
  const spec = kindOfCell(model.rnn.cells[0]![0]!);
  if (spec === null) throw new Error('the activation view knows the built-in LSTM, GRU and RNN cells only');
  return spec.kind;
}

/** out = x W (+ b) for a row x of width I and W (I, H); a one-hot x is a row lookup. */
function project(x: Float64Array | number, W: Tensor, b: Tensor | undefined, H: number): Float64Array {
  const out = new Float64Array(H);
  const w = W.data;
  if (typeof x === 'number') for (let j = 0; j < H; j++) out[j] = w[x * H + j]!;
  else {
    for (let k = 0; k < x.length; k++) {
      const xk = x[k]!;
      if (xk !== 0) for (let j = 0; j < H; j++) out[j] += xk * w[k * H + j]!;
    }
  }
  if (b !== undefined) for (let j = 0; j < H; j++) out[j] += b.data[j]!;
  return out;
}

/** acc += h U for U (H, H). */
function addRecurrent(acc: Float64Array, h: Float64Array, U: Tensor): void {
  const H = acc.length;
  const u = U.data;
  for (let k = 0; k < H; k++) {
    const hk = h[k]!;
    if (hk !== 0) for (let j = 0; j < H; j++) acc[j] += hk * u[k * H + j]!;
  }
}

/**
 * Runs `ids` through the model's layers from a zero state and records every signal at every step. Layer 0's input
 * is the token (one-hot, or its embedding row); each higher layer reads the h of the layer below.
 */
export function recordActivations(model: RNNModel, ids: ArrayLike<number>): Recording {
  const cell = cellKindOf(model);
  if (model.rnn.numDirections !== 1) throw new Error('the activation view needs a unidirectional layer');
  const H = model.rnn.hiddenSize;
  const T = ids.length;
  const names = SIGNALS[cell];
  // Layer 0's input per step: a token id for one-hot input, else its embedding row.
  let inputs: Array<Float64Array | number> = Array.from(ids, (id) => {
    if (model.embedding === null) return id;
    const E = model.embedding.shape[1]!;
    return Float64Array.from(model.embedding.data.subarray(id * E, (id + 1) * E));
  });
  const layers: Recording['layers'] = [];
  for (const row of model.rnn.cells) {
    const p = (row[0] as LSTMCell | GRUCell | RNNCell).params;
    const rec: Record<string, Float32Array> = Object.fromEntries(names.map((s) => [s, new Float32Array(T * H)]));
    const outputs: Float64Array[] = [];
    let h = new Float64Array(H);
    let c = new Float64Array(H);
    for (let t = 0; t < T; t++) {
      const x = inputs[t]!;
      const next = new Float64Array(H);
      if (cell === 'lstm') {
        const pre = (g: string): Float64Array => {
          const acc = project(x, p[`W_${g}`]!, p[`b_${g}`], H);
          addRecurrent(acc, h, p[`U_${g}`]!);
          return acc;
        };
        const [gi, gf, go, ga] = [pre('i'), pre('f'), pre('o'), pre('a')];
        const cNext = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          const i = sigmoid(gi[j]!), f = sigmoid(gf[j]!), o = sigmoid(go[j]!), a = Math.tanh(ga[j]!);
          cNext[j] = f * c[j]! + i * a;
          next[j] = o * Math.tanh(cNext[j]!);
          const at = t * H + j;
          rec.i![at] = i; rec.f![at] = f; rec.o![at] = o; rec.a![at] = a; rec.c![at] = cNext[j]!;
        }
        c = cNext;
      } else if (cell === 'gru') {
        const r = project(x, p.W_r!, p.b_r, H); addRecurrent(r, h, p.U_r!);
        const z = project(x, p.W_z!, p.b_z, H); addRecurrent(z, h, p.U_z!);
        const hn = new Float64Array(H); // h U_n, before the reset gate multiplies it
        addRecurrent(hn, h, p.U_n!);
        const xn = project(x, p.W_n!, p.b_n, H);
        for (let j = 0; j < H; j++) {
          const rj = sigmoid(r[j]!), zj = sigmoid(z[j]!);
          const n = Math.tanh(xn[j]! + rj * (hn[j]! + (p.b_hn?.data[j] ?? 0)));
          next[j] = (1 - zj) * n + zj * h[j]!;
          const at = t * H + j;
          rec.r![at] = rj; rec.z![at] = zj; rec.n![at] = n;
        }
      } else {
        const pre = project(x, p.W!, p.b, H);
        addRecurrent(pre, h, p.U!);
        const relu = (row[0] as RNNCell).nonlinearity === 'relu';
        for (let j = 0; j < H; j++) next[j] = relu ? Math.max(0, pre[j]!) : Math.tanh(pre[j]!);
      }
      for (let j = 0; j < H; j++) rec.h![t * H + j] = next[j]!;
      h = next;
      outputs.push(next);
    }
    layers.push(rec);
    inputs = outputs;
  }
  return { cell, hiddenSize: H, steps: T, layers };
}

// Floating-point operations of one training step in the d2l setting (one-hot input, 1 layer, Linear(H, V)
// decoder, mean cross-entropy), counted from the products the fused engine issues. Symbols: B batch, T steps,
// N = T·B rows, H hidden, V vocabulary, G gates (LSTM 4, GRU 3, RNN 1). A product of (m, k) by (k, n) is 2·m·n·k.
//   forward    h_{t-1} U for every step:        T · 2·B·H·GH = 2·N·H·GH   (the input projection x W is a row
//              gather for one-hot input: no multiplications)
//              decoder logits = h Wd:           2·N·H·V
//   backward   dh_{t-1} = dG_t Uᵀ every step:   2·N·GH·H
//              dU = Σ_t h_{t-1}ᵀ dG_t:          2·H·GH·N
//              dWd = hᵀ dLogits, dh = dLogits Wdᵀ: 2 · 2·N·H·V
//   total      6·N·H·(G·H + V)
// Elementwise work (gate nonlinearities, softmax, the row gather/scatter of W, clipping and the SGD update) is
// O(N·G·H + parameters) and left out, as is usual for a FLOP count; it is what keeps a step below the product rate.

import { CELL_KINDS, cellKind, type CellKind } from '../nn/cell-kinds.js';

export type BenchCell = CellKind;

export const BENCH_CELLS: readonly BenchCell[] = CELL_KINDS;

/** Gates per cell (the cell registry's G): the width of the step product is G·H. */
export const GATE_COUNT = Object.fromEntries(CELL_KINDS.map((k) => [k, cellKind(k).gateCount])) as Readonly<Record<BenchCell, number>>;

/** The d2l setting of Dive into Deep Learning ch. 8-9 (time machine, letters only, characters). */
export const D2L = { batch: 32, steps: 35, vocab: 28, lr: 1, clip: 1 } as const;

export interface StepShape {
  cell: BenchCell;
  hidden: number;
  batch: number;
  steps: number;
  vocab: number;
}

export interface StepFlops {
  recurrentForward: number;
  recurrentBackward: number;
  decoderForward: number;
  decoderBackward: number;
  total: number;
}

export function trainingStepFlops({ cell, hidden: H, batch: B, steps: T, vocab: V }: StepShape): StepFlops {
  const N = T * B;
  const GH = GATE_COUNT[cell] * H;
  const recurrentForward = 2 * N * H * GH;
  const decoderForward = 2 * N * H * V;
  const recurrentBackward = 2 * recurrentForward;
  const decoderBackward = 2 * decoderForward;
  return { recurrentForward, recurrentBackward, decoderForward, decoderBackward, total: recurrentForward + recurrentBackward + decoderForward + decoderBackward };
}

/** The product every step of the forward pass runs: (B, H) by (H, G·H). */
export function stepProductShape(cell: BenchCell, hidden: number, batch: number = D2L.batch): { m: number; n: number; k: number } {
  return { m: batch, n: GATE_COUNT[cell] * hidden, k: hidden };
}

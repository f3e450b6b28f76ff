// PyTorch interchange: a Recurrent layer's per-gate parameters to and from `nn.LSTM` / `nn.GRU` / `nn.RNN`
// state-dict tensors (weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, suffix _reverse).
// weight_ih[g·H + j, p] = W_g[p, j] (PyTorch keeps (out, in), we keep (in, out) for row-vector products x W).
// Loading copies into the existing parameters' buffers, so optimizers holding them stay valid; Module checks the
// dict (missing, extra, shapes) before anything is copied.
import { Tensor, type Data } from '../core/tensor.js';
import type { Cell } from './cell.js';
import type { TorchLayout } from './torch-layout.js';
import { own } from './module.js';

export type StateDict = Record<string, Tensor>;

interface TorchCell extends Cell {
  readonly torchLayout: TorchLayout;
  readonly params: Record<string, Tensor>;
}

function torchCell(cell: Cell, where: string): TorchCell {
  const c = cell as Partial<TorchCell>;
  if (c.torchLayout === undefined || c.params === undefined) {
    throw new Error(`torch state dict: the cell at ${where} is not a built-in LSTM, GRU or RNN cell, so it has no PyTorch layout`);
  }
  if (c.params.W_h !== undefined && c.torchLayout.mode === 'LSTM') {
    throw new Error(`torch state dict: the LSTM at ${where} has an output projection (W_h, b_h), which nn.LSTM does not have`);
  }
  return c as TorchCell;
}

export interface LayerLike {
  readonly cells: Cell[][];
}

function suffix(layer: number, direction: number): string {
  return `_l${layer}${direction === 1 ? '_reverse' : ''}`;
}

/** The layer's parameters under PyTorch's names and layout (fresh tensors, copied). */
export function toTorchStateDict(layer: LayerLike): StateDict {
  const dict: StateDict = Object.create(null);
  layer.cells.forEach((row, l) =>
    row.forEach((rawCell, d) => {
      const cell = torchCell(rawCell, `layer ${l}${d === 1 ? ' (reverse)' : ''}`);
      const { gates } = cell.torchLayout;
      const H = cell.hiddenSize;
      const I = cell.inputSize;
      const G = gates.length;
      // Same precision as the parameters (float64 while gradcheck or a float64 test runs).
      const alloc = (n: number): Data => (cell.params[gates[0]!.W]!.data instanceof Float64Array ? new Float64Array(n) : new Float32Array(n));
      const wih = alloc(G * H * I);
      const whh = alloc(G * H * H);
      gates.forEach((gate, g) => {
        const W = cell.params[gate.W]!.data;
        const U = cell.params[gate.U]!.data;
        for (let j = 0; j < H; j++) {
          for (let p = 0; p < I; p++) wih[(g * H + j) * I + p] = W[p * H + j]!;
          for (let p = 0; p < H; p++) whh[(g * H + j) * H + p] = U[p * H + j]!;
        }
      });
      const s = suffix(l, d);
      dict[`weight_ih${s}`] = new Tensor(wih, [G * H, I]);
      dict[`weight_hh${s}`] = new Tensor(whh, [G * H, H]);
      if (cell.params[gates[0]!.b] !== undefined) {
        const bih = alloc(G * H);
        const bhh = alloc(G * H);
        gates.forEach((gate, g) => {
          bih.set(cell.params[gate.b]!.data, g * H);
          if (gate.bHidden !== undefined) bhh.set(cell.params[gate.bHidden]!.data, g * H);
        });
        dict[`bias_ih${s}`] = new Tensor(bih, [G * H]);
        dict[`bias_hh${s}`] = new Tensor(bhh, [G * H]);
      }
    }),
  );
  return dict;
}

/** Copies a PyTorch state dict, already checked against toTorchStateDict(layer), into the layer's parameters. */
export function assignTorchStateDict(layer: LayerLike, dict: StateDict, prefix = ''): void {
  layer.cells.forEach((row, l) =>
    row.forEach((rawCell, d) => {
      const cell = torchCell(rawCell, `layer ${l}`);
      const { gates } = cell.torchLayout;
      const H = cell.hiddenSize;
      const I = cell.inputSize;
      const s = suffix(l, d);
      const wih = own(dict, `${prefix}weight_ih${s}`)!.data;
      const whh = own(dict, `${prefix}weight_hh${s}`)!.data;
      const bih = own(dict, `${prefix}bias_ih${s}`)?.data;
      const bhh = own(dict, `${prefix}bias_hh${s}`)?.data;
      gates.forEach((gate, g) => {
        const W = cell.params[gate.W]!.data;
        const U = cell.params[gate.U]!.data;
        for (let j = 0; j < H; j++) {
          for (let p = 0; p < I; p++) W[p * H + j] = wih[(g * H + j) * I + p]!;
          for (let p = 0; p < H; p++) U[p * H + j] = whh[(g * H + j) * H + p]!;
        }
        if (bih === undefined || bhh === undefined) return;
        const b = cell.params[gate.b]!.data;
        const bHidden = gate.bHidden === undefined ? undefined : cell.params[gate.bHidden]!.data;
        for (let j = 0; j < H; j++) {
          // A single bias stands for PyTorch's two, which only ever appear summed.
          if (bHidden === undefined) b[j] = bih[g * H + j]! + bhh[g * H + j]!;
          else {
            b[j] = bih[g * H + j]!;
            bHidden[j] = bhh[g * H + j]!;
          }
        }
      });
    }),
  );
}

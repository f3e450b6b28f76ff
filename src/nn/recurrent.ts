// The cell-agnostic time loop: stacks layers of any Cell, runs each forwards (and backwards in time when
// bidirectional), applies dropout between layers, packs states as PyTorch does, and runs rows of different lengths.
// Shapes: x (T, B, I), or (B, T, I) with batchFirst; output (T, B, D·O) or (B, T, D·O); each state tensor
// (D·L, B, H) with row l·D + d for layer l, direction d (d = 1 runs from t = T-1 down to 0).
import { Tensor, shapeString } from '../core/tensor.js';
import { seededOrDefault, type Random } from '../core/random.js';
import { concat, dropout, indexSelect, select, slice, stack, transpose } from '../core/ops/index.js';
import type { Cell, CellFactory, State } from './cell.js';
import { packLengths } from './lengths.js';
import { Module } from './module.js';
import { assignTorchStateDict, toTorchStateDict, type StateDict } from './torch-state-dict.js';

export interface RecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bidirectional?: boolean;
  /** Inputs and outputs are (B, T, ·) instead of the default time-major (T, B, ·). States are not affected. */
  batchFirst?: boolean;
  /** Dropout probability on each layer's output except the last, in training mode. */
  dropout?: number;
  bias?: boolean;
  /** Seed of the layer's own generator (initial weights, then dropout masks); the global one when omitted. */
  seed?: number;
  /** The generator itself, shared with the caller (a model seeding all its layers from one stream); overrides seed. */
  random?: Random;
}

export interface RecurrentForwardOptions {
  /** Real steps of each row (B values in [1, T]); the rest of each row is padding, as pack_padded_sequence. */
  lengths?: ArrayLike<number> | Tensor;
}

function checkSize(what: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new Error(`${what} must be an integer >= ${min}, got ${value}`);
  return value;
}

export class Recurrent<S extends State = State> extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numDirections: 1 | 2;
  readonly batchFirst: boolean;
  readonly dropout: number;
  /** cells[layer][direction]. */
  readonly cells: Cell[][];
  readonly stateNames: readonly string[];
  /** Draws the dropout masks; assignable so a caller can replay masks (e.g. `Random.fromState(saved)`). */
  random: Random;

  constructor(options: RecurrentOptions, makeCell: CellFactory) {
    super();
    this.inputSize = checkSize('inputSize', options.inputSize, 1);
    this.hiddenSize = checkSize('hiddenSize', options.hiddenSize, 1);
    this.numLayers = checkSize('numLayers', options.numLayers ?? 1, 1);
    this.numDirections = options.bidirectional ? 2 : 1;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${this.dropout}`);
    this.random = options.random ?? seededOrDefault(options.seed);
    this.cells = [];
    let width = this.inputSize;
    for (let l = 0; l < this.numLayers; l++) {
      const row: Cell[] = [];
      for (let d = 0; d < this.numDirections; d++) {
        const cell = makeCell(width, l, d, this.random);
        if (cell.inputSize !== width || cell.hiddenSize !== this.hiddenSize) {
          throw new Error(`cell for layer ${l} must have inputSize ${width} and hiddenSize ${this.hiddenSize}, got ${cell.inputSize} and ${cell.hiddenSize}`);
        }
        row.push(cell);
        this.registerModule(`l${l}${d === 1 ? '_reverse' : ''}`, cell instanceof Module ? cell : new CellParameters(cell));
      }
      this.cells.push(row);
      width = this.numDirections * row[0]!.outputSize;
    }
    this.stateNames = this.cells[0]![0]!.stateNames;
  }

  /** Width of each time step of the output: D times the cells' output size. */
  get outputSize(): number {
    return this.numDirections * this.cells[0]![0]!.outputSize;
  }

  /** The parameters under `nn.LSTM` / `nn.GRU` / `nn.RNN` names and layout (`weight_ih_l0`, ...). */
  override torchStateDict(): StateDict {
    return toTorchStateDict(this);
  }

  protected override assignTorch(dict: StateDict, prefix: string): void {
    assignTorchStateDict(this, dict, prefix);
  }

  /** Zero state: each tensor (D·numLayers, B, H); a tuple (h, c) for an LSTM, h alone for a GRU or RNN. */
  initState(batch: number): S {
    checkSize('batch', batch, 1);
    const parts = this.stateNames.map(() => Tensor.zeros([this.numDirections * this.numLayers, batch, this.hiddenSize]));
    return (parts.length === 1 ? parts[0]! : parts) as S;
  }

  /**
   * Runs every layer over every step; returns every step's output and the final state. With `lengths`, row b has
   * lengths[b] real steps and the rest is padding, as pack_padded_sequence (sorted or not) would give: its final
   * state is taken at its own last step, the reverse direction starts there, and its outputs past it are zero.
   */
  forward(x: Tensor, state?: S, options: RecurrentForwardOptions = {}): [Tensor, S] {
    if (x.shape.length !== 3 || x.shape[2] !== this.inputSize) {
      const layout = this.batchFirst ? '(B, T, I)' : '(T, B, I)';
      throw new Error(`forward: expected input ${layout} with I = ${this.inputSize}, got ${shapeString(x.shape)}`);
    }
    let layerInput = this.batchFirst ? transpose(x, [1, 0, 2]) : x;
    const [steps, batch] = layerInput.shape as [number, number];
    let initial = this.unpackState(state ?? this.initState(batch), batch);
    const packing = options.lengths === undefined ? null : packLengths(options.lengths, batch, steps);
    // Rows run longest first, so the rows still running at any step are a prefix of the batch.
    const permuted = packing !== null && !packing.sorted;
    if (permuted) {
      layerInput = indexSelect(layerInput, 1, packing.order);
      initial = initial.map((s) => indexSelect(s, 1, packing.order));
    }
    const finals: Tensor[][] = this.stateNames.map(() => []);
    for (let l = 0; l < this.numLayers; l++) {
      const outputs: Tensor[] = [];
      for (let d = 0; d < this.numDirections; d++) {
        const row = l * this.numDirections + d;
        const { output, state: last } = this.runDirection(this.cells[l]![d]!, layerInput, initial.map((s) => select(s, 0, row)), d === 1, packing?.active ?? null);
        outputs.push(output);
        last.forEach((s, j) => finals[j]!.push(s));
      }
      layerInput = outputs.length === 1 ? outputs[0]! : concat(outputs, 2);
      if (l < this.numLayers - 1) layerInput = dropout(layerInput, this.dropout, this.random, this.training);
    }
    if (permuted) layerInput = indexSelect(layerInput, 1, packing.inverse);
    const output = this.batchFirst ? transpose(layerInput, [1, 0, 2]) : layerInput;
    const parts = finals.map((rows) => (permuted ? indexSelect(stack(rows, 0), 1, packing.inverse) : stack(rows, 0)));
    return [output, (parts.length === 1 ? parts[0]! : parts) as S];
  }

  /**
   * One layer and direction over x (T, B, I) from `carried` (each (B, H)): outputs (T, B, O) and the final state.
   * With `active`, only the first active[t] rows take step t; the others keep their state and output zeros.
   */
  private runDirection(cell: Cell, x: Tensor, carried: Tensor[], reverse: boolean, active: Int32Array | null): { output: Tensor; state: Tensor[] } {
    const [steps, batch] = x.shape as [number, number];
    const perStep: Tensor[] = new Array<Tensor>(steps);
    for (let k = 0; k < steps; k++) {
      const t = reverse ? steps - 1 - k : k;
      const n = active === null ? batch : active[t]!;
      if (n === batch) {
        const next = cell.step(select(x, 0, t), carried);
        perStep[t] = next.output;
        carried = next.state;
        continue;
      }
      const padding = Tensor.zeros([batch - n, cell.outputSize]);
      if (n === 0) {
        perStep[t] = padding;
        continue;
      }
      const next = cell.step(slice(select(x, 0, t), 0, 0, n), carried.map((s) => slice(s, 0, 0, n)));
      perStep[t] = concat([next.output, padding], 0);
      carried = next.state.map((s, j) => concat([s, slice(carried[j]!, 0, n, batch)], 0));
    }
    return { output: stack(perStep, 0), state: carried };
  }

  /** Checks a state's kind and shapes, naming what was expected and what came. */
  private unpackState(state: State, batch: number): Tensor[] {
    const expected = [this.numDirections * this.numLayers, batch, this.hiddenSize];
    const kind = this.stateNames.length === 1 ? 'a single tensor h' : `a tuple (${this.stateNames.join(', ')})`;
    const parts = state instanceof Tensor ? [state] : state;
    if (!Array.isArray(parts) || parts.length !== this.stateNames.length || (this.stateNames.length > 1 && state instanceof Tensor)) {
      const got = state instanceof Tensor ? 'a single tensor' : Array.isArray(state) ? `${state.length} tensors` : typeof state;
      throw new Error(`forward: state must be ${kind}, got ${got}`);
    }
    parts.forEach((s, j) => {
      if (!(s instanceof Tensor) || s.shape.length !== 3 || s.shape.some((v, k) => v !== expected[k])) {
        const got = s instanceof Tensor ? shapeString(s.shape) : typeof s;
        throw new Error(`forward: state ${this.stateNames[j]} must be ${shapeString(expected)} (D·numLayers, B, H), got ${got}`);
      }
    });
    return parts;
  }
}

/** A user-written cell that is not a Module: its parameters, registered under the names it gives them. */
class CellParameters extends Module {
  constructor(cell: Cell) {
    super();
    for (const [name, t] of cell.namedParameters()) this.registerParameter(name, t);
  }
}

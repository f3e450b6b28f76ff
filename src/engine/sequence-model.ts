// The fused training step for the task models (SequenceRegressor, SequenceClassifier) built from the library's own
// cells: input (dense rows, embedded ids or one-hot ids), every layer and direction, dropout between layers, the
// head on each row's last valid step or on the mean over its valid steps, the loss, and the backward through all
// of it, on a Backend's heap with no autograd tape. Rows of different lengths run as pack_padded_sequence runs
// them: sorted longest first, each step taken only by the rows that have it, the buffers packed by step (so no
// work is spent on padding), the reverse direction starting at each row's own last step. It computes what the
// autograd path computes (tests hold the two together). On a backend with its own memory the model's parameters
// live there (residency.ts), read and written in place. Shapes: as in sequence-batch.ts; per direction the
// layer's output rows (N, H); z (B, D·H) the head's input in the caller's row order; output (B, O).
import { Tensor } from '../core/tensor.js';
import type { Backend } from '../kernels/backend.js';
import { cellKindOf } from '../nn/cell-kinds.js';
import { SequenceClassifier } from '../nn/sequence-models.js';
import { Arena } from './arena.js';
import type { FusedLayer, LayerInput, LayerSteps } from './layer.js';
import { addGradFrom, weightsAt } from './pack.js';
import { adoptParameters } from './residency.js';
import { checkInput, checkLoss, packBatch, packRows, type HeadLoss, type PackedBatch } from './sequence-batch.js';
import type { FusedSequenceEngine, SequenceBatch, SequenceLossOptions, SequenceModel, SequenceStep } from './sequence-types.js';
import { recurrentUnsupported } from './unsupported.js';

/** Why the fused path cannot run this task model, or null when it can. */
export function fusedSequenceUnsupported(model: SequenceModel): string | null {
  return recurrentUnsupported(model.rnn, model.parameters());
}

interface Plan {
  B: number;
  T: number;
  /** The most rows (Σ lengths) a batch may have: the packed buffers' size. */
  N: number;
  /** layers[l][d]: layer l, direction d. */
  layers: FusedLayer[][];
  active: number;
  /** Packed ids (N,) and the first layer's input rows (N, F or E) with their gradient (embedding only). */
  ids: number;
  x: number;
  dx: number;
  /** A copy of the embedding, unless the backend holds the parameters (then empty). */
  embedding: number;
  dEmbedding: number;
  /** dropped[l][d]: layer l's output after dropout (l < L-1, only with dropout). */
  dropped: number[][];
  /** dInput[l][d]: the gradient of layer l's input block d, i.e. of layer l-1's output (l ≥ 1). */
  dInput: number[][];
  /** The gradient of the top layer's outputs, per direction. */
  dTop: number[];
  z: number;
  dz: number;
  /** Copies of the head's weight and bias (zeros when it has none), unless the backend holds them. */
  W: number;
  bias: number;
  dW: number;
  dBias: number;
  out: number;
  dOut: number;
  targets: number;
  weights: number;
}

/** What the forward pass leaves for the backward one. */
interface Pass {
  p: PackedBatch;
  steps: LayerSteps;
  inputs: LayerInput[];
  masks: Array<Float32Array | null>;
  /** Where the head's weight is on the backend for this pass (its copy, or the tensor itself). */
  W: number;
}

export class FusedSequenceModel implements FusedSequenceEngine {
  private layout: Plan | null = null;
  /** Whether the parameters live in the backend's memory (residency.ts). */
  readonly resident: boolean;

  constructor(
    readonly model: SequenceModel,
    readonly backend: Backend,
  ) {
    const reason = fusedSequenceUnsupported(model);
    if (reason !== null) throw new Error(`fused engine: cannot run this model: ${reason}`);
    this.resident = adoptParameters(backend, model.parameters());
  }

  private get D(): number {
    return this.model.rnn.numDirections;
  }

  private get outputShape(): (B: number) => number[] {
    const m = this.model;
    return (B) => (m instanceof SequenceClassifier ? [B, m.numClasses] : [B, m.horizon, m.targets]);
  }

  /**
   * The buffers for batches of B rows, up to T steps and N rows in all (kept while batches fit; a batch that does
   * not fit lays them out again, for the largest T and N seen, so varying lengths settle after a few batches).
   */
  private plan(B: number, needT: number, needN: number): Plan {
    const old = this.layout;
    if (old !== null && old.B === B && old.T >= needT && old.N >= needN) return old;
    const T = Math.max(needT, old?.B === B ? old.T : 0);
    const N = Math.max(needN, old?.B === B ? old.N : 0);
    const { rnn, head } = this.model;
    const { D } = this;
    const H = rnn.hiddenSize;
    const O = head.outFeatures;
    const arena = new Arena();
    const embedding = this.model instanceof SequenceClassifier ? this.model.embedding : null;
    const V = this.model instanceof SequenceClassifier ? this.model.vocabSize : 0;
    const layers = rnn.cells.map((row, l) =>
      row.map((cell, d) => {
        const table = l === 0 && embedding !== null ? V : 0;
        const layer = cellKindOf(cell)!.fused(cell, { B, T, I: cell.inputSize, H, reverse: d === 1, packed: true, table, rows: N, resident: this.resident });
        layer.allocate(arena, this.backend);
        return layer;
      }),
    );
    const E = embedding?.embeddingDim ?? 0;
    const F = this.model instanceof SequenceClassifier ? E : rnn.inputSize;
    const perDirection = (n: number): number[] => Array.from({ length: D }, () => arena.take(n));
    const copy = (n: number): number => arena.take(this.resident ? 0 : n);
    const plan: Plan = {
      B,
      T,
      N,
      layers,
      active: arena.take(T),
      ids: arena.take(N),
      x: arena.take(N * F),
      dx: arena.take(embedding === null ? 0 : N * E),
      embedding: copy(V * E),
      dEmbedding: arena.take(V * E),
      dropped: layers.map((_, l) => (rnn.dropout > 0 && l < layers.length - 1 ? perDirection(N * H) : [])),
      dInput: layers.map((_, l) => (l > 0 ? perDirection(N * H) : [])),
      dTop: perDirection(N * H),
      z: arena.take(B * D * H),
      dz: arena.take(B * D * H),
      W: copy(D * H * O),
      bias: arena.take(O),
      dW: arena.take(D * H * O),
      dBias: arena.take(O),
      out: arena.take(B * O),
      dOut: arena.take(B * O),
      targets: arena.take(B * O),
      weights: arena.take(O),
    };
    this.backend.reserve(arena.size);
    this.layout = plan;
    return plan;
  }

  forward(input: Tensor, lengths?: ArrayLike<number> | Tensor): Tensor {
    const { B, T } = checkInput(this.model, input);
    const p = packBatch(B, T, lengths);
    const output = new Tensor(new Float32Array(B * this.model.head.outFeatures), this.outputShape(B));
    this.run(this.plan(B, T, p.N), input, p, output);
    return output;
  }

  lossAndGrad(batch: SequenceBatch, options: SequenceLossOptions = {}): SequenceStep {
    const { B, T } = checkInput(this.model, batch.input);
    const p = packBatch(B, T, batch.lengths);
    const output = new Tensor(new Float32Array(B * this.model.head.outFeatures), this.outputShape(B));
    const head = checkLoss(this.model, output, batch.targets, options);
    const L = this.plan(B, T, p.N);
    const pass = this.run(L, batch.input, p, output);
    const loss = this.loss(L, B, head, batch.targets);
    if (options.backward !== false) this.backward(L, pass);
    return { loss, output };
  }

  /** The forward pass from the input to the head's output (copied into `output`). */
  private run(L: Plan, input: Tensor, p: PackedBatch, output: Tensor): Pass {
    const be = this.backend;
    if (this.resident) adoptParameters(be, this.model.parameters(), true);
    const { rnn, head } = this.model;
    const H = rnn.hiddenSize;
    const { B, N } = p;
    const steps: LayerSteps = { T: p.T, N, active: N === B * p.T ? -1 : L.active };
    be.i32.set(p.active, L.active);
    for (const row of L.layers) for (const layer of row) layer.pack(be);
    const W = weightsAt(be, head.weight, L.W);
    const bias = head.bias === null ? L.bias : weightsAt(be, head.bias, L.bias);
    if (head.bias === null) be.f32.fill(0, L.bias, L.bias + head.outFeatures);

    let layerInput = this.firstInput(L, input, p);
    const inputs: LayerInput[] = [];
    const masks: Array<Float32Array | null> = [];
    L.layers.forEach((row, l) => {
      inputs.push(layerInput);
      for (const layer of row) {
        layer.clearState(be.f32); // the task models start every batch from zeros
        layer.forward(be, layerInput, null, steps);
      }
      let parts = row.map((layer) => layer.output);
      const mask = l < L.layers.length - 1 ? this.dropoutMask(p.T * B * this.D * H) : null;
      masks.push(mask);
      if (mask !== null) {
        parts.forEach((from, d) => this.applyMask(be.f32, from, L.dropped[l]![d]!, mask, p, d));
        parts = L.dropped[l]!;
      }
      layerInput = parts.length === 1 ? { rows: parts[0]! } : { parts };
    });
    this.pool(L, p);
    be.fillRows(B, head.outFeatures, bias, L.out);
    be.gemm(B, head.outFeatures, this.D * H, L.z, W, L.out, false, false, 1);
    output.data.set(be.f32.subarray(L.out, L.out + output.size));
    return { p, steps, inputs, masks, W };
  }

  /**
   * Layer 0's input: dense rows packed; ids packed, for one-hot input (the loop gathers rows of Wx) or embedded
   * input, whose loop gathers rows of embedding·Wx (V rows projected instead of N) when V < N, or else takes the
   * embedded rows.
   */
  private firstInput(L: Plan, input: Tensor, p: PackedBatch): LayerInput {
    const be = this.backend;
    const model = this.model;
    if (!(model instanceof SequenceClassifier)) {
      packRows(be.f32, input.data, model.rnn.inputSize, p, L.x);
      return { rows: L.x };
    }
    const ids = be.i32;
    for (let t = 0; t < p.T; t++) for (let k = 0; k < p.active[t]!; k++) ids[L.ids + p.off[t]! + k] = input.data[p.order[k]! * p.T + t]!;
    if (model.embedding === null) return { ids: L.ids };
    const E = model.embedding.embeddingDim;
    const table = weightsAt(be, model.embedding.weight, L.embedding);
    if (model.vocabSize < p.N) return { ids: L.ids, table: { rows: table, count: model.vocabSize } };
    be.gatherRows(p.N, E, table, L.ids, -1, L.x);
    return { rows: L.x };
  }

  /**
   * The head's input z (B, D·H), caller's row order: the top layer's output at each row's last valid step (the
   * reverse direction's at step 0: its final state, as h_n), or its mean over the row's valid steps, summed in
   * float32 step by step as the autograd path's sum over time does.
   */
  private pool(L: Plan, p: PackedBatch): void {
    const m = this.backend.f32;
    const H = this.model.rnn.hiddenSize;
    const DH = this.D * H;
    const top = L.layers[L.layers.length - 1]!.map((layer) => layer.output);
    const mean = this.model instanceof SequenceClassifier && this.model.pool === 'mean';
    for (let b = 0; b < p.B; b++) {
      const k = p.inverse[b]!;
      const n = p.lengths[b]!;
      top.forEach((out, d) => {
        const z = L.z + b * DH + d * H;
        if (!mean) {
          const row = d === 0 ? p.off[n - 1]! + k : k;
          m.copyWithin(z, out + row * H, out + (row + 1) * H);
          return;
        }
        m.fill(0, z, z + H);
        for (let t = 0; t < n; t++) for (let j = 0, at = out + (p.off[t]! + k) * H; j < H; j++) m[z + j]! += m[at + j]!;
        const inv = Math.fround(1 / n);
        for (let j = 0; j < H; j++) m[z + j]! *= inv;
      });
    }
  }

  /** The mean loss on the head's output (weighted mean with class weights) and its gradient dOut. */
  private loss(L: Plan, B: number, head: HeadLoss, targets: Tensor): number {
    const be = this.backend;
    const O = this.model.head.outFeatures;
    if (head.kind !== 'cross-entropy') {
      be.f32.set(targets.data, L.targets);
      const n = B * O;
      const sum = be.regressionLoss(n, ['mse', 'mae', 'huber'].indexOf(head.kind), head.delta, L.out, L.targets, L.dOut, 1 / n);
      return Math.fround(sum * (1 / n));
    }
    const w = head.classWeights;
    let denominator = 0;
    for (let b = 0; b < B; b++) {
      const t = targets.data[b]!;
      be.i32[L.targets + b] = t;
      denominator += w === null ? 1 : w[t]!;
    }
    if (w !== null) be.f32.set(w, L.weights);
    const sum = be.softmaxCrossEntropy(B, O, L.out, L.targets, w === null ? -1 : L.weights, L.dOut, 1 / denominator);
    return Math.fround(sum * (1 / denominator));
  }

  /** Back from dOut through the head, the pool, every layer (top down) and the input; gradients added to `.grad`. */
  private backward(L: Plan, pass: Pass): void {
    const be = this.backend;
    const { rnn, head } = this.model;
    const H = rnn.hiddenSize;
    const DH = this.D * H;
    const O = head.outFeatures;
    const { p } = pass;
    be.gemm(DH, O, p.B, L.z, L.dOut, L.dW, true, false, 0);
    be.f32.fill(0, L.dBias, L.dBias + O);
    be.addColumnSums(p.B, O, L.dOut, L.dBias);
    be.gemm(p.B, DH, O, L.dOut, pass.W, L.dz, false, true, 0);
    this.unpool(L, p);

    const embedding = this.model instanceof SequenceClassifier ? this.model.embedding : null;
    const first = pass.inputs[0]!;
    const throughTable = 'table' in first && first.table !== undefined;
    for (let l = L.layers.length - 1; l >= 0; l--) {
      const below = l > 0 ? L.dInput[l]! : embedding === null ? null : throughTable ? [L.dEmbedding] : [L.dx];
      L.layers[l]!.forEach((layer, d) => layer.backward(be, pass.inputs[l]!, l === L.layers.length - 1 ? L.dTop[d]! : L.dInput[l + 1]![d]!, below, d === 0 ? 0 : 1));
      const mask = l > 0 ? pass.masks[l - 1] : null;
      if (mask) L.dInput[l]!.forEach((at, d) => this.applyMask(be.f32, at, at, mask, p, d));
    }
    if (embedding !== null) {
      if (!throughTable) {
        be.f32.fill(0, L.dEmbedding, L.dEmbedding + embedding.weight.size);
        be.scatterAddRows(p.N, embedding.embeddingDim, L.dx, L.ids, L.dEmbedding);
      }
      addGradFrom(be, embedding.weight, L.dEmbedding, embedding.weight.size);
    }
    for (const row of L.layers) for (const layer of row) layer.unpackGrads(be);
    addGradFrom(be, head.weight, L.dW, DH * O);
    if (head.bias !== null) addGradFrom(be, head.bias, L.dBias, O);
  }

  /** dz back to the top layer's output rows: at each row's last step, or spread over its valid steps (·1/n). */
  private unpool(L: Plan, p: PackedBatch): void {
    const m = this.backend.f32;
    const H = this.model.rnn.hiddenSize;
    const DH = this.D * H;
    const mean = this.model instanceof SequenceClassifier && this.model.pool === 'mean';
    // Every packed row is some row's valid step: the mean writes them all, the last step only some.
    if (!mean) for (const at of L.dTop) m.fill(0, at, at + p.N * H);
    for (let b = 0; b < p.B; b++) {
      const k = p.inverse[b]!;
      const n = p.lengths[b]!;
      L.dTop.forEach((dTop, d) => {
        const dz = L.dz + b * DH + d * H;
        if (!mean) {
          m.copyWithin(dTop + (d === 0 ? p.off[n - 1]! + k : k) * H, dz, dz + H);
          return;
        }
        const inv = Math.fround(1 / n);
        for (let t = 0; t < n; t++) for (let j = 0, at = dTop + (p.off[t]! + k) * H; j < H; j++) m[at + j] = m[dz + j]! * inv;
      });
    }
  }

  /** Inverted-dropout mask over (T, B, D·H) in sorted row order, drawn exactly as the autograd path draws it. */
  private dropoutMask(n: number): Float32Array | null {
    const { rnn } = this.model;
    if (!rnn.training || rnn.dropout === 0) return null;
    const keep = 1 / (1 - rnn.dropout);
    const mask = new Float32Array(n);
    for (let k = 0; k < n; k++) mask[k] = rnn.random.next() < rnn.dropout ? 0 : keep;
    return mask;
  }

  /** to = from ⊙ mask for direction d's packed rows (the mask's columns d·H .. d·H + H - 1). */
  private applyMask(m: Float32Array, from: number, to: number, mask: Float32Array, p: PackedBatch, d: number): void {
    const H = this.model.rnn.hiddenSize;
    const DH = this.D * H;
    for (let t = 0; t < p.T; t++) {
      for (let k = 0; k < p.active[t]!; k++) {
        const row = (p.off[t]! + k) * H;
        const at = (t * p.B + k) * DH + d * H;
        for (let j = 0; j < H; j++) m[to + row + j] = m[from + row + j]! * mask[at + j]!;
      }
    }
  }
}

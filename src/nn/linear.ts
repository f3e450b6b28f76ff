// A fully connected layer y = x W + b over the last axis, as nn.Linear: the decoder from hidden states to logits,
// a forecaster's or classifier's head. Shapes: x (..., in), W (in, out), b (1, out), y (..., out).
// PyTorch stores weight as (out, in); torchStateDict transposes. Initialised uniform(±1/√in), as nn.Linear does.
import { Tensor, shapeString } from '../core/tensor.js';
import { Random, seededOrDefault } from '../core/random.js';
import { add, matmul, reshape } from '../core/ops/index.js';
import { uniformParameter } from './init.js';
import { Module, own } from './module.js';
import type { StateDict } from './torch-state-dict.js';

export interface LinearOptions {
  /** Learn the additive bias b (default true). */
  bias?: boolean;
  /** Draws the initial weights; when omitted, a generator seeded with `seed`, else the global one (manualSeed). */
  random?: Random;
  seed?: number;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  /** `new Linear(in, out)`, or with options; a Random as third argument draws the weights (RNNModel's decoder). */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions | Random = {}) {
    super();
    for (const [what, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`Linear: ${what} must be an integer >= 1, got ${v}`);
    }
    const { bias = true, random = seededOrDefault((options as LinearOptions).seed) } = options instanceof Random ? { random: options } : options;
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const k = 1 / Math.sqrt(inFeatures);
    this.weight = this.registerParameter('weight', uniformParameter([inFeatures, outFeatures], k, random));
    this.bias = bias ? this.registerParameter('bias', uniformParameter([1, outFeatures], k, random)) : null;
  }

  forward(x: Tensor): Tensor {
    const rank = x.shape.length;
    if (rank < 1 || x.shape[rank - 1] !== this.inFeatures) {
      throw new Error(`Linear: expected input (..., ${this.inFeatures}), got ${shapeString(x.shape)}`);
    }
    // Leading axes fold into rows of one product: (..., in) -> (N, in) -> (N, out) -> (..., out).
    const rows = rank === 2 ? x : reshape(x, [-1, this.inFeatures]);
    const y = this.bias === null ? matmul(rows, this.weight) : add(matmul(rows, this.weight), this.bias);
    return rank === 2 ? y : reshape(y, [...x.shape.slice(0, -1), this.outFeatures]);
  }

  /** `weight` (out, in) and `bias` (out,), as nn.Linear's state dict. */
  override torchStateDict(): StateDict {
    const [I, O] = [this.inFeatures, this.outFeatures];
    const w = this.weight.data instanceof Float64Array ? new Float64Array(O * I) : new Float32Array(O * I);
    for (let p = 0; p < I; p++) for (let j = 0; j < O; j++) w[j * I + p] = this.weight.data[p * O + j]!;
    const dict: StateDict = Object.create(null);
    dict.weight = new Tensor(w, [O, I]);
    if (this.bias !== null) dict.bias = new Tensor(this.bias.data.slice(), [O]);
    return dict;
  }

  protected override assignTorch(dict: StateDict, prefix: string): void {
    const [I, O] = [this.inFeatures, this.outFeatures];
    const weight = own(dict, `${prefix}weight`)!.data;
    for (let p = 0; p < I; p++) for (let j = 0; j < O; j++) this.weight.data[p * O + j] = weight[j * I + p]!;
    if (this.bias !== null) this.bias.data.set(own(dict, `${prefix}bias`)!.data);
  }
}

// A fully connected layer y = x W + b, as the decoder from hidden states to vocabulary logits.
// Shapes: x (N, in), W (in, out), b (1, out), y (N, out). PyTorch's nn.Linear stores weight as (out, in);
// the torch state dict below transposes. Initialised uniform(±1/√in), as nn.Linear does.
import { Tensor, shapeString } from '../core/tensor.js';
import { Random } from '../core/random.js';
import { add, matmul } from '../core/ops/index.js';
import { uniformParameter } from './init.js';
import { Module } from './module.js';
import type { StateDict } from './torch-state-dict.js';

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(inFeatures: number, outFeatures: number, random: Random = new Random(0)) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const k = 1 / Math.sqrt(inFeatures);
    this.weight = uniformParameter([inFeatures, outFeatures], k, random);
    this.bias = uniformParameter([1, outFeatures], k, random);
  }

  namedParameters(): Array<[string, Tensor]> {
    return [
      ['weight', this.weight],
      ['bias', this.bias],
    ];
  }

  forward(x: Tensor): Tensor {
    if (x.shape.length !== 2 || x.shape[1] !== this.inFeatures) {
      throw new Error(`Linear: expected input (N, ${this.inFeatures}), got ${shapeString(x.shape)}`);
    }
    return add(matmul(x, this.weight), this.bias);
  }

  torchStateDict(): StateDict {
    const [I, O] = [this.inFeatures, this.outFeatures];
    const w = this.weight.data instanceof Float64Array ? new Float64Array(O * I) : new Float32Array(O * I);
    for (let p = 0; p < I; p++) for (let j = 0; j < O; j++) w[j * I + p] = this.weight.data[p * O + j]!;
    return { weight: new Tensor(w, [O, I]), bias: new Tensor(this.bias.data.slice(), [O]) };
  }

  loadTorchStateDict(dict: StateDict, prefix = ''): void {
    const [I, O] = [this.inFeatures, this.outFeatures];
    const weight = dict[`${prefix}weight`];
    const bias = dict[`${prefix}bias`];
    if (weight === undefined || weight.shape.length !== 2 || weight.shape[0] !== O || weight.shape[1] !== I) {
      throw new Error(`loadTorchStateDict: ${prefix}weight must have shape (${O}, ${I}), got ${weight === undefined ? 'nothing' : shapeString(weight.shape)}`);
    }
    if (bias === undefined || bias.size !== O) {
      throw new Error(`loadTorchStateDict: ${prefix}bias must have shape (${O},), got ${bias === undefined ? 'nothing' : shapeString(bias.shape)}`);
    }
    for (let p = 0; p < I; p++) for (let j = 0; j < O; j++) this.weight.data[p * O + j] = weight.data[j * I + p]!;
    this.bias.data.set(bias.data);
  }
}

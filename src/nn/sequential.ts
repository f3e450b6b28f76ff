// Sequential: modules applied in order, each to the previous one's result, as nn.Sequential; children are named
// '0', '1', ... so state dicts carry PyTorch's names (`0.weight_ih_l0`, `2.weight`).
// A recurrent layer returns [output, state]; in a Sequential its output flows on and the state is dropped, which is
// what `nn.Sequential` users write a wrapper for (the final state of a Sequential's recurrent layer is not needed
// by a Linear after it: it reads every step's output). Layers that need states or lengths are composed by hand.
import type { Tensor } from '../core/tensor.js';
import { Module } from './module.js';

/** A module with a one-input forward: a Tensor out, or a tuple whose first element is the Tensor that flows on. */
export interface SequentialLayer extends Module {
  forward(x: Tensor): Tensor | readonly [Tensor, ...unknown[]];
}

export class Sequential extends Module {
  readonly layers: readonly SequentialLayer[];

  constructor(...layers: SequentialLayer[]) {
    super();
    if (layers.length === 0) throw new Error('Sequential: needs at least one layer');
    layers.forEach((layer, k) => this.registerModule(String(k), layer));
    this.layers = layers;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const layer of this.layers) {
      const out = layer.forward(y);
      y = Array.isArray(out) ? (out as readonly [Tensor])[0] : (out as Tensor);
    }
    return y;
  }
}

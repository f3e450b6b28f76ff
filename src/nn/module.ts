// Module: what every layer and model shares — named parameters (the tensors an optimizer updates in place
// through `.data`), sub-modules, and the train/eval switch that turns dropout on and off.
import type { Tensor } from '../core/tensor.js';

export abstract class Module {
  training = true;

  /** Parameters under stable, dotted names (`l0.W_i`, `decoder.weight`), in a fixed order. */
  abstract namedParameters(): Array<[string, Tensor]>;

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** One parameter by its dotted name; an unknown name is an error listing the known ones. */
  parameter(name: string): Tensor {
    const named = this.namedParameters();
    const found = named.find(([n]) => n === name);
    if (found === undefined) throw new Error(`no parameter "${name}"; parameters are: ${named.map(([n]) => n).join(', ')}`);
    return found[1];
  }

  /** Sub-modules whose training flag follows this one's. */
  protected children(): Module[] {
    return [];
  }

  train(mode = true): this {
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient: dropped (null) by default, or kept and zeroed (no allocation per step). */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) p.zeroGrad(setToNone);
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }
}

/** Prefixes every name of a sub-module's parameters: `prefixed('rnn', [['l0.W_i', t]])` gives `rnn.l0.W_i`. */
export function prefixed(prefix: string, named: Array<[string, Tensor]>): Array<[string, Tensor]> {
  return named.map(([name, t]) => [`${prefix}.${name}`, t]);
}

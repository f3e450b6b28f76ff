// The Optimizer base class: owns a list of parameters (Tensors updated IN PLACE through `.data`, never replaced,
// since layers hold references to those arrays), a settable learning rate `lr`, a step counter, and named state
// buffers (momentum, Adam moments) of the same dtype and length as the parameters they belong to.
// `stateDict()` / `loadStateDict()` copy hyperparameters, step count and buffers so a checkpoint resumes exactly.
// Buffers are tensors, so they can live where their parameters live: once the fused engine has moved a parameter
// into WebAssembly memory, the step moves its buffers beside it and the update runs there in place.

import { Tensor, type Data } from '../core/tensor.js';
import { optimKernels } from '../kernels/index.js';

export type Hyper = Record<string, number | boolean>;

/** A serialisable snapshot: buffers are copies (float32 for float32 params, float64 for float64 params). */
export interface OptimizerState {
  kind: string;
  hyper: Hyper;
  step: number;
  buffers: Record<string, Data>;
}

export abstract class Optimizer {
  /** Identifies the algorithm in a state dict ('sgd', 'adam', 'adamw'); loading another kind's state is an error. */
  abstract readonly kind: string;
  readonly params: readonly Tensor[];
  /** Learning rate; set it freely between steps (schedules do). */
  lr: number;
  /** Number of completed step() calls. */
  stepCount = 0;
  /**
   * After step(): the largest |parameter| / MAX_WEIGHT and |buffer| / MAX_STATE it wrote (core/limits.ts), NaN if
   * it wrote a NaN. Above 1 or NaN, the step left values a checkpoint may not hold: the trainer stops on it.
   * Found by the update kernels in the same pass as the update.
   */
  boundRatio = 0;
  /** Live state buffers by name, e.g. 'momentum.0'; subclasses add them in their constructors (addBuffer). */
  protected readonly buffers: Record<string, Tensor> = {};
  /** The parameter each buffer belongs to (by index), for the buffers that follow their parameter's memory. */
  readonly #owners = new Map<string, number>();

  constructor(params: readonly Tensor[], lr: number) {
    if (params.length === 0) throw new Error('Optimizer: got an empty parameter list');
    if (new Set(params).size !== params.length) throw new Error('Optimizer: a parameter appears more than once');
    checkNonNegative('lr', lr);
    this.params = [...params];
    this.lr = lr;
  }

  /** One update of every parameter that has a gradient (a parameter with a null grad is skipped, as in PyTorch). */
  abstract step(): void;

  /** Hyperparameters other than lr, by name (JSON-friendly). */
  protected abstract hyper(): Hyper;

  /** Restores what `hyper()` returned; called after the keys and types have been checked. */
  protected abstract setHyper(hyper: Hyper): void;

  /** See Tensor.zeroGrad: setToNone false keeps and zeroes the buffers (no allocation per step). */
  zeroGrad(setToNone = true): void {
    for (const p of this.params) p.zeroGrad(setToNone);
  }

  /** Adds a zero buffer `name` shaped and typed like parameter k (float64 params get float64 state). */
  protected addBuffer(name: string, k: number): void {
    const p = this.params[k]!;
    this.buffers[name] = Tensor.zeros([p.size], { dtype: p.dtype });
    this.#owners.set(name, k);
  }

  /** Buffer `name`'s values (read it again after anything that may move memory: placeBuffers). */
  protected buffer(name: string): Data {
    return this.buffers[name]!.data;
  }

  /**
   * Moves every buffer whose parameter now lives outside the JavaScript heap (the fused engine put it in
   * WebAssembly memory) to the same memory, so the update kernels run on all of them in place. Called by step().
   */
  protected placeBuffers(): void {
    const adopt = optimKernels().adopt;
    if (adopt === undefined) return;
    const moving: Tensor[] = [];
    for (const [name, k] of this.#owners) if (this.params[k]!.storage !== null && this.buffers[name]!.storage === null) moving.push(this.buffers[name]!);
    if (moving.length > 0) adopt(moving);
  }

  stateDict(): OptimizerState {
    const buffers: Record<string, Data> = {};
    for (const [name, buf] of Object.entries(this.buffers)) buffers[name] = buf.data.slice();
    return { kind: this.kind, hyper: { lr: this.lr, ...this.hyper() }, step: this.stepCount, buffers };
  }

  /** Validates everything first, then copies into the existing buffers (so nothing changes if it throws). */
  loadStateDict(state: OptimizerState): void {
    const where = `${this.constructor.name}.loadStateDict`;
    if (state.kind !== this.kind) throw new Error(`${where}: state is for kind '${state.kind}', expected '${this.kind}'`);
    if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`${where}: step must be a non-negative integer, got ${state.step}`);

    const expectedHyper: Hyper = { lr: this.lr, ...this.hyper() };
    const wantKeys = Object.keys(expectedHyper).sort();
    const gotKeys = Object.keys(state.hyper).sort();
    if (wantKeys.join() !== gotKeys.join()) {
      throw new Error(`${where}: hyperparameters [${gotKeys.join(', ')}], expected [${wantKeys.join(', ')}]`);
    }
    for (const key of wantKeys) {
      const want = typeof expectedHyper[key], got = typeof state.hyper[key];
      if (want !== got) throw new Error(`${where}: hyperparameter '${key}' is a ${got}, expected a ${want}`);
    }

    const wantNames = Object.keys(this.buffers);
    const gotNames = Object.keys(state.buffers);
    if (gotNames.length !== wantNames.length || wantNames.some((n) => !(n in state.buffers))) {
      throw new Error(`${where}: got ${gotNames.length} buffers [${gotNames.join(', ')}], expected ${wantNames.length} [${wantNames.join(', ')}]`);
    }
    for (const name of wantNames) {
      const want = this.buffers[name]!.size, got = state.buffers[name]!.length;
      if (want !== got) throw new Error(`${where}: buffer '${name}' has ${got} elements, expected ${want}`);
    }

    for (const name of wantNames) this.buffers[name]!.data.set(state.buffers[name]!);
    const { lr, ...rest } = state.hyper;
    this.lr = lr as number;
    this.setHyper(rest);
    this.stepCount = state.step;
  }
}

/** Throws unless `value` is a finite number ≥ 0, naming the option. */
export function checkNonNegative(name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) throw new Error(`${name} must be a finite number >= 0, got ${value}`);
}

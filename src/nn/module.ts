// Module: the tree every layer and model is built from, as torch.nn.Module. A module registers its own parameters
// (tensors an optimizer updates in place through `.data`) and its child modules once, by name; everything else —
// dotted names over the whole tree, state dicts in our names and in PyTorch's, train/eval — walks that tree.
// Our names and PyTorch's differ only where a layer stores a tensor differently (Linear keeps W as (in, out),
// recurrent layers keep one matrix per gate): such layers override torchStateDict/assignTorch for their own part.
import { MAX_WEIGHT } from '../core/limits.js';
import { Tensor, shapeString } from '../core/tensor.js';
import { checkValues } from '../io/tensor-spec.js';
import type { StateDict } from './torch-state-dict.js';

export interface LoadOptions {
  /** Only the keys under this prefix are read (e.g. 'rnn.' for the recurrent part of a whole model's dict). */
  prefix?: string;
  /** Missing and unexpected keys are errors (the default); shapes must always fit. */
  strict?: boolean;
}

function checkName(what: string, name: string, taken: (n: string) => boolean): void {
  if (typeof name !== 'string' || name === '' || name.includes('.')) throw new Error(`${what} name must be a non-empty string without dots, got ${JSON.stringify(name)}`);
  if (taken(name)) throw new Error(`${what} name "${name}" is already registered on this module`);
}

export abstract class Module {
  training = true;
  readonly #parameters = new Map<string, Tensor>();
  readonly #modules = new Map<string, Module>();

  /** Adds a parameter of this module under `name` (no dots), once; returns it. */
  registerParameter(name: string, parameter: Tensor): Tensor {
    checkName('parameter', name, (n) => this.#parameters.has(n) || this.#modules.has(n));
    if (!(parameter instanceof Tensor)) throw new Error(`registerParameter: "${name}" must be a Tensor`);
    this.#parameters.set(name, parameter);
    return parameter;
  }

  /** Adds a child module under `name` (no dots), once; its parameters appear as `name.*`. Returns it. */
  registerModule<M extends Module>(name: string, module: M): M {
    checkName('module', name, (n) => this.#parameters.has(n) || this.#modules.has(n));
    if (!(module instanceof Module)) throw new Error(`registerModule: "${name}" must be a Module`);
    this.#modules.set(name, module);
    return module;
  }

  /** The direct children, by name, in registration order. */
  namedChildren(): Array<[string, Module]> {
    return [...this.#modules];
  }

  /** The modules train()/eval() reach: the registered children (a module listing its parts by hand overrides it). */
  protected children(): Module[] {
    return [...this.#modules.values()];
  }

  /** Every parameter of the tree under dotted names (`rnn.l0.W_i`), own ones first, each tensor once. */
  namedParameters(): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    const seen = new Set<Tensor>();
    const walk = (module: Module, prefix: string): void => {
      for (const [name, p] of module.#parameters) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix + name, p]);
      }
      for (const [name, child] of module.#modules) walk(child, `${prefix}${name}.`);
    };
    walk(this, '');
    return out;
  }

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

  /** Sets the training flag of this module and of every module below it (dropout acts only in training). */
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

  /** Copies of every parameter under our dotted names (what checkpoints store). */
  stateDict(): StateDict {
    const dict: StateDict = Object.create(null);
    for (const [name, p] of this.namedParameters()) dict[name] = new Tensor(p.data.slice(), p.shape);
    return dict;
  }

  /**
   * Copies `dict` (our names) into the parameters, in place, after checking it whole: missing and unexpected keys
   * (unless strict is false), shapes, and values that are not finite or past MAX_WEIGHT are one-line errors, and
   * nothing changes on an error.
   */
  loadStateDict(dict: StateDict, options: LoadOptions = {}): void {
    const expected = this.namedParameters();
    const shapes: StateDict = Object.create(null);
    for (const [name, p] of expected) shapes[name] = p;
    checkStateDict('loadStateDict', shapes, dict, options, this.constructor.name);
    const prefix = options.prefix ?? '';
    for (const [name, p] of expected) {
      const got = own(dict, prefix + name);
      if (got !== undefined) p.data.set(got.data);
    }
  }

  /** The parameters under PyTorch's names and layouts (fresh tensors, copied); children under their torch names. */
  torchStateDict(): StateDict {
    const dict: StateDict = Object.create(null);
    for (const [name, p] of this.#parameters) dict[name] = new Tensor(p.data.slice(), p.shape);
    for (const [name, child] of this.#modules) {
      const sub = child.torchStateDict();
      for (const key of Object.keys(sub)) dict[`${this.torchName(name)}.${key}`] = sub[key]!;
    }
    return dict;
  }

  /**
   * Loads PyTorch weights (e.g. from `readSafetensors`) in place. With a prefix, only that part of a bigger dict
   * is read (`lstm.loadTorchStateDict(dict, 'rnn.')` takes a model's recurrent layer and leaves its head alone);
   * within it, missing, unexpected and misshaped tensors are one-line errors, and nothing changes on an error.
   */
  loadTorchStateDict(dict: StateDict, prefix = ''): void {
    checkStateDict('loadTorchStateDict', this.torchStateDict(), dict, { prefix }, this.constructor.name);
    this.assignTorch(dict, prefix);
  }

  /** PyTorch's name for a child (RNNModel's `decoder` is d2l's `linear`); the same name by default. */
  protected torchName(child: string): string {
    return child;
  }

  /** Copies an already checked PyTorch dict into this module's own parameters and then its children's. */
  protected assignTorch(dict: StateDict, prefix: string): void {
    for (const [name, p] of this.#parameters) p.data.set(own(dict, prefix + name)!.data);
    for (const [name, child] of this.#modules) child.assignTorch(dict, `${prefix}${this.torchName(name)}.`);
  }
}

/** dict[key] only when it is the dict's own entry (a key such as "constructor" read from a file finds nothing). */
export function own(dict: StateDict, key: string): Tensor | undefined {
  return Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : undefined;
}

function listSome(names: string[]): string {
  return names.length <= 6 ? names.join(', ') : `${names.slice(0, 6).join(', ')} and ${names.length - 6} more`;
}

/**
 * Checks `dict` against the tensors `expected` (names relative to `prefix`): every expected key present with the
 * same shape and finite values, and (strict) no other key under the prefix. Errors are one line naming the module,
 * what was expected and what came; a dict whose keys all sit under one unnamed prefix gets that prefix suggested.
 */
export function checkStateDict(op: string, expected: StateDict, dict: StateDict, options: LoadOptions, owner: string): void {
  if (typeof dict !== 'object' || dict === null) throw new Error(`${op}: expected a dict of tensors, got ${dict === null ? 'null' : typeof dict}`);
  const prefix = options.prefix ?? '';
  const strict = options.strict ?? true;
  const wanted = Object.keys(expected);
  const missing = wanted.filter((k) => own(dict, prefix + k) === undefined);
  const extra = Object.keys(dict).filter((k) => k.startsWith(prefix) && own(expected, k.slice(prefix.length)) === undefined);
  if (strict && (missing.length > 0 || extra.length > 0)) {
    const parts = [missing.length > 0 ? `missing ${listSome(missing.map((k) => prefix + k))}` : '', extra.length > 0 ? `unexpected ${listSome(extra)}` : ''];
    const hint = prefix === '' && missing.length === wanted.length ? prefixHint(wanted, Object.keys(dict)) : '';
    throw new Error(`${op}: state dict does not fit this ${owner}: ${parts.filter(Boolean).join('; ')}${hint}`);
  }
  for (const name of wanted) {
    const got = own(dict, prefix + name);
    if (got === undefined) continue;
    const want = expected[name]!;
    if (!(got instanceof Tensor)) throw new Error(`${op}: ${prefix}${name} must be a Tensor, got ${typeof got}`);
    if (got.shape.length !== want.shape.length || got.shape.some((d, k) => d !== want.shape[k])) {
      throw new Error(`${op}: ${prefix}${name} must have shape ${shapeString(want.shape)}, got ${shapeString(got.shape)}`);
    }
    // The bound every loader holds weights to (core/limits.ts): NaN, ±Inf and |w| > MAX_WEIGHT are refused.
    checkValues(prefix + name, got.data, { bound: MAX_WEIGHT, role: 'weight' }, (why) => {
      throw new Error(`${op}: ${why}`);
    });
  }
}

/** " (did you mean prefix 'rnn.'?)" when every expected name is found under one prefix in the dict. */
function prefixHint(wanted: string[], keys: string[]): string {
  const first = keys.find((k) => k.endsWith(`.${wanted[0]}`));
  if (first === undefined) return '';
  const prefix = first.slice(0, first.length - wanted[0]!.length);
  return wanted.every((w) => keys.includes(prefix + w)) ? ` (its part under "${prefix}" fits: pass the prefix "${prefix}")` : '';
}

/**
 * For a module that lists its parameters by hand instead of registering them: `prefixed('rnn', [['l0.W_i', t]])`
 * gives `rnn.l0.W_i`. Registered children get their prefixes from the tree.
 */
export function prefixed(prefix: string, named: Array<[string, Tensor]>): Array<[string, Tensor]> {
  return named.map(([name, t]) => [`${prefix}.${name}`, t]);
}

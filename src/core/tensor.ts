// Tensor: a row-major typed array with a shape, and the reverse-mode autograd graph that ops build on it.
// Each op result remembers its parents and a closure `backward` that reads `this.grad` and accumulates
// (+=) into its parents' grads. `backward()` on a scalar runs those closures in reverse topological order.
// Storage is Float32Array; Float64Array is also carried end to end so that gradcheck can difference in float64.
// A float32 tensor's values (and gradient) may instead live in a Storage outside the JavaScript heap: the fused
// engine moves the parameters it trains into WebAssembly memory (src/kernels/wasm/storage.ts), where the engine,
// the optimizers and the products work on them in place. `data` and `grad` then read as views of that memory,
// made again whenever the memory behind them was replaced: read them afresh rather than keep an array for long.

export type Data = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';

/**
 * Float32 values kept outside a JavaScript array. `view` is a Float32Array over them, re-derived whenever the
 * one made before could read stale (a non-shared WebAssembly memory detaches its buffer when it grows).
 */
export interface Storage {
  readonly length: number;
  readonly view: Float32Array;
}

function isStorage(x: unknown): x is Storage {
  return typeof x === 'object' && x !== null && 'view' in x && !ArrayBuffer.isView(x);
}

const EMPTY = new Float32Array(0);

export interface TensorOptions {
  requiresGrad?: boolean;
}

/** While > 0, ops record no graph (generation, evaluation). */
let noGradDepth = 0;

/** Runs `fn` without recording the autograd graph, like `torch.no_grad()`. */
export function noGrad<T>(fn: () => T): T {
  noGradDepth++;
  try {
    return fn();
  } finally {
    noGradDepth--;
  }
}

export function gradEnabled(): boolean {
  return noGradDepth === 0;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeString(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

export class Tensor {
  readonly shape: readonly number[];
  requiresGrad: boolean;
  /** The tensors this one was computed from (empty for leaves). */
  readonly parents: readonly Tensor[];
  /** Sends this.grad to the parents' grads; null for leaves. */
  private backwardFn: (() => void) | null;
  /** The values: in #array, or in #storage when that is set. */
  #array: Data;
  #storage: Storage | null = null;
  /** The gradient: in #gradArray, or (when #gradStorage is set) in #gradStorage if #hasGrad. */
  #gradArray: Data | null = null;
  #gradStorage: Storage | null = null;
  #hasGrad = false;

  /** `data` may also be a Storage (a tensor sharing another's: detach, reshape). */
  constructor(data: Data | readonly number[] | Storage, shape: readonly number[], options: TensorOptions = {}) {
    const storage = isStorage(data) ? data : null;
    const buf = storage !== null ? storage.view : data instanceof Float32Array || data instanceof Float64Array ? data : Float32Array.from(data as readonly number[]);
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new Error(`Tensor: shape ${shapeString(shape)} has a dimension that is not a non-negative integer`);
    }
    if (buf.length !== sizeOf(shape)) {
      throw new Error(`Tensor: data has ${buf.length} elements but shape ${shapeString(shape)} needs ${sizeOf(shape)}`);
    }
    this.#array = storage !== null ? EMPTY : buf;
    this.#storage = storage;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = options.requiresGrad ?? false;
    this.parents = [];
    this.backwardFn = null;
  }

  /** Builds an op's result. The graph is recorded only if a parent needs a gradient and grad mode is on. */
  static fromOp(data: Data | Storage, shape: readonly number[], parents: readonly Tensor[], backward: (out: Tensor) => void): Tensor {
    const out = new Tensor(data, shape);
    if (gradEnabled() && parents.some((p) => p.requiresGrad)) {
      out.requiresGrad = true;
      (out as { parents: readonly Tensor[] }).parents = parents;
      out.backwardFn = () => backward(out);
    }
    return out;
  }

  static zeros(shape: readonly number[], options: TensorOptions & { dtype?: DType } = {}): Tensor {
    const n = sizeOf(shape);
    return new Tensor(options.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n), shape, options);
  }

  static scalar(value: number, options: TensorOptions = {}): Tensor {
    return new Tensor(Float32Array.of(value), [], options);
  }

  /** The values: the array itself, or a view of the storage they live in (made again if the memory changed). */
  get data(): Data {
    return this.#storage === null ? this.#array : this.#storage.view;
  }

  /** Replaces the values by `values` itself; a tensor kept in other memory comes back to JavaScript arrays. */
  set data(values: Data) {
    if (this.#gradStorage !== null) {
      this.#gradArray = this.#hasGrad ? this.#gradStorage.view.slice() : null;
      this.#gradStorage = null;
      this.#hasGrad = false;
    }
    this.#storage = null;
    this.#array = values;
  }

  /** d(loss)/d(this), same length as data; null until a backward pass reaches this tensor. */
  get grad(): Data | null {
    if (this.#gradStorage === null) return this.#gradArray;
    return this.#hasGrad ? this.#gradStorage.view : null;
  }

  /** Sets the gradient (null: none); a gradient kept in other memory gets a copy of the values there. */
  set grad(values: Data | null) {
    const kept = this.#gradStorage;
    if (kept === null) {
      this.#gradArray = values;
      return;
    }
    this.#hasGrad = values !== null;
    if (values === null) return;
    if (values.length !== kept.length) throw new Error(`Tensor: a gradient of ${values.length} elements for a tensor of ${kept.length}`);
    const view = kept.view;
    if (values !== view) view.set(values);
  }

  /** Where the values live when not in a JavaScript array (null: they are), for kernels that work on them in place. */
  get storage(): Storage | null {
    return this.#storage;
  }

  /** Where the gradient lives when not in a JavaScript array (null: it is, or there is none). */
  get gradStorage(): Storage | null {
    return this.#gradStorage;
  }

  /**
   * Moves a float32 tensor's values into `values` (and its gradient, if any, into `grad`, which then holds every
   * later gradient): copied there, and read and written there from then on.
   */
  moveTo(values: Storage, grad: Storage | null): void {
    const data = this.data;
    if (!(data instanceof Float32Array)) throw new Error('Tensor.moveTo: only float32 tensors can move');
    if (values.length !== data.length || (grad !== null && grad.length !== data.length)) throw new Error(`Tensor.moveTo: storage of ${values.length} floats for a tensor of ${data.length}`);
    const oldGrad = this.grad;
    values.view.set(data);
    if (grad !== null) {
      if (oldGrad !== null) grad.view.set(oldGrad);
      this.#gradStorage = grad;
      this.#hasGrad = oldGrad !== null;
      this.#gradArray = null;
    }
    this.#storage = values;
    this.#array = EMPTY;
  }

  /**
   * For a kernel about to write this tensor's gradient in its storage: marks the gradient present and returns
   * whether it already was (add to it) or not (overwrite whatever the storage holds).
   */
  claimGradStorage(): boolean {
    if (this.#gradStorage === null) throw new Error('Tensor.claimGradStorage: the gradient is not kept in a storage');
    const had = this.#hasGrad;
    this.#hasGrad = true;
    return had;
  }

  get size(): number {
    return this.data.length;
  }

  get dtype(): DType {
    return this.data instanceof Float64Array ? 'float64' : 'float32';
  }

  get isLeaf(): boolean {
    return this.backwardFn === null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw new Error(`item(): tensor of shape ${shapeString(this.shape)} has ${this.data.length} elements, expected 1`);
    return this.data[0]!;
  }

  /** The gradient buffer, created as zeros on first use; ops' backward closures accumulate into it. */
  gradBuffer(): Data {
    const kept = this.#gradStorage;
    if (kept !== null) {
      if (!this.#hasGrad) kept.view.fill(0);
      this.#hasGrad = true;
      return kept.view;
    }
    if (this.#gradArray === null) this.#gradArray = this.data instanceof Float64Array ? new Float64Array(this.data.length) : new Float32Array(this.data.length);
    return this.#gradArray;
  }

  /**
   * Forgets the gradient (setToNone, as PyTorch's default), or zeroes its buffer in place so a training loop
   * reuses the same memory every step instead of allocating (fresh large buffers cost page faults).
   */
  zeroGrad(setToNone = true): void {
    if (setToNone) this.grad = null;
    else this.grad?.fill(0);
  }

  /** Same values, cut from the graph: gradients stop here (truncated backpropagation through time). */
  detach(): Tensor {
    return new Tensor(this.#storage ?? this.data, this.shape);
  }

  /**
   * Reverse-mode sweep from this tensor. With no argument the tensor must hold one element (a loss) and is seeded
   * with d(loss)/d(loss) = 1; otherwise `grad` is the upstream gradient, same shape as this tensor.
   * Leaves keep their grads; intermediate grads are released once used, as in PyTorch.
   */
  backward(grad?: Data): void {
    if (!this.requiresGrad) throw new Error('backward(): this tensor does not require grad (no parameter or input with requiresGrad led to it)');
    if (grad === undefined) {
      if (this.size !== 1) throw new Error(`backward(): called without a gradient on a tensor of shape ${shapeString(this.shape)}; only a one-element loss can be seeded implicitly`);
    } else if (grad.length !== this.size) {
      throw new Error(`backward(): gradient has ${grad.length} elements, tensor of shape ${shapeString(this.shape)} has ${this.size}`);
    }
    const order = topologicalOrder(this);
    const seed = this.gradBuffer();
    if (grad === undefined) seed[0]! += 1;
    else for (let k = 0; k < seed.length; k++) seed[k]! += grad[k]!;
    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k]!;
      if (node.backwardFn === null || node.grad === null) continue;
      node.backwardFn();
      node.grad = null;
    }
  }

  toString(): string {
    return `Tensor${shapeString(this.shape)} ${this.dtype}${this.requiresGrad ? ' requiresGrad' : ''}`;
  }
}

/** Parents before children, found without recursion (a 35-step unrolled LSTM is thousands of nodes deep). */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: Array<[Tensor, number]> = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [node, next] = top;
    if (next < node.parents.length) {
      top[1] = next + 1;
      const parent = node.parents[next]!;
      if (parent.requiresGrad && !visited.has(parent)) {
        visited.add(parent);
        stack.push([parent, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order;
}

/** A zero buffer of `n` elements, float64 if any of `like` is float64 (type promotion, as in PyTorch). */
export function allocLike(n: number, ...like: readonly Tensor[]): Data {
  return like.some((t) => t.data instanceof Float64Array) ? new Float64Array(n) : new Float32Array(n);
}

/** Checks that two shapes are equal, naming the op and both shapes when they are not. */
export function assertSameShape(op: string, a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length || a.some((d, k) => d !== b[k])) {
    throw new Error(`${op}: shapes ${shapeString(a)} and ${shapeString(b)} must be equal`);
  }
}

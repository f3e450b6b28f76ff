// Tensors kept in WebAssembly memory: float32 parameters, their gradients and the optimizers' buffers, placed in
// blocks of the linear memory so that the fused engine, the optimizers and the products work on them in place (no
// copies in and out at every update). What keeps that safe:
//  - No stale views. A non-shared memory (a page without cross-origin isolation) detaches its buffer whenever it
//    grows, which empties every Float32Array over it. So a storage keeps where its values are (a byte offset and a
//    length), not a view it trusts: `view` makes a new Float32Array whenever the last one reads empty (a detached
//    array's length is 0; over a shared memory an array never goes stale), and kernels are given the offset.
//  - No bytes handed out twice. Blocks are taken from the instance's region pool once and never moved (a block is
//    allocated once, up front, for all the tensors placed together: nothing ever grows or moves it); a block goes
//    back to the pool when nothing can reach it any more: its storages hold it, and every view ever handed out
//    holds its storage (a WeakMap from view to storage), so an array a user kept keeps the bytes it reads. (Not a
//    subarray cut from it, which is a new array: keep the tensor, the whole view, or a copy.)
// Float64 tensors stay in JavaScript arrays (the kernels are float32), and so does everything on the reference.
import type { Storage, Tensor } from '../../core/tensor.js';
import type { WasmInstance } from './backend.js';
import { growScratch, regionPool } from './memory-pool.js';
import type { Region } from './regions.js';

/** One block of memory shared by the storages placed together; given back to the pool once unreachable. */
class Block {
  constructor(readonly region: Region) {}
}

/** Every view a storage handed out, to the storage: keeps it alive as long as the view, and finds its offset. */
const owners = new WeakMap<Float32Array, WasmStorage>();

export class WasmStorage implements Storage {
  #view: Float32Array;

  constructor(
    readonly inst: WasmInstance,
    private readonly block: Block,
    /** Byte offset of the first value in the linear memory (16-byte aligned). */
    readonly byteOffset: number,
    readonly length: number,
  ) {
    this.#view = this.fresh();
  }

  get view(): Float32Array {
    // A detached array reads as empty; storages are never empty (placeInWasm skips empty tensors).
    if (this.#view.length !== this.length) this.#view = this.fresh();
    return this.#view;
  }

  /** The region this storage's block holds (for tests). */
  get region(): Region {
    return this.block.region;
  }

  private fresh(): Float32Array {
    const view = new Float32Array(this.inst.memory.buffer, this.byteOffset, this.length);
    owners.set(view, this);
    return view;
  }
}

/** The storage behind an array handed out as a tensor's data or gradient, or undefined (a JavaScript array). */
export function storageOf(array: ArrayLike<number>): WasmStorage | undefined {
  return array instanceof Float32Array ? owners.get(array) : undefined;
}

/** Floats from one storage's start to the next one's in a block: whole 64-byte lines. */
const stride = (n: number): number => Math.ceil(n / 16) * 16;

/** `lengths.length` storages of those lengths in one fresh block (whose region returns to the pool once unreachable). */
function storages(inst: WasmInstance, lengths: readonly number[]): WasmStorage[] {
  const pool = regionPool(inst);
  const bytes = lengths.reduce((sum, n) => sum + stride(n) * 4, 0);
  const block = new Block(pool.take(bytes));
  pool.watch(block, block.region);
  growScratch(inst); // taking fresh bytes moved the allocator's top: keep sgemm's scratch ready above it
  let at = block.region.base;
  return lengths.map((n) => {
    const storage = new WasmStorage(inst, block, at, n);
    at += stride(n) * 4;
    return storage;
  });
}

/**
 * Moves the float32 tensors among `tensors` that are still in JavaScript arrays into WebAssembly memory: their
 * values into one block and (with `grads`) their gradients into another, copied there; the tensors read and write
 * there from then on. Float64, empty and already placed tensors are left as they are. Returns how many moved.
 */
export function placeInWasm(inst: WasmInstance, tensors: readonly Tensor[], grads: boolean): number {
  const moving = [...new Set(tensors)].filter((t) => t.storage === null && t.size > 0 && t.data instanceof Float32Array);
  if (moving.length === 0) return 0;
  const lengths = moving.map((t) => t.size);
  const values = storages(inst, lengths);
  const gradients = grads ? storages(inst, lengths) : null;
  moving.forEach((t, k) => t.moveTo(values[k]!, gradients?.[k] ?? null));
  return moving.length;
}

// The optimizer kernels on WebAssembly SIMD, over chunks of the arrays. Arrays that live in wasm memory (tensors the
// fused engine placed there, and their optimizer buffers: storage.ts) are updated in place. Float32 arrays that live
// in JavaScript are streamed through a small scratch area in wasm memory (so a huge parameter never needs a huge
// copy): each chunk copied in, the kernel run on it, what it changed copied back. Float64 arrays take the reference.
// Shapes: arrays (n,).
import type { Tensor } from '../../core/tensor.js';
import * as ref from '../ref/optim.js';
import { DEFAULT_SCALES, type AdamHyper, type Floats, type SGDHyper } from '../ref/optim.js';
import { initWasmSync, type WasmInstance } from './backend.js';
import { placeInWasm, storageOf } from './storage.js';

/** Floats per array per chunk: four arrays of 16K floats (256 KiB) stay in L2. */
const CHUNK = 1 << 14;

function allF32(arrays: ReadonlyArray<Floats | null>): arrays is ReadonlyArray<Float32Array | null> {
  return arrays.every((a) => a === null || a instanceof Float32Array);
}

/** Byte offset of an array that is a whole tensor's view of this instance's memory, or -1 (a JavaScript array). */
function heldAt(inst: WasmInstance, a: Float32Array): number {
  const storage = storageOf(a);
  return storage !== undefined && storage.inst === inst ? storage.byteOffset : -1;
}

/**
 * Runs `kernel(n, pointers)` over chunks of the arrays: arrays in wasm memory are passed where they are (chunk k at
 * its offset), JavaScript ones have chunk k copied into scratch, and those flagged in `written` copied back. With
 * every array in wasm memory nothing is copied or allocated. The chunks are the same either way, so a sum over them
 * (sumSquares) groups its terms alike and gives the same bits. Null arrays get pointer 0.
 */
function chunked(inst: WasmInstance, arrays: ReadonlyArray<Float32Array | null>, written: readonly boolean[], kernel: (n: number, ptrs: number[]) => void): void {
  const held = arrays.map((a) => (a === null ? 0 : heldAt(inst, a)));
  const copied = arrays.map((a, q) => a !== null && held[q]! < 0);
  const ex = inst.exports;
  const saved = ex.mark();
  try {
    const ptrs = held.map((p, q) => (copied[q] ? ex.alloc(CHUNK * 4) : p));
    // The kernels never grow memory, so one view made after the allocations serves every chunk; arrays in wasm
    // memory are never read through a view here (one made before the allocations may be stale by now).
    const heap = copied.some(Boolean) ? new Float32Array(inst.memory.buffer) : null;
    const length = arrays[0]!.length;
    for (let start = 0; start < length; start += CHUNK) {
      const n = Math.min(CHUNK, length - start);
      arrays.forEach((a, q) => copied[q] && heap!.set(a!.subarray(start, start + n), ptrs[q]! >> 2));
      kernel(n, ptrs.map((p, q) => (arrays[q] === null || copied[q] ? p : p + start * 4)));
      arrays.forEach((a, q) => copied[q] && written[q] && a!.set(heap!.subarray(ptrs[q]! >> 2, (ptrs[q]! >> 2) + n), start));
    }
  } finally {
    ex.release(saved);
  }
}

export interface OptimKernels {
  readonly name: string;
  sumSquares(g: Floats): number;
  scaleInPlace(g: Floats, c: number): void;
  /** Both updates return max(|p|·wScale, |state|·sScale) over what they wrote, NaN if any is NaN (see ref/optim.ts). */
  sgdUpdate(p: Floats, g: Floats, b: Floats | null, h: SGDHyper): number;
  adamUpdate(p: Floats, g: Floats, m: Floats, v: Floats, h: AdamHyper): number;
  /** Moves float32 tensors (optimizer buffers) into the memory these kernels update in place, where there is one. */
  adopt?(tensors: readonly Tensor[]): void;
}

/** The wasm optimizer kernels (instantiates the module; throws where SIMD is missing). */
export function createWasmOptimKernels(): OptimKernels {
  return createWasmOptimKernelsOn(initWasmSync());
}

/** The wasm optimizer kernels on an instance. */
export function createWasmOptimKernelsOn(inst: WasmInstance): OptimKernels {
  const ex = inst.exports;
  return {
    name: 'wasm',
    adopt(tensors) {
      placeInWasm(inst, tensors, false);
    },
    sumSquares(g) {
      if (!(g instanceof Float32Array)) return ref.sumSquares(g);
      let sum = 0;
      chunked(inst, [g], [false], (n, [pg]) => (sum += ex.sumSquares(n, pg!)));
      return sum;
    },
    scaleInPlace(g, c) {
      if (!(g instanceof Float32Array)) return ref.scaleInPlace(g, c);
      chunked(inst, [g], [true], (n, [pg]) => ex.scaleInPlace(n, pg!, c));
    },
    sgdUpdate(p, g, b, h) {
      if (!allF32([p, g, b])) return ref.sgdUpdate(p, g, b, h);
      const { lr, momentum, weightDecay, nesterov, wScale = DEFAULT_SCALES.wScale, sScale = DEFAULT_SCALES.sScale } = h;
      let worst = 0;
      chunked(inst, [p as Float32Array, g as Float32Array, b as Float32Array | null], [true, false, true], (n, [pp, pg, pb]) => {
        worst = Math.max(worst, ex.sgdUpdate(n, pp!, pg!, pb!, lr, momentum, weightDecay, nesterov ? 1 : 0, wScale, sScale));
      });
      return worst;
    },
    adamUpdate(p, g, m, v, h) {
      if (!allF32([p, g, m, v])) return ref.adamUpdate(p, g, m, v, h);
      const { stepSize, sqrtBc2, beta1, beta2, eps, shrink, l2, wScale = DEFAULT_SCALES.wScale, sScale = DEFAULT_SCALES.sScale } = h;
      let worst = 0;
      chunked(inst, [p, g, m, v] as Float32Array[], [true, false, true, true], (n, [pp, pg, pm, pv]) => {
        worst = Math.max(worst, ex.adamUpdate(n, pp!, pg!, pm!, pv!, stepSize, sqrtBc2, beta1, beta2, eps, shrink, l2, wScale, sScale));
      });
      return worst;
    },
  };
}

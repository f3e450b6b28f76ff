// The instance's one pool of regions of the linear memory (regions.ts), shared by what lives there for long: the
// engine backends' workspaces (engine-backend.ts) and the tensors kept in WebAssembly memory (storage.ts). Fresh
// bytes come from the module's bump allocator; asking for more than the module's maximum memory is a one-line
// error naming what to do, instead of a trap.
import type { WasmInstance } from './backend.js';
import { wasmMemory } from './bytes.generated.js';
import { RegionPool } from './regions.js';

/** Extra bytes grown up front for sgemm's packing scratch, so no kernel call needs to grow memory later. */
export const GEMM_SCRATCH_BYTES = 16 << 20;

const pools = new WeakMap<WasmInstance, RegionPool>();

/** The pool of an instance's memory (the library makes one instance per process), created on first use. */
export function regionPool(inst: WasmInstance): RegionPool {
  const known = pools.get(inst);
  if (known !== undefined) return known;
  const ex = inst.exports; // the pool's allocator must hold on to nothing else
  const pool = new RegionPool((bytes) => {
    // Growing past the module's maximum would trap ("unreachable"): say instead what the model needs.
    const most = wasmMemory.maximum * 65536;
    if (ex.used() + bytes + GEMM_SCRATCH_BYTES > most) {
      const gib = (n: number): string => `${(n / 2 ** 30).toFixed(2)} GiB`;
      throw new Error(`the fused engine needs ${gib(ex.used() + bytes + GEMM_SCRATCH_BYTES)} of WebAssembly memory for this model and batch, more than the ${gib(most)} it can have; use a smaller model or batch, or --engine autograd`);
    }
    return ex.alloc(bytes);
  });
  pools.set(inst, pool);
  return pool;
}

/** Grows memory (if needed) so that sgemm's packing scratch fits above the allocator's top. */
export function growScratch(inst: WasmInstance): void {
  const ex = inst.exports;
  const top = ex.mark();
  ex.alloc(GEMM_SCRATCH_BYTES);
  ex.release(top);
}

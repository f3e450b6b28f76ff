// Regions of the wasm linear memory owned by engine backends: taken from the module's bump allocator, given back
// when a backend outgrows its region or is garbage-collected (a FinalizationRegistry watches it), and handed out
// again best-fit, or grown in place when it is the allocator's last block. WebAssembly memory never shrinks, but a
// process that keeps building and dropping models (the playground's reset, a test suite) reuses the same bytes
// instead of growing without end. Sizes in bytes.

export interface Region {
  readonly base: number;
  readonly bytes: number;
}

export class RegionPool {
  private readonly free: Region[] = [];
  private readonly registry = new FinalizationRegistry<Region>((region) => this.give(region));

  /** `alloc` takes fresh bytes from the allocator (64-byte aligned). */
  constructor(private readonly alloc: (bytes: number) => number) {}

  /** The smallest free region that fits and is at most twice the need, else fresh bytes. */
  take(bytes: number): Region {
    let best = -1;
    this.free.forEach((r, k) => {
      if (r.bytes >= bytes && r.bytes <= 2 * bytes && (best < 0 || r.bytes < this.free[best]!.bytes)) best = k;
    });
    if (best >= 0) return this.free.splice(best, 1)[0]!;
    return { base: this.alloc(bytes), bytes };
  }

  /**
   * `region` grown in place to `bytes`, when it is the allocator's last block (it ends at `top`, the allocator's
   * next free byte, 64-byte aligned): the extra bytes come from `alloc`, right after it. Null when it is not.
   */
  extend(region: Region, bytes: number, top: number): Region | null {
    if (region.base + region.bytes !== top || top % 64 !== 0 || bytes <= region.bytes) return null;
    const at = this.alloc(bytes - region.bytes);
    if (at !== top) throw new Error(`RegionPool.extend: the allocator gave ${at}, not the region's end ${top}`);
    return { base: region.base, bytes };
  }

  give(region: Region): void {
    this.free.push(region);
  }

  /** Gives `region` back once `owner` is garbage-collected, unless `forget(owner)` comes first. */
  watch(owner: object, region: Region): void {
    this.registry.register(owner, region, owner);
  }

  forget(owner: object): void {
    this.registry.unregister(owner);
  }

  /** Bytes in free regions, waiting to be reused. */
  get freeBytes(): number {
    return this.free.reduce((sum, r) => sum + r.bytes, 0);
  }
}

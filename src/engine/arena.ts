// A bump allocator over a backend's heap: the fused engine lays out every buffer once per (model, B, T), then
// reserves the total, so a training step allocates nothing. Offsets are in floats, 16-byte aligned for SIMD.

export class Arena {
  private top = 0;

  /** Reserves n floats and returns their offset. */
  take(n: number): number {
    const at = this.top;
    this.top += Math.ceil(n / 4) * 4;
    return at;
  }

  get size(): number {
    return this.top;
  }
}

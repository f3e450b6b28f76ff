// Bump allocator over the module's linear memory: `alloc` hands out 64-byte aligned blocks, `reset` frees them
// all at once, `mark`/`release` free everything allocated after a mark (per-call scratch), `ensure` grows the
// memory (64 KiB pages) so that a scratch area above the top fits.
// Pointers are byte offsets into linear memory (usize, i.e. u32 on wasm32). Nothing here is thread-safe: one
// thread allocates, workers (later) only receive pointers.

const ALIGN: usize = 64;
/** Bytes at the start of the heap kept for settings every thread reads (sgemm's tiles): zero until set. */
const SETTINGS: usize = 64;

let top: usize = 0;

@inline function alignUp(p: usize): usize {
  return (p + ALIGN - 1) & ~(ALIGN - 1);
}

function base(): usize {
  return alignUp(__heap_base) + SETTINGS;
}

/** The settings block: the same address in every instance of the module on this memory, and in no data segment. */
export function settings(): usize {
  return alignUp(__heap_base);
}

/** Grows linear memory so that bytes [0, end) are addressable; traps if the maximum is reached. */
export function ensure(end: usize): void {
  const have = (<usize>memory.size()) << 16;
  if (end <= have) return;
  const pages = <i32>((end - have + 0xffff) >>> 16);
  if (memory.grow(pages) < 0) unreachable();
}

/** First free (aligned) byte; scratch users may write above it without advancing it. */
export function scratchBase(): usize {
  if (top == 0) top = base();
  return alignUp(top);
}

export function alloc(bytes: usize): usize {
  const ptr = scratchBase();
  const end = ptr + bytes;
  ensure(end);
  top = end;
  return ptr;
}

export function reset(): void {
  top = base();
}

/** The current top, to hand back to `release` later. */
export function mark(): usize {
  if (top == 0) top = base();
  return top;
}

/** Frees every block allocated after `mark()` returned `m`. */
export function release(m: usize): void {
  top = m;
}

/** Bytes of linear memory currently in use by allocations (for diagnostics). */
export function used(): usize {
  return top == 0 ? 0 : top - base();
}

// The one source of randomness: a seeded generator (xoshiro128**, seeded through splitmix32).
// Initialisation, dropout masks, minibatch order and sampling all draw from a `Random`, so a seed replays a run.
// `state()` / `Random.fromState()` let checkpoints carry the generator and resume it exactly.

export class Random {
  private s: Uint32Array;

  constructor(seed = 0) {
    this.s = new Uint32Array(4);
    let x = seed >>> 0;
    for (let k = 0; k < 4; k++) {
      // splitmix32 spreads one 32-bit seed over the 128-bit state, never all zero.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[k] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  static fromState(state: readonly number[]): Random {
    const r = new Random(0);
    r.setState(state, 'Random.fromState');
    return r;
  }

  /** Continues from `state` (four 32-bit words, as state() returns them); all zero would be stuck, so it is refused. */
  setState(state: readonly number[], where = 'Random.setState'): void {
    if (!Array.isArray(state) || state.length !== 4) throw new Error(`${where}: expected 4 words, got ${Array.isArray(state) ? state.length : typeof state}`);
    if (state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) throw new Error(`${where}: words must be integers in [0, 2^32), got [${state.join(', ')}]`);
    if (state.every((w) => w === 0)) throw new Error(`${where}: all four words are zero, which xoshiro128** never leaves`);
    this.s.set(state);
  }

  state(): number[] {
    return Array.from(this.s);
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n)) throw new Error(`Random.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /**
   * Standard normal by the Box-Muller transform. Only the cosine value is used: caching the sine value for the
   * next call would be hidden state outside the four words of state(), and fromState() could not resume exactly.
   */
  normal(): number {
    const u = 1 - this.next(); // (0, 1], so log(u) is finite
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let k = items.length - 1; k > 0; k--) {
      const j = this.int(k + 1);
      [items[k], items[j]] = [items[j]!, items[k]!];
    }
    return items;
  }

  /** Draws an index with probability proportional to weights[k] (non-negative, not all zero). */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let k = 0; k < weights.length; k++) {
      if (!(weights[k]! >= 0)) throw new Error(`Random.categorical: weights must be non-negative and not all zero, got ${weights[k]} at index ${k}`);
      total += weights[k]!;
    }
    if (!(total > 0)) throw new Error('Random.categorical: weights must be non-negative and not all zero');
    let u = this.next() * total;
    for (let k = 0; k < weights.length; k++) {
      u -= weights[k]!;
      if (u < 0) return k;
    }
    return weights.length - 1;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * The global generator, as PyTorch's default one: layers built without a seed draw their initial weights from it,
 * and dropout without a generator of its own draws its masks from it. `manualSeed` reseeds it in place (as
 * `torch.manual_seed`), so layers already holding it follow; `getRngState` / `setRngState` save and restore it
 * (a checkpoint that must continue a run bit for bit carries it).
 */
const globalRandom = new Random(0);

export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new Error(`manualSeed: seed must be an integer, got ${seed}`);
  globalRandom.setState(new Random(seed).state());
}

export function defaultRandom(): Random {
  return globalRandom;
}

/** The global generator's four state words (as torch.get_rng_state). */
export function getRngState(): number[] {
  return globalRandom.state();
}

/** Restores what getRngState returned (as torch.set_rng_state). */
export function setRngState(state: readonly number[]): void {
  globalRandom.setState(state, 'setRngState');
}

/** A generator seeded by `seed` when one is given, otherwise the global generator itself. */
export function seededOrDefault(seed: number | undefined): Random {
  return seed === undefined ? globalRandom : new Random(seed);
}

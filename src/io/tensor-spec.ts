// What a file must hold, said declaratively: each expected tensor's name, shape, accepted dtypes and the bound
// its values must keep. A loader (checkpoint, PyTorch import, a future task's checkpoint) builds this list from its
// config, and one pair of functions does every check: `matchSpecs` compares the header (names, shapes, dtypes)
// before anything is allocated, and `checkValues` refuses NaN, ±Inf and magnitudes past the bound, naming the
// tensor and the element. Writers run `checkValues` too, so what is saved will load again.
import { shapeString, type Data } from '../core/tensor.js';

export interface TensorSpec {
  name: string;
  shape: readonly number[];
  /** Accepted safetensors dtypes, e.g. ['F32']. */
  dtypes: readonly string[];
  /** Every value must be finite with |x| <= bound (see core/limits.ts). */
  bound: number;
  /** What the values are, for messages: 'weight', 'optimizer state', 'carried state', 'step count'. */
  role: string;
  /** Values must be whole numbers (counters). */
  integer?: boolean;
}

/** The header's view of a tensor: what matchSpecs needs. */
export interface TensorShapeInfo {
  dtype: string;
  shape: readonly number[];
}

/** How a mismatch is worded: `says` leads each message ("checkpoint says lstm 16x1"); `fail` throws it. */
export interface SpecContext {
  says: string;
  fail: (why: string) => never;
}

export function listSome(names: readonly string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

/** Bytes the tensors take in memory as float32 (float64 where only F64 is accepted). */
export function specBytes(specs: readonly TensorSpec[]): number {
  let total = 0;
  for (const s of specs) total += s.shape.reduce((n, d) => n * d, 1) * (s.dtypes.length === 1 && s.dtypes[0] === 'F64' ? 8 : 4);
  return total;
}

/**
 * Every spec must be present with its shape and an accepted dtype, and nothing else may be, unless `optional`
 * says so (the caller checks those itself). Order of errors: missing, shape, dtype, then unexpected names.
 * `specs` may be a generator: it is read only as far as the file keeps up, so its length is bounded by the file's.
 */
export function matchSpecs(present: ReadonlyMap<string, TensorShapeInfo>, specs: Iterable<TensorSpec>, ctx: SpecContext, optional: (name: string) => boolean = () => false): void {
  const expected = new Set<string>();
  for (const spec of specs) {
    expected.add(spec.name);
    const got = present.get(spec.name);
    if (got === undefined) ctx.fail(`${ctx.says} but has no tensor ${spec.name}`);
    if (!sameShape(got!.shape, spec.shape)) ctx.fail(`${ctx.says} but tensor ${spec.name} is ${shapeString(got!.shape)}, expected ${shapeString(spec.shape)}`);
    if (!spec.dtypes.includes(got!.dtype)) {
      const want = spec.dtypes.length === 1 ? spec.dtypes[0] : `one of ${spec.dtypes.join(', ')}`;
      ctx.fail(`tensor ${spec.name} is stored as ${got!.dtype}, expected ${want} (it holds ${spec.role} values)`);
    }
  }
  const extra = [...present.keys()].filter((n) => !expected.has(n) && !optional(n));
  if (extra.length > 0) ctx.fail(`${ctx.says} but has unexpected tensor${extra.length > 1 ? 's' : ''} ${listSome(extra.map((n) => JSON.stringify(n).slice(1, -1)))}`);
}

/** Float dtypes: the ones a float parameter may be stored as. */
export const FLOAT_DTYPES: readonly string[] = ['F32', 'F64', 'F16', 'BF16'];

/** Throws `<where>: <name> holds <value> at element <k>` at the first value that is not finite, beyond the bound, or not whole when it must be. */
export function checkValues(name: string, data: Data, spec: Pick<TensorSpec, 'bound' | 'role' | 'integer'>, fail: (why: string) => never): void {
  const { bound } = spec;
  for (let k = 0; k < data.length; k++) {
    const v = data[k]!;
    // One comparison catches NaN too (every comparison with NaN is false).
    if (v <= bound && v >= -bound && (!spec.integer || Number.isInteger(v))) continue;
    const why = Number.isNaN(v) || !Number.isFinite(v) ? '' : spec.integer && !Number.isInteger(v) ? ', not a whole number' : `, beyond the bound ${bound} on ${spec.role} values`;
    fail(`${name} holds ${v} at element ${k}${why}`);
  }
}

/** The first value among `named` arrays that checkValues would refuse, described ("w holds NaN at element 3"), or null. */
export function firstOutOfBounds(named: Iterable<readonly [string, Data]>, spec: Pick<TensorSpec, 'bound' | 'role'>): string | null {
  let found: string | null = null;
  const note = (why: string): never => {
    found = why;
    throw note;
  };
  try {
    for (const [name, data] of named) checkValues(name, data, spec, note);
  } catch (err) {
    if (err !== note) throw err;
  }
  return found;
}


// The safetensors header, read without touching the data section: an 8-byte little-endian length N, N bytes of
// UTF-8 JSON ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}), then the
// data. A file from someone else is hostile, so everything the header claims is checked against the bytes that
// are really there before anyone allocates for it: the tensors must tile the data section exactly (sorted by
// offset, the first at 0, each beginning where the previous ends, the last ending at the file's end: no gap,
// overlap or slack), every size is an exact product of its shape, and names from the file live only in Maps and
// null-prototype objects, so a tensor called "__proto__" is just a name.

/** Bytes per element of every dtype the reader knows. */
export const ITEM_SIZE: ReadonlyMap<string, number> = new Map([
  ['F64', 8], ['F32', 4], ['F16', 2], ['BF16', 2], ['I64', 8], ['U64', 8], ['I32', 4], ['U32', 4], ['I16', 2], ['U16', 2], ['I8', 1], ['U8', 1], ['BOOL', 1],
]);

export const METADATA_KEY = '__metadata__';

/** The header's JSON may not be larger than this (the limit of the reference Rust reader, safetensors::MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;

/** One tensor as the header describes it; offsets are relative to the data section. */
export interface TensorEntry {
  name: string;
  dtype: string;
  shape: readonly number[];
  /** Elements: the product of the shape. */
  count: number;
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** In data order (by offset). */
  entries: ReadonlyMap<string, TensorEntry>;
  /** A null-prototype object of strings. */
  metadata: Record<string, string>;
  /** Where the data section starts in the file. */
  dataStart: number;
}

/** Names `x` in one line for an error message. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return `an object (${Object.getPrototypeOf(x) === null ? 'Object' : ((x as object).constructor?.name ?? 'Object')})`;
  if (typeof x === 'string') return `the string ${JSON.stringify(x)}`;
  return `${typeof x} ${String(x)}`;
}

function isIndex(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Parses and checks the header of safetensors `bytes`; `source` names the file in errors, which all read
 * `"<source>" is not a safetensors file: <why>`. Allocates nothing in proportion to what the header claims.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, source = 'buffer'): SafetensorsHeader {
  const fail = (why: string): never => {
    throw new Error(`"${source}" is not a safetensors file: ${why}`);
  };
  if (bytes.length < 8) fail(`it is ${bytes.length} bytes long, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rawLen = view.getBigUint64(0, true);
  if (rawLen > BigInt(bytes.length)) fail(`header length ${rawLen} is larger than the file (${bytes.length} bytes)`);
  const headerLen = Number(rawLen);
  if (8 + headerLen > bytes.length) fail(`header length ${headerLen} plus the 8-byte length prefix exceeds the file (${bytes.length} bytes)`);
  if (headerLen > MAX_HEADER_BYTES) fail(`header length ${headerLen} is over the ${MAX_HEADER_BYTES}-byte limit`);
  const json = bytes.subarray(8, 8 + headerLen);

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (err) {
    fail(`header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (!isRecord(header)) fail(`header must be a JSON object, got ${describe(header)}`);

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  const listed: TensorEntry[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (!isRecord(entry)) fail(`"${METADATA_KEY}" must be an object of strings, got ${describe(entry)}`);
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`"${METADATA_KEY}" value "${k}" must be a string, got ${describe(v)}`);
        metadata[k] = v as string;
      }
      continue;
    }
    listed.push(parseEntry(name, entry, dataLen, fail));
  }
  // Tiling: sorted by offset (zero-byte tensors first among equals), each must start where the last one ended.
  listed.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of listed) {
    if (e.begin < at) fail(`tensor "${e.name}" has data_offsets [${e.begin}, ${e.end}], overlapping the tensor before it (which ends at ${at})`);
    if (e.begin > at) fail(`tensor "${e.name}" has data_offsets [${e.begin}, ${e.end}], leaving bytes ${at}..${e.begin} of the data section unused`);
    at = e.end;
  }
  if (at !== dataLen) fail(`the tensors cover ${at} bytes of the data section but it holds ${dataLen} (${dataLen - at} bytes of slack after the last tensor)`);
  return { entries: new Map(listed.map((e) => [e.name, e])), metadata, dataStart };
}

function parseEntry(name: string, entry: unknown, dataLen: number, fail: (why: string) => never): TensorEntry {
  const where = `tensor "${name}"`;
  if (!isRecord(entry)) fail(`${where} must be an object with dtype, shape and data_offsets, got ${describe(entry)}`);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (dtype === undefined) fail(`${where} is missing "dtype"`);
  if (shape === undefined) fail(`${where} is missing "shape"`);
  if (offsets === undefined) fail(`${where} is missing "data_offsets"`);
  const itemSize = typeof dtype === 'string' ? ITEM_SIZE.get(dtype) : undefined;
  if (itemSize === undefined) fail(`${where} has dtype ${JSON.stringify(dtype)}, expected one of ${[...ITEM_SIZE.keys()].join(', ')}`);
  if (!Array.isArray(shape) || !shape.every(isIndex)) fail(`${where} has shape ${JSON.stringify(shape)}, expected an array of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    fail(`${where} has data_offsets ${JSON.stringify(offsets)}, expected [begin, end] of non-negative integers`);
  }
  const dims = shape as number[];
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(`${where} has data_offsets [${begin}, ${end}] whose end is before its begin`);
  // The product is formed only while it fits the bytes the offsets give, so a shape like [1e15, 1e15] cannot
  // overflow into a small (wrong) number; a zero dimension makes it empty whatever the others say.
  const bytesGiven = end - begin;
  let count = dims.includes(0) ? 0 : 1;
  let tooLarge = false;
  for (const d of dims) {
    if (count === 0 || tooLarge) break;
    count *= d;
    tooLarge = count * itemSize! > bytesGiven;
  }
  if (tooLarge || count * itemSize! !== bytesGiven) {
    const exact = dims.reduce((a, d) => a * d, itemSize!); // for the message only: exact while a safe integer
    const need = Number.isSafeInteger(exact) ? String(exact) : `more than ${bytesGiven}`;
    fail(`${where} has data_offsets [${begin}, ${end}] (${bytesGiven} bytes) but dtype ${dtype} and shape (${dims.join(', ')}${dims.length === 1 ? ',' : ''}) need ${need} bytes`);
  }
  if (end > dataLen) fail(`${where} has data_offsets [${begin}, ${end}] beyond the data section (${dataLen} bytes)`);
  return { name, dtype: dtype as string, shape: Object.freeze([...dims]), count, begin, end };
}

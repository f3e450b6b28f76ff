// Reading and writing the safetensors format (the format PyTorch/Hugging Face checkpoints use), so weights
// move between this library and PyTorch. encode/decode are pure byte functions that also run in a browser;
// the file functions reach node:fs only when called (src/platform/node.ts), so bundlers and browsers never see it.
// Writes are atomic (temp file, fsync, rename): a crash mid-save leaves the previous checkpoint whole.

import { Tensor, shapeString, sizeOf } from '../core/tensor.js';
import { requireNode } from '../platform/node.js';

export type TensorDict = Record<string, Tensor>;

export interface SafetensorsContents {
  tensors: TensorDict;
  metadata: Record<string, string>;
}

/** Bytes per element of every dtype we can read. Only F32 and F64 are ever written. */
const ITEM_SIZE: Readonly<Record<string, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, U64: 8, I32: 4, U32: 4, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1,
};

const METADATA_KEY = '__metadata__';

/**
 * Serializes tensors (Float32Array data as F32, Float64Array as F64) and optional string metadata.
 * Tensors are laid out sorted by name and the header is built in that order, so equal input gives equal bytes.
 */
export function encodeSafetensors(dict: TensorDict, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(dict).sort();
  const entries: string[] = [];
  if (metadata !== undefined) {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      throw new Error(`encodeSafetensors: metadata must be an object of strings, got ${describe(metadata)}`);
    }
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`encodeSafetensors: metadata "${k}" must be a string, got ${describe(v)}`);
    }
    // An empty metadata object is left out, as the Python writer does, so {} and undefined encode identically.
    if (Object.keys(metadata).length > 0) entries.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  }
  let offset = 0;
  for (const name of names) {
    if (name === METADATA_KEY) throw new Error(`encodeSafetensors: "${METADATA_KEY}" is reserved for metadata and cannot name a tensor`);
    const t = dict[name];
    if (!(t instanceof Tensor)) throw new Error(`encodeSafetensors: "${name}" must be a Tensor, got ${describe(t)}`);
    const dtype = t.data instanceof Float64Array ? 'F64' : 'F32';
    const begin = offset;
    offset += t.data.length * ITEM_SIZE[dtype]!;
    // The JSON is assembled by hand because object key order would move integer-like names ("0", "10") first.
    entries.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype, shape: t.shape, data_offsets: [begin, offset] })}`);
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const headerLen = Math.ceil(json.length / 8) * 8; // padding keeps the data section 8-byte aligned
  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const name of names) {
    const data = dict[name]!.data;
    if (data instanceof Float64Array) {
      for (let i = 0; i < data.length; i++, pos += 8) view.setFloat64(pos, data[i]!, true);
    } else {
      for (let i = 0; i < data.length; i++, pos += 4) view.setFloat32(pos, data[i]!, true);
    }
  }
  return out;
}

/**
 * Parses safetensors bytes. F32 and F64 keep their precision; F16 and BF16 widen to Float32Array.
 * Integer and BOOL tensors (token ids, class targets) become Float32Array holding the integer values,
 * since Tensor stores only floats; integers beyond 2^24 in magnitude lose precision in that conversion.
 * `source` names the file in error messages.
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'buffer'): SafetensorsContents {
  const fail: (why: string) => never = (why) => {
    throw new Error(`"${source}" is not a safetensors file: ${why}`);
  };
  if (bytes.length < 8) fail(`it is ${bytes.length} bytes long, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rawLen = view.getBigUint64(0, true);
  if (rawLen > BigInt(bytes.length)) fail(`header length ${rawLen} is larger than the file (${bytes.length} bytes)`);
  const headerLen = Number(rawLen);
  if (8 + headerLen > bytes.length) fail(`header length ${headerLen} plus the 8-byte length prefix exceeds the file (${bytes.length} bytes)`);

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (err) {
    fail(`header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(`header must be a JSON object, got ${describe(header)}`);

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const tensors: TensorDict = {};
  const metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(`"${METADATA_KEY}" must be an object of strings, got ${describe(entry)}`);
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`"${METADATA_KEY}" value "${k}" must be a string, got ${describe(v)}`);
        metadata[k] = v as string;
      }
      continue;
    }
    const where = `tensor "${name}"`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(`${where} must be an object with dtype, shape and data_offsets, got ${describe(entry)}`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (dtype === undefined) fail(`${where} is missing "dtype"`);
    if (shape === undefined) fail(`${where} is missing "shape"`);
    if (offsets === undefined) fail(`${where} is missing "data_offsets"`);
    if (typeof dtype !== 'string' || !Object.hasOwn(ITEM_SIZE, dtype)) {
      fail(`${where} has dtype ${JSON.stringify(dtype)}, expected one of ${Object.keys(ITEM_SIZE).join(', ')}`);
    }
    if (!Array.isArray(shape) || !shape.every(isIndex)) fail(`${where} has shape ${JSON.stringify(shape)}, expected an array of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
      fail(`${where} has data_offsets ${JSON.stringify(offsets)}, expected [begin, end] of non-negative integers`);
    }
    const dims = shape as number[];
    const [begin, end] = offsets as [number, number];
    const itemSize = ITEM_SIZE[dtype as string]!;
    const count = sizeOf(dims);
    if (end < begin) fail(`${where} has data_offsets [${begin}, ${end}] whose end is before its begin`);
    if (end - begin !== count * itemSize) {
      fail(`${where} has data_offsets [${begin}, ${end}] (${end - begin} bytes) but dtype ${dtype} and shape ${shapeString(dims)} need ${count * itemSize} bytes`);
    }
    if (end > dataLen) fail(`${where} has data_offsets [${begin}, ${end}] beyond the data section (${dataLen} bytes)`);
    tensors[name] = new Tensor(readElements(view, dataStart + begin, count, dtype as string), dims);
  }
  return { tensors, metadata };
}

/** Reads the tensors of a safetensors file, dropping its metadata. */
export async function readSafetensors(path: string): Promise<TensorDict> {
  return (await readSafetensorsWithMetadata(path)).tensors;
}

export async function readSafetensorsWithMetadata(path: string): Promise<SafetensorsContents> {
  const fs = requireNode('node:fs/promises', 'readSafetensors');
  return decodeSafetensors(await fs.readFile(path), path);
}

/**
 * Writes atomically: the bytes go to a temp file in the same directory (rename is only atomic within one
 * filesystem), which is fsynced and then renamed over `path`. Readers see the old file or the new one, never a mix.
 */
export async function writeSafetensors(path: string, dict: TensorDict, metadata?: Record<string, string>): Promise<void> {
  const bytes = encodeSafetensors(dict, metadata); // encoding errors surface before the disk is touched
  const fs = requireNode('node:fs/promises', 'writeSafetensors');
  const { dirname } = requireNode('node:path', 'writeSafetensors');
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  let handle: Awaited<ReturnType<typeof fs.open>> | undefined;
  try {
    handle = await fs.open(tmp, 'wx');
    await handle.writeFile(bytes);
    await handle.sync(); // without it, a power loss after rename could leave the new name pointing at empty blocks
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, path);
  } catch (err) {
    await handle?.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  // Persist the rename itself; best effort, as some platforms (Windows) cannot fsync a directory.
  try {
    const dir = await fs.open(dirname(path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // the file is already complete under its final name
  }
}

// Scratch pair for BF16: its bits are the top half of a float32's bits.
const bf16Bits = new Uint32Array(1);
const bf16Float = new Float32Array(bf16Bits.buffer);

/** DataView reads with explicit little-endian work at any byte offset, aligned or not, on any host. */
function readElements(view: DataView, at: number, n: number, dtype: string): Float32Array | Float64Array {
  if (dtype === 'F64') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat64(at + 8 * i, true);
    return out;
  }
  const out = new Float32Array(n);
  const size = ITEM_SIZE[dtype]!;
  const get: (p: number) => number = {
    F32: (p: number) => view.getFloat32(p, true),
    F16: (p: number) => halfToFloat(view.getUint16(p, true)),
    BF16: (p: number) => {
      bf16Bits[0] = view.getUint16(p, true) << 16;
      return bf16Float[0]!;
    },
    I64: (p: number) => Number(view.getBigInt64(p, true)),
    U64: (p: number) => Number(view.getBigUint64(p, true)),
    I32: (p: number) => view.getInt32(p, true),
    U32: (p: number) => view.getUint32(p, true),
    I16: (p: number) => view.getInt16(p, true),
    U16: (p: number) => view.getUint16(p, true),
    I8: (p: number) => view.getInt8(p),
    U8: (p: number) => view.getUint8(p),
    BOOL: (p: number) => (view.getUint8(p) !== 0 ? 1 : 0),
  }[dtype]!;
  for (let i = 0; i < n; i++) out[i] = get(at + size * i);
  return out;
}

/** IEEE 754 binary16 bits to a number, including subnormals, infinities and NaN. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function isIndex(x: unknown): boolean {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'Object'})`;
  if (typeof x === 'string') return `the string ${JSON.stringify(x)}`;
  return `${typeof x} ${String(x)}`;
}

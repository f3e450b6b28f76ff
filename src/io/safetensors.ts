// Reading and writing the safetensors format (the format PyTorch/Hugging Face checkpoints use), so weights
// move between this library and PyTorch. encode/decode are pure byte functions that also run in a browser;
// the file functions reach node:fs only when called (io/files.ts, through src/platform/node.ts), so bundlers and
// browsers never see it. Writes are atomic (temp file, fsync, rename): a crash mid-save leaves the previous
// checkpoint whole.

import { Tensor } from '../core/tensor.js';
import { ITEM_SIZE, METADATA_KEY, describe, parseSafetensorsHeader, type SafetensorsHeader, type TensorEntry } from './safetensors-header.js';
import { readFileChecked, writeFileAtomic } from './files.js';

/** Tensors by name; from a file it is a null-prototype object, so no name ("__proto__") can reach a prototype. */
export type TensorDict = Record<string, Tensor>;

export interface SafetensorsContents {
  tensors: TensorDict;
  metadata: Record<string, string>;
}

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
    offset += t.data.length * ITEM_SIZE.get(dtype)!;
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
 * `source` names the file in error messages. The whole header is checked (safetensors-header.ts: the tensors
 * must tile the data section exactly) before any tensor is read.
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'buffer'): SafetensorsContents {
  const header = parseSafetensorsHeader(bytes, source);
  const tensors = Object.create(null) as TensorDict;
  for (const entry of header.entries.values()) tensors[entry.name] = decodeTensor(bytes, header, entry);
  return { tensors, metadata: header.metadata };
}

/** One tensor of a parsed file, copied out of `bytes`. */
export function decodeTensor(bytes: Uint8Array, header: SafetensorsHeader, entry: TensorEntry): Tensor {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new Tensor(readElements(view, header.dataStart + entry.begin, entry.count, entry.dtype), entry.shape);
}

/** Reads the tensors of a safetensors file, dropping its metadata. */
export async function readSafetensors(path: string): Promise<TensorDict> {
  return (await readSafetensorsWithMetadata(path)).tensors;
}

export async function readSafetensorsWithMetadata(path: string): Promise<SafetensorsContents> {
  return decodeSafetensors(await readFileChecked(path, 'safetensors file'), path);
}

/**
 * Writes atomically: the bytes go to a temp file in the same directory (rename is only atomic within one
 * filesystem), which is fsynced and then renamed over `path`. Readers see the old file or the new one, never a mix.
 */
export async function writeSafetensors(path: string, dict: TensorDict, metadata?: Record<string, string>): Promise<void> {
  const bytes = encodeSafetensors(dict, metadata); // encoding errors surface before the disk is touched
  await writeFileAtomic(path, bytes);
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
  const size = ITEM_SIZE.get(dtype)!;
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

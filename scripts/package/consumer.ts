// What a user of the published package gets, measured from the outside: the tarball `npm pack` makes, installed
// into a fresh project (from npm's cache where it can), and a Vite page built against it. Used by
// scripts/package/sizes.ts (prints the numbers) and test/consumer.test.ts (holds them to the limits).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseTar } from 'nanotar';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

/** `npm pack` of the repository at `root` into `dest`; the tarball's path. Expects dist/ to be built. */
export function packTarball(root: string, dest: string): string {
  mkdirSync(dest, { recursive: true });
  const out = execFileSync(NPM, ['pack', '--json', '--pack-destination', dest, ...QUIET], { cwd: root, encoding: 'utf8' });
  return join(dest, (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename);
}

/** An empty project at `dir` with the tarball installed (and `extra` packages), from npm's cache where possible. */
export function installProject(dir: string, tarball: string, extra: string[] = []): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  execFileSync(NPM, ['install', '--prefer-offline', ...QUIET, tarball, ...extra], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Bytes and files under `dir` (file sizes added up, as `du --apparent-size`). */
export function dirSize(dir: string): { bytes: number; files: number } {
  let bytes = 0, files = 0;
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) {
        bytes += statSync(p).size;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, files };
}

/** Installed packages under node_modules (every directory with a package.json directly under a node_modules). */
export function installedPackages(dir: string): string[] {
  const names: string[] = [];
  const walk = (modules: string): void => {
    let entries;
    try {
      entries = readdirSync(modules, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const dirs = entry.name.startsWith('@') ? readdirSync(join(modules, entry.name)).map((n) => join(entry.name, n)) : [entry.name];
      for (const name of dirs) {
        names.push(name);
        walk(join(modules, name, 'node_modules'));
      }
    }
  };
  walk(join(dir, 'node_modules'));
  return names.sort();
}

/**
 * The tarball's own content: files, source maps (there should be none), sourceMappingURL comments pointing at
 * files that are not in the tarball, and how many files carry the WebAssembly module's bytes (should be one).
 */
export function inspectTarball(tarball: string) {
  const files = parseTar(gunzipSync(readFileSync(tarball))).filter((f) => f.type === 'file');
  const names = new Set(files.map((f) => f.name));
  const maps = files.filter((f) => f.name.endsWith('.map')).map((f) => f.name);
  const danglingMaps: string[] = [];
  let wasmCopies = 0;
  const generated = files.find((f) => f.name === 'package/dist/kernels/wasm/bytes.generated.js');
  const base64 = generated === undefined ? null : /wasmBytesBase64 = '([A-Za-z0-9+/=]+)'/.exec(generated.text)?.[1] ?? null;
  const probe = base64?.slice(1000, 1100);
  for (const f of files) {
    const text = /\.(js|cjs|mjs|ts)$/.test(f.name) ? f.text : '';
    for (const m of text.matchAll(/\/\/# sourceMappingURL=(\S+)/g)) {
      const target = join(f.name, '..', m[1]!).replaceAll('\\', '/');
      if (!names.has(target)) danglingMaps.push(`${f.name} -> ${m[1]}`);
    }
    if (probe !== undefined && text.includes(probe)) wasmCopies++;
  }
  return { files: files.length, bytes: statSync(tarball).size, unpacked: files.reduce((s, f) => s + f.size, 0), maps, danglingMaps, wasmBase64Bytes: base64?.length ?? 0, wasmCopies };
}

/** Builds the page at `root` (index.html + scripts, lstm-ts installed under it) with Vite; sizes and warnings. */
export async function buildPage(root: string, outDir: string) {
  const { build, createLogger } = await import('vite');
  const logger = createLogger('warn');
  const warnings: string[] = [];
  logger.warn = (msg) => void warnings.push(msg);
  logger.warnOnce = (msg) => void warnings.push(msg);
  await build({ root, configFile: false, logLevel: 'warn', customLogger: logger, build: { outDir, emptyOutDir: true, reportCompressedSize: false } });
  const assets: Array<{ file: string; bytes: number; gzip: number }> = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        const bytes = readFileSync(p);
        assets.push({ file: relative(outDir, p).replaceAll('\\', '/'), bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
      }
    }
  };
  walk(outDir);
  const js = assets.filter((a) => a.file.endsWith('.js'));
  return { assets, warnings, jsBytes: js.reduce((s, a) => s + a.bytes, 0), jsGzip: js.reduce((s, a) => s + a.gzip, 0) };
}

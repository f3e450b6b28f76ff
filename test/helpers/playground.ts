// The playground page for the browser tests: built once per test file with Vite into a directory, served by Vite's
// preview server (cross-origin isolated, as `npm run playground` serves it), and a page that records its errors.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './cli.js';

const CONFIG = join(ROOT, 'web/vite.config.ts');

export async function buildPlayground(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: CONFIG, logLevel: 'warn', build: { outDir } });
}

/** The built page served with COOP/COEP on a free port. */
export async function previewPlayground(outDir: string): Promise<{ url: string; close(): Promise<void> }> {
  const { preview } = await import('vite');
  const server = await preview({ configFile: CONFIG, logLevel: 'warn', build: { outDir }, preview: { port: 0, strictPort: true } });
  return { url: server.resolvedUrls!.local[0]!, close: () => server.close() };
}

/** Uncaught exceptions and console errors of the page, as they happen. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => void (msg.type() === 'error' && errors.push(msg.text())));
  return errors;
}

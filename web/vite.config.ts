// Vite config of the playground page (`npm run playground`): builds web/ into web/dist and serves it with the
// two headers that make the page cross-origin isolated (COOP same-origin + COEP require-corp). Only an isolated
// page gets SharedArrayBuffer, which the WebAssembly kernels' worker threads share their memory through.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { builtinCorpus } from './corpus-plugin.js';
import { builtinDatasets } from './datasets-plugin.js';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [builtinCorpus(), builtinDatasets()],
  // The training workers import code-split chunks (the library, the corpus, the datasets), which needs module workers.
  // The task worker reads the built-in datasets, so worker bundles get that plugin too (Vite builds them apart).
  worker: { format: 'es', plugins: () => [builtinDatasets()] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  server: { headers: ISOLATION_HEADERS, host: '127.0.0.1' },
  preview: { headers: ISOLATION_HEADERS, host: '127.0.0.1' },
});

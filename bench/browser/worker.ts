// The bench page's Web Worker: what `lstm bench` does (src/cli/bench.ts), in a page. It takes the runtime the
// page allows (init: threads on shared memory where the page is cross-origin isolated, else one), then runs the
// same rows with runBench and posts each row, then the run with runtimeInfo(). Shapes: none.
import { runBench } from '../../src/bench/index.js';
import { init, runtimeInfo } from '../../src/kernels/runtime.js';
import type { FromBenchWorker, PageBenchOptions } from './protocol.js';

interface WorkerScope {
  postMessage(message: FromBenchWorker): void;
  onmessage: ((event: { data: PageBenchOptions }) => void) | null;
  crossOriginIsolated: boolean;
  navigator: { userAgent: string };
}
const scope = globalThis as unknown as WorkerScope;

async function bench(o: PageBenchOptions): Promise<void> {
  const runtime = await init({ backend: 'wasm', threads: o.threads, kernelVariant: o.gemm ?? 'auto' });
  const run = await runBench({
    cells: o.cells, hidden: o.hidden, threads: runtime.threads, seconds: o.seconds, length: o.length,
    ...(o.parts !== undefined ? { parts: new Set(o.parts) } : {}),
    ...(o.batch !== undefined ? { batch: o.batch } : {}),
    ...(o.steps !== undefined ? { steps: o.steps } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    onRow: (row) => scope.postMessage({ type: 'row', row }),
  });
  scope.postMessage({ type: 'done', rows: run.rows, summary: run.summary, runtime: runtimeInfo(), userAgent: scope.navigator.userAgent, crossOriginIsolated: scope.crossOriginIsolated });
}

scope.onmessage = (event) => {
  bench(event.data).catch((err: unknown) => scope.postMessage({ type: 'error', message: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) }));
};

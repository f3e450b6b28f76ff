// The bench page: starts the bench worker (worker.ts) with the options in its URL (?options=<JSON>) and keeps
// every message the worker sends in `globalThis.benchLog`, which bench/browser.mjs reads through Playwright; the
// page itself shows the rows as they come. Types are written out here because the repository's type check knows
// Node's globals only.
import type { FromBenchWorker, PageBenchOptions } from './protocol.js';

interface BenchWorker {
  postMessage(message: PageBenchOptions): void;
  onmessage: ((event: { data: FromBenchWorker }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
}
interface PageScope {
  Worker: new (url: URL, options: { type: 'module' }) => BenchWorker;
  location: { search: string };
  document: { querySelector(selector: string): { textContent: string | null } | null };
  benchLog: FromBenchWorker[];
}
const page = globalThis as unknown as PageScope;
const out = page.document.querySelector('#out')!;
page.benchLog = [];

const log = (message: FromBenchWorker): void => {
  page.benchLog.push(message);
  if (message.type === 'row') out.textContent += `\n${message.row.cell} ${message.row.hidden}: ${Math.round(message.row.trainTokensPerSec ?? 0)} tok/s`;
  else out.textContent += `\n${message.type === 'done' ? 'done' : `error: ${message.message}`}`;
};

const options = new URLSearchParams(page.location.search).get('options');
if (options === null) log({ type: 'error', message: 'the page needs ?options=<JSON> (bench/browser.mjs sets it)' });
else {
  const { Worker } = page;
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event) => log(event.data);
  worker.onerror = (event) => log({ type: 'error', message: `the bench worker failed to start: ${event.message ?? 'no message'}` });
  worker.postMessage(JSON.parse(options) as PageBenchOptions);
}

// Where a task model's training step goes (lstm bench --task forecast|classify), kernel by kernel: a real step
// (the fused sequence engine's lossAndGrad and an Adam update) with every call the engine makes to its backend
// timed in place, so the shares are those of the step as it runs (the time loops whole, each product by its shape).
// Also the process's CPU time per step beside the wall-clock time: on a shared machine, CPU time on one thread is
// the steadier number. Says which kernels a faster variant could pay for.
// Run: npm run build:wasm && node --import tsx bench/task-profile.ts [--task forecast|classify] [--hidden 128]
//   [--threads 1] [--steps 6]
import { loadavg } from 'node:os';
import { taskBatches, type BenchTask } from '../src/bench/tasks.js';
import { FusedSequenceModel } from '../src/engine/index.js';
import { createEngineBackend, init } from '../src/kernels/index.js';
import type { Backend } from '../src/kernels/backend.js';
import { SequenceClassifier, SequenceRegressor } from '../src/nn/index.js';
import { Adam } from '../src/optim/adam.js';

const arg = (flag: string, fallback: string): string => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1]! : fallback;
};
const task = arg('--task', 'classify') as BenchTask;
const hidden = Number(arg('--hidden', '128'));
const threads = Number(arg('--threads', '1'));
const steps = Number(arg('--steps', '6'));

await init({ threads });
const backend = createEngineBackend();
const spent = new Map<string, number>();
/** The backend with every method timed under its name (products also by shape and transposes). */
const timed = new Proxy(backend, {
  get(target, prop) {
    const value = Reflect.get(target, prop, target) as unknown;
    if (typeof value !== 'function') return value;
    return (...args: unknown[]) => {
      const t0 = performance.now();
      const out = (value as (...a: unknown[]) => unknown).apply(target, args);
      const what = prop === 'gemm' ? `gemm ${args.slice(0, 3).join('x')}${args[6] ? ' Aᵀ' : ''}${args[7] ? ' Bᵀ' : ''}` : String(prop);
      spent.set(what, (spent.get(what) ?? 0) + performance.now() - t0);
      return out;
    };
  },
}) as Backend;

const model = task === 'forecast'
  ? new SequenceRegressor({ inputSize: 4, hiddenSize: hidden, seed: 0 })
  : new SequenceClassifier({ vocabSize: 64, numClasses: 4, embeddingDim: 32, hiddenSize: hidden, bidirectional: true, seed: 0 });
const engine = new FusedSequenceModel(model, timed);
const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
const batches = taskBatches(task, 1);
const step = (k: number): void => {
  optimizer.zeroGrad(false);
  engine.lossAndGrad(batches[k % batches.length]!);
  optimizer.step();
};
for (let k = 0; k < 2; k++) step(k);
spent.clear();
const load = loadavg()[0]!;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let k = 0; k < steps; k++) step(k);
const wall = (performance.now() - t0) / steps;
const cpu = process.cpuUsage(cpu0);
console.log(`${task} LSTM ${hidden}, ${threads} thread(s): ${wall.toFixed(1)} ms per step (wall), ${((cpu.user + cpu.system) / 1000 / steps).toFixed(1)} ms of CPU; load average ${load.toFixed(2)}`);
let inBackend = 0;
for (const [what, ms] of [...spent.entries()].sort((a, b) => b[1] - a[1])) {
  inBackend += ms;
  if (ms / steps >= 0.05) console.log(`  ${what.padEnd(28)} ${(ms / steps).toFixed(2).padStart(8)} ms  ${((100 * ms) / steps / wall).toFixed(1).padStart(5)}%`);
}
console.log(`  ${'outside the backend'.padEnd(28)} ${(wall - inBackend / steps).toFixed(2).padStart(8)} ms  ${((100 * (wall - inBackend / steps)) / wall).toFixed(1).padStart(5)}%`);

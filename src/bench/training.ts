// Training throughput in the d2l setting: a real training loop (as the trainer runs it) on random tokens over a
// 28-token vocabulary. Every step: zero the gradients, lossAndGrad (the fused engine wherever it applies),
// clip the gradient norm to 1, SGD step with lr 1; minibatches are sequential (d2l's seq_data_iter_sequential)
// and the state is carried, detached, from one minibatch to the next, starting from zeros each pass over the
// tokens. Tokens per second = B·T·steps / seconds, best window reported (see timing.ts).
import { Random } from '../core/random.js';
import { sequentialBatches, type Batch } from '../data/batches.js';
import { fusedEngineFor } from '../engine/index.js';
import { init } from '../kernels/runtime.js';
import type { State } from '../nn/cell.js';
import { clipGradNorm } from '../optim/clip.js';
import { SGD } from '../optim/sgd.js';
import { buildModel } from '../train/model-config.js';
import { lossAndGrad } from '../train/step.js';
import { D2L, trainingStepFlops, type BenchCell } from './flops.js';
import { timeWindows } from './timing.js';

export interface TrainingBenchOptions {
  cell: BenchCell;
  hidden: number;
  /** Threads for the products (`init({ threads })`); default: the cores available. */
  threads?: number;
  /** About this many seconds of timed steps (default 2); at least 3 windows of one step are always timed. */
  seconds?: number;
  batch?: number;
  steps?: number;
  vocab?: number;
  seed?: number;
}

export interface TrainingBenchResult {
  cell: BenchCell;
  hidden: number;
  batch: number;
  steps: number;
  vocab: number;
  /** Threads that shared the products while timing (1 where the engine is not the wasm one). */
  threads: number;
  /** 'fused' (the engine) or 'autograd' (the tape, where no fused engine applies). */
  engine: 'fused' | 'autograd';
  /** The backend of the fused engine ('wasm' or 'ref'). */
  backend: string;
  /** B·T·steps / seconds in the fastest window. */
  tokensPerSec: number;
  tokensPerSecMedian: number;
  /** Training steps timed (warm-up excluded) and the seconds they took. */
  timedSteps: number;
  timedSeconds: number;
  windows: number;
  /** Floating-point operations of one step's products (see flops.ts) and the rate achieved (best window). */
  flopsPerStep: number;
  gflops: number;
  /** Loss of the last step (random tokens: about ln 28 ≈ 3.33; a finite number shows the loop really ran). */
  lastLoss: number;
}

/** Random token ids, enough for a few dozen minibatches per pass. */
function randomCorpus(length: number, vocab: number, seed: number): Int32Array {
  const random = new Random(seed);
  const ids = new Int32Array(length);
  for (let k = 0; k < length; k++) ids[k] = random.int(vocab);
  return ids;
}

export async function benchTraining(options: TrainingBenchOptions): Promise<TrainingBenchResult> {
  const { cell, hidden, seconds = 2, batch = D2L.batch, steps = D2L.steps, vocab = D2L.vocab, seed = 0 } = options;
  // Before the model exists: its engine runs on the runtime's kernels and threads; `init` waits for the workers,
  // so the timed steps run on every thread asked for.
  await init({ threads: options.threads ?? 'auto' });
  const model = buildModel({ cell, hiddenSize: hidden, numLayers: 1, dropout: 0, vocabSize: vocab, seed });
  model.train();
  const params = model.parameters();
  const optimizer = new SGD(params, { lr: D2L.lr });
  const corpus = randomCorpus(batch * steps * 24 + steps + 1, vocab, seed + 1);
  const random = new Random(seed + 2);

  let epoch = sequentialBatches(corpus, batch, steps, random);
  let state: State | undefined;
  let lastLoss = NaN;
  const nextBatch = (): Batch => {
    let next = epoch.next();
    if (next.done === true) {
      epoch = sequentialBatches(corpus, batch, steps, random);
      state = undefined; // a new pass starts from zeros, as d2l's train_epoch_ch8
      next = epoch.next();
    }
    return next.value as Batch;
  };
  const step = (): void => {
    const b = nextBatch();
    optimizer.zeroGrad(false); // as the trainer: gradient buffers kept and zeroed, nothing allocated per step
    const result = lossAndGrad(model, b, state);
    state = result.state;
    clipGradNorm(params, D2L.clip);
    optimizer.step();
    lastLoss = result.loss;
  };

  step(); // builds the engine
  const engine = fusedEngineFor(model);
  const backendThreads = (): number => (engine?.backend as { threads?: number } | undefined)?.threads ?? 1;
  const stats = timeWindows(step, batch * steps, { seconds, warmup: 1, windows: 5 });
  const flopsPerStep = trainingStepFlops({ cell, hidden, batch, steps, vocab }).total;
  if (!Number.isFinite(lastLoss)) throw new Error(`bench: training ${cell} ${hidden} produced a non-finite loss`);
  return {
    cell, hidden, batch, steps, vocab,
    threads: backendThreads(),
    engine: engine === null ? 'autograd' : 'fused',
    backend: engine?.backend.name ?? 'autograd',
    tokensPerSec: stats.best,
    tokensPerSecMedian: stats.median,
    timedSteps: stats.calls,
    timedSeconds: stats.seconds,
    windows: stats.windows,
    flopsPerStep,
    gflops: (stats.best / (batch * steps)) * flopsPerStep / 1e9,
    lastLoss,
  };
}

// The WebAssembly time loops (assembly/steps.ts) against the reference loops (src/kernels/ref/steps.ts), forward
// and backward, for every cell, on 1, 2 and 3 threads. The pool is started (and waited for) before anything runs,
// and every case asserts which path ran: whole loops in wasm, split over all the threads when there are two rows
// per thread or more; one-row generation, which rows cannot split, in wasm on one thread while its products are
// too small to split, and otherwise step by step with each product split by columns (forced here by a threshold
// of 0). Without this a test only compares the wasm loops when it happens to win a race with the workers'
// start-up. Shapes: x, y (B, T) ids; states (layers, B, H).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../src/core/random.js';
import { FusedGenerator, FusedLanguageModel } from '../src/engine/index.js';
import { createRefBackend, type Backend } from '../src/kernels/backend.js';
import { initWasmSync } from '../src/kernels/wasm/backend.js';
import { createWasmBackend } from '../src/kernels/wasm/engine-backend.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { availableCores, setThreads, threadPool } from '../src/kernels/wasm/threads.js';
import { GRU, LSTM, RNN, RNNModel, type Recurrent, type State } from '../src/nn/index.js';
import { Tensor } from '../src/core/tensor.js';
import { assertClose } from './helpers/fixtures.js';

const support = probeWasm();
const skip = support.simd && support.sharedMemory ? false : 'needs WebAssembly SIMD and shared memory';
const KINDS = ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const;
type Kind = (typeof KINDS)[number];
const [V, H, T, LAYERS] = [9, 21, 5, 2];

/** Two layers: the first gathers its one-hot input inside the loop (ids), the second takes the first's rows. */
function makeModel(kind: Kind): RNNModel {
  const o = { inputSize: V, hiddenSize: H, numLayers: LAYERS, seed: 3 };
  const rnn: Recurrent = kind === 'lstm' ? new LSTM(o) : kind === 'gru' ? new GRU(o) : new RNN({ ...o, nonlinearity: kind === 'rnn_relu' ? 'relu' : 'tanh' });
  return new RNNModel(rnn, V, { seed: 4 });
}

type Loops = { wasm: number; split: number; byStep: number };
const loopsOf = (be: Backend): Loops => ({ ...(be as unknown as { loops: Loops }).loops });

function states(s: State): Tensor[] {
  return s instanceof Tensor ? [s] : s;
}

/** Two training steps (state carried) on the reference and on wasm: loss, final state and every gradient agree. */
function compareTraining(kind: Kind, B: number, random: Random, out: Float32Array[] = []): Loops {
  const ref = makeModel(kind), wasm = makeModel(kind);
  const engines = [new FusedLanguageModel(ref, createRefBackend()), new FusedLanguageModel(wasm, createWasmBackend())];
  const before = loopsOf(engines[1]!.backend);
  let carried: Array<State | undefined> = [undefined, undefined];
  for (let step = 0; step < 2; step++) {
    const x = Int32Array.from({ length: B * T }, () => random.int(V));
    const y = Int32Array.from({ length: B * T }, () => random.int(V));
    ref.zeroGrad();
    wasm.zeroGrad();
    const [a, b] = engines.map((e, k) => e.lossAndGrad(x, y, B, T, carried[k])) as [ReturnType<FusedLanguageModel['lossAndGrad']>, ReturnType<FusedLanguageModel['lossAndGrad']>];
    const what = `${kind} B=${B} step ${step}`;
    assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(a.loss), `${what}: loss ${b.loss} vs ${a.loss}`);
    states(b.state).forEach((s, j) => assertClose(s, states(a.state)[j]!, `${what}: final state ${j}`, 1e-5, 1e-6));
    const named = ref.namedParameters();
    wasm.namedParameters().forEach(([name, p], k) => assertClose(p.grad!, named[k]![1].grad!, `${what}: grad ${name}`, 1e-4, 1e-6));
    out.push(Float32Array.of(b.loss), ...wasm.parameters().map((p) => Float32Array.from(p.grad!)));
    carried = [a.state, b.state];
  }
  const after = loopsOf(engines[1]!.backend);
  return { wasm: after.wasm - before.wasm, split: after.split - before.split, byStep: after.byStep - before.byStep };
}

/** The same tokens fed to a generator on each backend: the logits after each agree; returns wasm's and the paths. */
function compareGeneration(kind: Kind, tokens: readonly number[]): { loops: Loops; logits: Float32Array[] } {
  const model = makeModel(kind);
  const gens = [new FusedGenerator(model, createRefBackend()), new FusedGenerator(model, createWasmBackend())];
  const before = loopsOf(gens[1]!.backend);
  const logits: Float32Array[] = [];
  tokens.forEach((token, t) => {
    const [a, b] = gens.map((g) => g.step(token).slice());
    assertClose(b!, a!, `${kind} generation, token ${t}: logits`, 1e-5, 1e-6);
    logits.push(b!);
  });
  const after = loopsOf(gens[1]!.backend);
  return { loops: { wasm: after.wasm - before.wasm, split: after.split - before.split, byStep: after.byStep - before.byStep }, logits };
}

for (const threads of [1, 2, 3]) {
  test(`wasm time loops equal the reference on ${threads} thread(s), forward and backward, every cell, and say which path ran`, { skip }, async (t) => {
    t.after(() => setThreads(availableCores()));
    setThreads(threads);
    const pool = threadPool(initWasmSync());
    pool.adaptive = false; // a busy machine must not turn a split job into a one-thread one while we count
    assert.equal(await pool.ready(10_000), threads, 'every worker started before the first kernel runs');
    const random = new Random(17 + threads);
    // Batches with two rows per thread or more take the wasm loops: the smallest such, and an odd one.
    for (const B of [2 * threads, 2 * threads + 3]) {
      for (const kind of KINDS) {
        const loops = compareTraining(kind, B, random);
        const perRun = 2 * LAYERS * 2; // two steps, forward and backward of each layer
        assert.deepEqual(loops, { wasm: perRun, split: threads > 1 ? perRun : 0, byStep: 0 }, `${kind} B=${B}: path taken`);
      }
    }
    const tokens = Array.from({ length: 12 }, () => random.int(V));
    const byLoop = KINDS.map((kind) => {
      const { loops, logits } = compareGeneration(kind, tokens);
      assert.deepEqual(loops, { wasm: 12 * LAYERS, split: 0, byStep: 0 }, `${kind} generation: path taken`);
      return logits;
    });
    if (threads > 1) {
      const timed = pool.minParallelMacs;
      pool.minParallelMacs = 0; // every product worth splitting: generation goes step by step, products split
      // Training with fewer than two rows per thread: the wasm loops (rows split unevenly) or step by step.
      for (const kind of KINDS) {
        const seed = 40 + threads;
        const [whole, stepped]: Float32Array[][] = [[], []];
        pool.minParallelMacs = timed;
        assert.equal(compareTraining(kind, threads + 1, new Random(seed), whole).byStep, 0);
        pool.minParallelMacs = 0;
        assert.equal(compareTraining(kind, threads + 1, new Random(seed), stepped).wasm, 0);
        assert.deepEqual(stepped, whole, `${kind} B=${threads + 1}: the two paths give the same bits`);
      }
      KINDS.forEach((kind, k) => {
        const { loops, logits } = compareGeneration(kind, tokens);
        assert.deepEqual(loops, { wasm: 0, split: 0, byStep: 12 * LAYERS }, `${kind} generation, products split: path taken`);
        // Which path a process takes depends on a timing; the numbers must not.
        assert.deepEqual(logits, byLoop[k], `${kind} generation: the two paths give the same bits`);
      });
      pool.minParallelMacs = timed;
    }
    pool.adaptive = true;
  });
}

// A task that is not a language model, to prove the trainer's seam general: sequence regression on a noisy
// two-tone series. Windows of T steps of F = 2 dense features (the value and its first difference) predict the
// next value; the model is an LSTM (time-major) whose last step feeds a linear head; the loss is the mean squared
// error, written with today's ops as mean(d ⊙ d) so it can switch to nn's mseLoss and SequenceRegressor later.
// Shapes: window x (T, B, F), prediction and target (B, 1).
import { Random } from '../../src/core/random.js';
import { Tensor, noGrad } from '../../src/core/tensor.js';
import { mean, mul, select, sub } from '../../src/core/ops/index.js';
import { LSTM } from '../../src/nn/lstm.js';
import { Linear } from '../../src/nn/linear.js';
import { Module, prefixed } from '../../src/nn/module.js';
import { MAX_WEIGHT } from '../../src/core/limits.js';
import { assertFitsInMemory } from '../../src/io/memory.js';
import type { BatchLoss, MetricGoal, Task, TaskEpoch, TaskLoader, TensorSpec, TrainOptions, TrainingSummary } from '../../src/train/index.js';

export interface RegressorConfig {
  features: number;
  steps: number;
  hiddenSize: number;
  numLayers: number;
  dropout: number;
  seed: number;
}

/** N windows: x[n] is (T, F) row-major, y[n] the value right after it. */
export interface Windows {
  x: Float32Array;
  y: Float32Array;
  count: number;
}

export interface RegressionMetrics {
  valMse: number | null;
  valMae: number | null;
  windowsPerSec: number;
}

export interface RegressionEvaluation {
  mse: number;
  mae: number;
}

export class Regressor extends Module {
  readonly rnn: LSTM;
  readonly head: Linear;

  constructor(readonly config: RegressorConfig) {
    super();
    const { features, hiddenSize, numLayers, dropout, seed } = config;
    this.rnn = new LSTM({ inputSize: features, hiddenSize, numLayers, dropout, seed });
    this.head = new Linear(hiddenSize, 1, new Random(seed + 1));
  }

  override namedParameters(): Array<[string, Tensor]> {
    return [...prefixed('rnn', this.rnn.namedParameters()), ...prefixed('head', this.head.namedParameters())];
  }

  protected override children(): Module[] {
    return [this.rnn, this.head];
  }

  /** x (T, B, F) -> predictions (B, 1) from the last step's output. */
  forward(x: Tensor): Tensor {
    const [outputs] = this.rnn.forward(x);
    return this.head.forward(select(outputs, 0, x.shape[0]! - 1));
  }
}

/** A noisy sum of two sines, cut into overlapping windows. */
export function makeWindows(length: number, steps: number, seed: number): Windows {
  const random = new Random(seed);
  const series = Float32Array.from({ length }, (_, t) => Math.sin(0.3 * t) + 0.4 * Math.sin(0.11 * t + 1) + 0.05 * random.normal());
  const count = length - steps - 1;
  const x = new Float32Array(count * steps * 2);
  const y = new Float32Array(count);
  for (let n = 0; n < count; n++) {
    for (let t = 0; t < steps; t++) {
      const at = n + 1 + t;
      x[(n * steps + t) * 2] = series[at]!;
      x[(n * steps + t) * 2 + 1] = series[at]! - series[at - 1]!;
    }
    y[n] = series[n + 1 + steps]!;
  }
  return { x, y, count };
}

export function subset(data: Windows, rows: ArrayLike<number>, steps: number): Windows {
  const x = new Float32Array(rows.length * steps * 2);
  const y = new Float32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const n = rows[k]!;
    x.set(data.x.subarray(n * steps * 2, (n + 1) * steps * 2), k * steps * 2);
    y[k] = data.y[n]!;
  }
  return { x, y, count: rows.length };
}

/** Windows (N, T, F) row-major as the time-major input (T, N, F) the layer reads. */
function timeMajor(data: Windows, steps: number, features: number): Tensor {
  const out = new Float32Array(data.x.length);
  for (let n = 0; n < data.count; n++) {
    for (let t = 0; t < steps; t++) {
      for (let f = 0; f < features; f++) out[(t * data.count + n) * features + f] = data.x[(n * steps + t) * features + f]!;
    }
  }
  return new Tensor(out, [steps, data.count, features]);
}

export class RegressionTask implements Task<Windows, Windows, RegressionMetrics, RegressionEvaluation> {
  readonly kind = 'forecast' as const;
  readonly goals: Readonly<Record<string, MetricGoal>> = { valMse: 'min', valMae: 'min' };
  readonly defaultMonitor = 'valMse';
  readonly model: Regressor;

  constructor(config: RegressorConfig) {
    this.model = new Regressor(config);
  }

  get random(): Random {
    return this.model.rnn.random;
  }

  set random(random: Random) {
    this.model.rnn.random = random;
  }

  /** Chronological: the last windows are held out. */
  split(data: Windows, validFraction: number): { train: Windows; valid: Windows | null } {
    const held = Math.floor(data.count * validFraction);
    const rows = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);
    const steps = this.model.config.steps;
    return { train: subset(data, rows(0, data.count - held), steps), valid: held === 0 ? null : subset(data, rows(data.count - held, data.count), steps) };
  }

  /** Shuffled rows, batchSize at a time (the last batch may be smaller); the order is drawn when called. */
  batches(data: Windows, random: Random, options: TrainOptions): TaskEpoch<Windows> {
    const order = random.shuffle(Array.from({ length: data.count }, (_, n) => n));
    const { batchSize } = options;
    const numBatches = Math.ceil(data.count / batchSize);
    const steps = this.model.config.steps;
    function* generate(): Generator<Windows> {
      for (let i = 0; i < numBatches; i++) yield subset(data, order.slice(i * batchSize, (i + 1) * batchSize), steps);
    }
    return Object.assign(generate(), { numBatches });
  }

  startState(): null {
    return null;
  }

  lossAndGrad(batch: Windows): BatchLoss {
    const { steps, features } = this.model.config;
    const d = sub(this.model.forward(timeMajor(batch, steps, features)), new Tensor(batch.y, [batch.count, 1]));
    const loss = mean(mul(d, d));
    loss.backward();
    return { loss: loss.item(), items: batch.count, carry: null };
  }

  evaluate(data: Windows): RegressionEvaluation {
    const { steps, features } = this.model.config;
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      const predictions = noGrad(() => this.model.forward(timeMajor(data, steps, features))).data;
      let squares = 0;
      let absolutes = 0;
      for (let n = 0; n < data.count; n++) {
        const e = predictions[n]! - data.y[n]!;
        squares += e * e;
        absolutes += Math.abs(e);
      }
      return { mse: squares / data.count, mae: absolutes / data.count };
    } finally {
      this.model.train(wasTraining);
    }
  }

  epochMetrics(train: TrainingSummary, valid: RegressionEvaluation | null): RegressionMetrics {
    return { valMse: valid?.mse ?? null, valMae: valid?.mae ?? null, windowsPerSec: train.items / train.seconds };
  }

  carriedState(): null {
    return null;
  }

  checkpointMetadata(): Record<string, unknown> {
    return { model: { ...this.model.config } };
  }
}

/**
 * The regressor's tensors from its config alone, as Regressor.namedParameters() names and orders them: the LSTM's
 * W_g (I, H), U_g (H, H), b_g (1, H) per layer (gates i, f, o, a), then the head (H, 1) and (1, 1).
 */
function* regressorTensors(config: RegressorConfig): Generator<TensorSpec> {
  const weight = (name: string, shape: number[]): TensorSpec => ({ name, shape, dtypes: ['F32'], bound: MAX_WEIGHT, role: 'weight' });
  const { features, hiddenSize: H, numLayers } = config;
  const gates = ['i', 'f', 'o', 'a'];
  for (let l = 0; l < numLayers; l++) {
    const I = l === 0 ? features : H;
    for (const g of gates) yield weight(`rnn.l${l}.W_${g}`, [I, H]);
    for (const g of gates) yield weight(`rnn.l${l}.U_${g}`, [H, H]);
    for (const g of gates) yield weight(`rnn.l${l}.b_${g}`, [1, H]);
  }
  yield weight('head.weight', [H, 1]);
  yield weight('head.bias', [1, 1]);
}

/** A task's loader is its plan: the generic loader runs every check of the file against it before building. */
export const REGRESSION_LOADER: TaskLoader<RegressionTask> = {
  kind: 'forecast',
  plan(meta, _source, fail) {
    const raw = meta.model as Record<string, unknown> | undefined;
    if (typeof raw !== 'object' || raw === null) return fail('the forecast checkpoint has no model config');
    for (const key of ['features', 'steps', 'hiddenSize', 'numLayers', 'seed']) {
      const v = raw[key];
      if (!Number.isSafeInteger(v) || (v as number) < (key === 'seed' ? 0 : 1)) fail(`model config: ${key} must be a positive integer, got ${JSON.stringify(v)}`);
    }
    const config = raw as unknown as RegressorConfig;
    const says = `checkpoint says a regressor lstm ${config.hiddenSize}x${config.numLayers}`;
    return {
      says,
      weights: () => regressorTensors(config),
      assertFits: (o) => {
        const { features: F, hiddenSize: H, numLayers: L, steps: T } = config;
        const params = 4 * (F * H + H * H + H) + (L - 1) * 4 * (2 * H * H + H) + H + 1;
        const rows = (o?.batchSize ?? 1) * T;
        assertFitsInMemory(4 * (params * (o === null ? 1 : 4) + rows * L * 8 * H * 2), `the regressor it describes (lstm ${H}x${L})`);
      },
      carried: () => [],
      mostBatches: () => null,
      metrics: ['valMse', 'valMae', 'windowsPerSec'],
      build: () => new RegressionTask(config),
    };
  },
};

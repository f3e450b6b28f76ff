// One forecast or classify run inside the task worker, trained by the library's own whole-run functions
// (trainForecaster, trainClassifier: the CLI's defaults, split, scaling, best-epoch weights), paused through their
// abort signal and continued by runTask on the same trainer, so Resume goes on exactly where Pause stopped. While
// it trains, the session asks for a picture of the validation part about once a second and at epochs' ends,
// between minibatches (the model's mode is restored by the evaluation, the gradients are already applied).
import { runTask, type AnyTask, type BatchInfo, type TaskRunControls, type TaskRunStart } from '../../src/train/index.js';

/**
 * How often the held-out part is drawn again: within a long epoch, every second; at an epoch's end, unless the last
 * picture is younger than a quarter second (on the fused engine a small model's epoch can take 70 ms, and drawing
 * each would cost more than training it).
 */
const LIVE_MS = 1000;
const EPOCH_LIVE_MS = 250;

export interface SessionHooks<T extends AnyTask, D> {
  /** The library has built the task and prepared the data; training starts next. */
  started(start: TaskRunStart<T, D>): void;
  progress(info: BatchInfo): void;
  /** Time to draw the validation part again. */
  live(): void;
}

export class TaskSession<T extends AnyTask, D> {
  /** The task, its trainer and the prepared data, once the library has built them. */
  begun: TaskRunStart<T, D> | null = null;
  /** The epoch whose weights the model holds after the last call that ran to the end (the best by validation). */
  keptEpoch: number | null = null;
  private abort: AbortController | null = null;

  /**
   * `first` starts the library's run with these controls; `parts` names the training and validation data of the
   * prepared data, for the calls that continue it.
   */
  constructor(
    private readonly first: (controls: TaskRunControls<T, D>) => Promise<{ keptEpoch: number | null }>,
    private readonly parts: (data: D) => { train: unknown; valid: unknown | null },
  ) {}

  get running(): boolean {
    return this.abort !== null;
  }

  get finished(): boolean {
    return this.begun?.trainer.finished ?? false;
  }

  /** Trains until Pause (or the last epoch); resolves when it has stopped. */
  async play(hooks: SessionHooks<T, D>): Promise<void> {
    if (this.abort !== null) return;
    const abort = (this.abort = new AbortController());
    let lastLive = performance.now();
    const live = (): void => {
      hooks.live();
      lastLive = performance.now();
    };
    const controls: TaskRunControls<T, D> = {
      signal: abort.signal,
      onStart: (start) => {
        this.begun = start;
        hooks.started(start);
      },
      onBatch: (info) => {
        hooks.progress(info);
        if (performance.now() - lastLive >= LIVE_MS) live();
      },
      onEpoch: () => {
        if (performance.now() - lastLive >= EPOCH_LIVE_MS) live();
      },
    };
    try {
      if (this.begun === null) {
        this.keptEpoch = (await this.first(controls)).keptEpoch;
      } else {
        const { trainer, data, trainCount, validCount } = this.begun;
        const { train, valid } = this.parts(data);
        this.keptEpoch = (await runTask(trainer, data, train, valid, { train: trainCount, valid: validCount }, {}, controls)).keptEpoch;
      }
    } finally {
      this.abort = null;
    }
  }

  pause(): void {
    this.abort?.abort();
  }

  /** Says whose weights a picture shows: the epoch in progress, or the kept epoch once the run has ended. */
  note(): string {
    const trainer = this.begun?.trainer;
    if (trainer === undefined) return '';
    const { epochs } = trainer.options;
    if (!trainer.finished) return `Epoch ${trainer.epoch + (trainer.batch > 0 ? 1 : 0)} of ${epochs}${trainer.batch > 0 ? `, batch ${trainer.batch}` : ', done'}`;
    const kept = this.keptEpoch ?? trainer.epoch;
    return kept === trainer.epoch ? `After epoch ${kept} of ${epochs}` : `The best epoch's weights (epoch ${kept} of ${trainer.epoch})`;
  }

  /** Epochs done, counting the current one's minibatches as a fraction. */
  progress(batches: number): number {
    const trainer = this.begun?.trainer;
    return trainer === undefined ? 0 : trainer.epoch + (batches > 0 ? trainer.batch / batches : 0);
  }
}

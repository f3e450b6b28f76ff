// What the forecast and classify views have in common inside the task worker: one run (a TaskSession) started,
// paused, resumed, reset and downloaded as a checkpoint, and one uploaded checkpoint, decoded through the task's
// loader with every check the CLI runs (a checkpoint of another task is refused in one line naming both). A view's
// slot adds its data, its session and its picture (forecast-slot.ts, classify-slot.ts).
import {
  decodeTaskCheckpoint, describeTaskModel, encodeTaskCheckpoint, shortTaskModelName,
  type AnyTask, type ClassifierConfig, type ForecasterConfig, type TaskLoader, type TaskRunStart,
} from '../../src/train/index.js';
import type { RunState } from './protocol.js';
import type { FromTaskWorker, TaskView } from './task-protocol.js';
import type { TaskSession } from './task-session.js';

export type Post = (message: FromTaskWorker, transfer?: Transferable[]) => void;

/** A task whose model config the checkpoint and the page describe. */
type ConfiguredTask = AnyTask & { info: { config: ForecasterConfig | ClassifierConfig } };

const PROGRESS_MS = 250;

export abstract class TaskSlot<T extends ConfiguredTask, D, Choice> {
  protected session: TaskSession<T, D> | null = null;
  /** The last checkpoint uploaded, and whether it (not the run) is what the view shows and answers with. */
  protected loaded: { task: T; name: string } | null = null;
  protected current: 'run' | 'loaded' = 'run';
  private batches = 0;

  constructor(readonly view: TaskView, protected readonly post: Post, private readonly loader: TaskLoader<T>) {}

  /** A new run on the view's data with the person's choices (errors in the data or the choices throw here). */
  protected abstract newSession(choice: Choice): TaskSession<T, D>;
  /** Posts the picture of one part of the data for this task. */
  protected abstract draw(task: T, data: D, part: 'valid' | 'test', note: string, progress: number | null): void;
  /** One line on what the run trains: the data's parts and the model. */
  protected abstract describe(start: TaskRunStart<T, D>): string;
  /** Draws an uploaded checkpoint's model on the view's data. */
  protected abstract drawLoaded(task: T, name: string): void;

  protected state(state: RunState, note: string): void {
    this.post({ type: 'state', view: this.view, state, note });
  }

  /** The model the view answers with: the uploaded checkpoint's when it came last, else the run's. */
  protected currentTask(): T {
    if (this.current === 'loaded' && this.loaded !== null) return this.loaded.task;
    const task = this.session?.begun?.task;
    if (task === undefined) throw new Error('There is no model yet: press Start to train one, or load a checkpoint.');
    return task;
  }

  async start(choice: Choice): Promise<void> {
    if (this.session?.running) return;
    if (this.session === null) {
      this.state('preparing', 'Preparing the data…');
      this.session = this.newSession(choice);
    }
    const session = this.session;
    this.current = 'run';
    this.state('training', 'Training');
    let lastProgress = 0;
    try {
      await session.play({
        started: (start) => this.post({ type: 'run', view: this.view, description: this.describe(start) }),
        progress: (info) => {
          this.batches = info.numBatches;
          if (performance.now() - lastProgress < PROGRESS_MS) return;
          lastProgress = performance.now();
          const { epoch, batch, numBatches: batches, loss, itemsPerSec } = info;
          this.post({ type: 'progress', view: this.view, epoch, epochs: session.begun!.trainer.options.epochs, batch, batches, loss, itemsPerSec });
        },
        live: () => this.drawRun(session, 'valid'),
      });
    } catch (err) {
      const built = session.begun !== null;
      // Nothing was built (the data or a setting was refused): the next Start reads the choices again.
      if (!built && this.session === session) this.session = null;
      this.post({ type: 'error', view: this.view, where: built ? 'train' : 'start', message: (err as Error).message ?? String(err) });
      if (this.session === session) built ? this.state('paused', 'Stopped') : this.state('idle', 'idle');
      return;
    }
    if (this.session !== session) return; // reset meanwhile
    if (!session.finished) return this.state('paused', 'Paused');
    this.drawRun(session, 'test');
    this.state('finished', 'Finished');
  }

  private drawRun(session: TaskSession<T, D>, part: 'valid' | 'test'): void {
    const { task, data } = session.begun!;
    if (this.current === 'run') this.draw(task, data, part, session.note(), session.progress(this.batches));
  }

  pause(): void {
    this.session?.pause();
  }

  /** Forgets the run and the uploaded checkpoint (the view starts over with its settings unlocked). */
  reset(): void {
    this.session?.pause();
    this.session = null;
    this.loaded = null;
    this.current = 'run';
    this.state('idle', 'idle');
  }

  download(): void {
    const begun = this.session?.begun;
    if (begun === undefined || begun === null) throw new Error('Nothing to download yet: press Start first.');
    const { task, trainer } = begun;
    const bytes = encodeTaskCheckpoint(task, trainer);
    const name = shortTaskModelName(task.info.config).toLowerCase().replace(/ /g, '-');
    const fileName = `${this.view}-${name}-epoch${trainer.epoch}.lstm.safetensors`;
    this.post({ type: 'checkpoint', view: this.view, bytes: bytes.buffer as ArrayBuffer, fileName }, [bytes.buffer as ArrayBuffer]);
  }

  load(bytes: ArrayBuffer, name: string): void {
    const { task, training } = decodeTaskCheckpoint(new Uint8Array(bytes), this.loader, name);
    this.session?.pause();
    this.loaded = { task, name };
    this.current = 'loaded';
    const epochs = training === null ? 'weights only' : `${training.progress.epoch} epoch${training.progress.epoch === 1 ? '' : 's'} trained`;
    // A model that loads but does not fit the chosen data (other columns, labels it never saw) still answers; the
    // person is told why it is not measured here.
    let measured = '';
    try {
      this.drawLoaded(task, name);
    } catch (err) {
      measured = `. It is not measured on this data: ${(err as Error).message}`;
    }
    this.post({ type: 'loaded', view: this.view, name, description: `${describeTaskModel(task.info.config)}; ${epochs}${measured}` });
  }
}

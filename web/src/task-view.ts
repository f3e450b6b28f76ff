// What the forecast and classify views share on the page: the data picker (the built-in set, or a file read with the
// CLI's checks and parsed by the library in the worker), Start / Pause / Resume, Reset, Download, loading a
// checkpoint, the run's state and its one-line errors. Their controls carry the view's prefix (fc-, cl-); each view
// adds its settings and its pictures (forecast-view.ts, classify-view.ts). Markup in index.html.
import { byId, setText } from './dom.js';
import { readCheckpointFile, readTextFile } from './files.js';
import type { RunState } from './protocol.js';
import type { TaskClient } from './task-client.js';
import type { DataSummary, FromTaskWorker, TaskView } from './task-protocol.js';

type Message<K extends FromTaskWorker['type']> = Extract<FromTaskWorker, { type: K }>;

export abstract class TaskPanel<Choice> {
  protected readonly panel: HTMLElement;
  protected readonly data: HTMLSelectElement;
  protected readonly upload: HTMLInputElement;
  protected readonly dataInfo: HTMLElement;
  protected readonly runInfo: HTMLElement;
  protected readonly modelInfo: HTMLElement;
  private readonly train: HTMLButtonElement;
  private readonly download: HTMLButtonElement;
  private readonly checkpoint: HTMLInputElement;
  private readonly badge: HTMLElement;
  private readonly epoch: HTMLElement;
  private readonly runHint: string;
  private readonly modelHint: string;
  protected state: RunState = 'idle';
  /** Start was pressed and Reset was not: the settings are the run's until Reset. */
  private hasRun = false;
  /** The worker has built the run's model (so there is something to download). */
  private begun = false;
  private started = false;
  /** The data as the CLI is told it: nothing for the built-in set, else --data with the file's name. */
  private dataGiven: { builtin: boolean; source: string } = { builtin: true, source: '' };

  /** `settings`: the view's own inputs, locked while a run exists. */
  constructor(readonly view: TaskView, readonly prefix: string, protected readonly client: TaskClient, private readonly settings: Array<HTMLInputElement | HTMLSelectElement>) {
    const id = (name: string): string => `${prefix}-${name}`;
    this.panel = byId(`${view}-view`);
    this.data = byId<HTMLSelectElement>(id('data'));
    this.upload = byId<HTMLInputElement>(id('upload'));
    this.dataInfo = byId(id('data-info'));
    this.runInfo = byId(id('run-info'));
    this.modelInfo = byId(id('model-info'));
    this.train = byId<HTMLButtonElement>(id('train'));
    this.download = byId<HTMLButtonElement>(id('download'));
    this.checkpoint = byId<HTMLInputElement>(id('checkpoint'));
    this.badge = byId(id('state'));
    this.epoch = byId(id('epoch'));
    this.runHint = this.runInfo.textContent ?? '';
    this.modelHint = this.modelInfo.textContent ?? '';
    client.on(view, (message) => this.receive(message));
    this.panel.addEventListener('taskshow', () => this.show());
    this.panel.addEventListener('taskhide', () => this.busy && this.send({ type: 'pause', view }));
    this.data.addEventListener('change', () => void this.chooseData());
    this.upload.addEventListener('change', () => void this.chooseData());
    this.train.addEventListener('click', () => this.press());
    byId(id('reset')).addEventListener('click', () => this.reset());
    this.download.addEventListener('click', () => this.send({ type: 'download', view }));
    this.checkpoint.addEventListener('change', () => void this.loadCheckpoint());
    this.setState('idle');
  }

  /** The person's choices for a run, or what is wrong with them. */
  protected abstract choice(): Choice | string;
  /** The view's part of a data summary (the column choosers). */
  protected abstract showData(summary: DataSummary): void;
  /** Empties the column choosers while other data is read (it may not read at all). */
  protected abstract clearData(): void;
  /** Back to empty pictures. */
  protected abstract clearPictures(): void;
  /** The view's own messages: pictures, probabilities, progress. */
  protected abstract receiveOwn(message: FromTaskWorker): void;
  /** How to use a downloaded checkpoint with the CLI. */
  protected abstract usage(fileName: string): string;

  protected dataFlag(): string {
    return this.dataGiven.builtin ? '' : ` --data ${this.dataGiven.source}`;
  }

  protected send(...args: Parameters<TaskClient['send']>): void {
    this.client.send(...args);
  }

  private get busy(): boolean {
    return this.state === 'training' || this.state === 'preparing';
  }

  /** The first time the view is shown: its charts start and its built-in data is read. */
  protected show(): void {
    if (this.started) return;
    this.started = true;
    void this.chooseData();
  }

  private async chooseData(): Promise<void> {
    const upload = this.data.value === 'upload';
    this.upload.hidden = !upload;
    this.clearData();
    if (!upload) {
      setText(this.dataInfo, 'Reading the built-in data…');
      return this.send({ type: 'data', view: this.view, data: { kind: 'builtin' } });
    }
    const file = this.upload.files?.[0];
    if (file === undefined) return setText(this.dataInfo, 'Choose a file: CSV or TSV with a header row, or JSON lines.');
    setText(this.dataInfo, `Reading ${file.name}…`);
    try {
      this.send({ type: 'data', view: this.view, data: { kind: 'upload', name: file.name, text: await readTextFile(file) } });
    } catch (err) {
      setText(this.dataInfo, (err as Error).message, 'error');
    }
  }

  private press(): void {
    if (this.busy) return this.send({ type: 'pause', view: this.view });
    const choice = this.choice();
    if (typeof choice === 'string') return setText(this.runInfo, choice, 'error');
    if (!this.hasRun) {
      this.clearPictures();
      this.hasRun = true;
      setText(this.runInfo, 'Preparing…');
    }
    this.setState('preparing', 'starting');
    // Each start message names its view with the choice that view builds (forecast-view.ts, classify-view.ts).
    this.send({ type: 'start', view: this.view, choice } as Parameters<TaskClient['send']>[0]);
  }

  private reset(): void {
    this.send({ type: 'reset', view: this.view });
    this.hasRun = this.begun = false;
    this.clearPictures();
    this.checkpoint.value = '';
    setText(this.runInfo, this.runHint);
    setText(this.modelInfo, this.modelHint);
    this.epoch.textContent = '—';
    this.setState('idle');
  }

  private async loadCheckpoint(): Promise<void> {
    const file = this.checkpoint.files?.[0];
    if (file === undefined) return;
    setText(this.modelInfo, `Reading ${file.name}…`);
    try {
      const bytes = await readCheckpointFile(file);
      this.send({ type: 'load', view: this.view, bytes, name: file.name }, [bytes]);
    } catch (err) {
      setText(this.modelInfo, (err as Error).message, 'error');
    }
  }

  private setState(next: RunState, note?: string): void {
    this.state = next;
    if (next === 'idle') this.hasRun = this.begun = false;
    this.badge.textContent = note ?? next;
    this.badge.className = `state ${next}`;
    this.train.textContent = this.busy ? 'Pause' : !this.hasRun ? 'Start' : next === 'finished' ? 'Finished' : 'Resume';
    this.train.disabled = next === 'finished';
    this.download.disabled = !this.begun;
    for (const input of [...this.settings, this.data, this.upload]) input.disabled = this.hasRun;
  }

  private receive(message: FromTaskWorker): void {
    switch (message.type) {
      case 'data':
        this.dataGiven = message.summary;
        setText(this.dataInfo, `${message.summary.builtin ? '' : `${message.summary.source}: `}${message.summary.description}`);
        return this.showData(message.summary);
      case 'state':
        return this.setState(message.state, message.note.toLowerCase());
      case 'run':
        this.begun = true;
        this.download.disabled = false;
        return setText(this.runInfo, message.description);
      case 'progress':
        this.epoch.textContent = `${message.epoch} / ${message.epochs}`;
        return this.receiveOwn(message);
      case 'checkpoint':
        return this.save(message);
      case 'loaded':
        setText(this.modelInfo, `Showing ${message.name}: ${message.description}.`);
        return this.receiveOwn(message);
      case 'error':
        if (message.where === 'data') return setText(this.dataInfo, message.message, 'error');
        if (message.where === 'load') return setText(this.modelInfo, message.message, 'error');
        if (message.where === 'classify') return this.receiveOwn(message);
        return setText(this.runInfo, message.message, 'error');
      default:
        return this.receiveOwn(message);
    }
  }

  private save(message: Message<'checkpoint'>): void {
    const url = URL.createObjectURL(new Blob([message.bytes], { type: 'application/octet-stream' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: message.fileName });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setText(this.runInfo, `Saved ${message.fileName}: ${this.usage(message.fileName)}`);
  }
}

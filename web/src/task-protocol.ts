// The messages between the page and the task worker (task-worker.ts), which trains the forecast and classify views'
// models. Each message names its view; the worker holds one run per view, so resetting one leaves the other alone.
// The page sends what the person chose; the worker answers with what to draw: summaries of the data, live
// evaluations on the validation part while training, the test part's when a run ends, class probabilities.
import type { FillMode } from '../../src/data/series.js';
import type { TokenKind } from '../../src/data/text.js';
import type { CellKind } from '../../src/train/index.js';
import type { FromWorker, RunState } from './protocol.js';

export type TaskView = 'forecast' | 'classify';

/** The built-in set of the view, or a file the person gave (its text, read in the page). */
export type DataChoice = { kind: 'builtin' } | { kind: 'upload'; name: string; text: string };

/** What the model and the training loop are; the rest are the library's defaults (FORECAST/CLASSIFY_DEFAULTS). */
export interface ModelChoice {
  cell: CellKind;
  hiddenSize: number;
  epochs: number;
  lr: number;
}

export interface ForecastChoice extends ModelChoice {
  target: string;
  /** Read the other numeric columns as inputs beside the target. */
  covariates: boolean;
  fill: FillMode;
  window: number;
  horizon: number;
}

export interface ClassifyChoice extends ModelChoice {
  /** The table's label and text columns (ignored for the built-in set). */
  label: string;
  text: string;
  tokens: TokenKind;
  bidirectional: boolean;
}

export type ToTaskWorker =
  | { type: 'data'; view: TaskView; data: DataChoice }
  | { type: 'columns'; view: 'classify'; label: string; text: string }
  | { type: 'start'; view: 'forecast'; choice: ForecastChoice }
  | { type: 'start'; view: 'classify'; choice: ClassifyChoice }
  | { type: 'pause'; view: TaskView }
  | { type: 'reset'; view: TaskView }
  | { type: 'download'; view: TaskView }
  | { type: 'load'; view: TaskView; bytes: ArrayBuffer; name: string }
  | { type: 'classify'; text: string };

/** The data of a view as read: its name, size, and the columns there are to choose from. */
export interface DataSummary {
  view: TaskView;
  source: string;
  builtin: boolean;
  /** One line for the person: rows, dates or classes. */
  description: string;
  /** Forecast: the numeric columns (targets to choose from); classify: every column of the table (none when built in). */
  columns: string[];
  /** The suggested choice: the target, or the label and text columns. */
  target?: string;
  label?: string;
  text?: string;
}

/** One row of the metrics table: the model or a baseline, in the data's units. */
export interface MetricsRow {
  name: string;
  mae: number;
  rmse: number;
  smape: number;
  mase: number;
}

/** Points [x, value]: x is a date's time in ms when the series has dates, else the row number. */
export type Line = Array<[number, number]>;

/** What the forecast view draws: one part's forecast over the truth and the metrics beside the baselines. */
export interface ForecastPicture {
  part: 'valid' | 'test';
  /** Says whose weights these are: "Epoch 3 of 30, batch 12", "The best epoch's weights (epoch 4 of 6)", a checkpoint's name. */
  note: string;
  /** Epochs done, fractional (for the chart of progress); null for an uploaded checkpoint's picture. */
  progress: number | null;
  target: string;
  dates: boolean;
  history: Line;
  truth: Line;
  forecast: Line;
  windows: number;
  rows: MetricsRow[];
}

/** What the classify view draws: one part's accuracy, macro F1 and confusion matrix beside the majority class. */
export interface ClassifyPicture {
  part: 'valid' | 'test';
  note: string;
  progress: number | null;
  labels: string[];
  count: number;
  accuracy: number;
  macroF1: number;
  /** confusion[i][j]: examples of class i predicted as j. */
  confusion: number[][];
  majority: { label: string; accuracy: number; macroF1: number };
}

export type FromTaskWorker =
  | Extract<FromWorker, { type: 'ready' | 'threads' }>
  | { type: 'data'; summary: DataSummary }
  | { type: 'state'; view: TaskView; state: RunState; note: string }
  | { type: 'run'; view: TaskView; description: string }
  | { type: 'progress'; view: TaskView; epoch: number; epochs: number; batch: number; batches: number; loss: number; itemsPerSec: number }
  | { type: 'forecast'; picture: ForecastPicture }
  | { type: 'classes'; picture: ClassifyPicture }
  | { type: 'probabilities'; text: string; label: string; probabilities: Array<[string, number]>; model: string }
  | { type: 'checkpoint'; view: TaskView; bytes: ArrayBuffer; fileName: string }
  | { type: 'loaded'; view: TaskView; name: string; description: string }
  | { type: 'error'; view: TaskView; where: 'data' | 'start' | 'train' | 'load' | 'download' | 'classify'; message: string };

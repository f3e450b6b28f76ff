// The forecast view inside the task worker: its data (the built-in births, or an uploaded CSV / TSV / JSON lines
// table read by the library's parsers, each problem one line naming the row and column), a run of the library's
// trainForecaster on the chosen column, and the picture the page draws: one part's forecast, a horizon at a time,
// over the truth (forecastLines, as the CLI's SVG), with MAE, RMSE, sMAPE and MASE beside the naive and
// seasonal-naive forecasts of the same windows (forecastReport).
import { birthsTable } from '../../src/data/series-births.js';
import { parseDate } from '../../src/data/series-dates.js';
import type { ForecastData } from '../../src/data/series-prepare.js';
import { seriesFromTable, type Series } from '../../src/data/series.js';
import { parseTable, type Table } from '../../src/data/table.js';
import {
  FORECAST_LOADER, describeTaskModel, forecastDataFor, forecastLines, forecastReport, seriesForTask, shortTaskModelName, trainForecaster,
  type ForecastMetrics, type ForecastTask, type TaskRunStart,
} from '../../src/train/index.js';
import type { DataChoice, ForecastChoice, Line, MetricsRow } from './task-protocol.js';
import { TaskSession } from './task-session.js';
import { TaskSlot, type Post } from './task-slot.js';

/** Rows of the part drawn (its last ones); the history before them is drawn too. */
const MAX_ROWS = 120;
/** Columns tried as targets; a wider table still trains on any of them by name. */
const MAX_COLUMNS = 64;

interface ChosenTable {
  table: Table;
  builtin: boolean;
  /** Columns that read as numbers (with gaps interpolated), in the table's order. */
  numeric: string[];
  series: Series;
}

const plural = (n: number, what: string): string => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

/** A column whose every cell is a date (the series' time axis, not a column to forecast). */
function isDateColumn(table: Table, k: number): boolean {
  return table.rows.every((row) => typeof row[k] === 'string' && parseDate(row[k] as string) !== null);
}

/**
 * The columns that can be forecast: each is read as the library reads a target (every cell a number, gaps filled
 * when asked). When none can, the first column that is not dates says why, in the library's words.
 */
export function numericColumns(table: Table): { numeric: string[]; series: Series } {
  const numeric: string[] = [];
  let first: Series | null = null;
  let why: string | null = null;
  for (const [k, column] of table.columns.slice(0, MAX_COLUMNS).entries()) {
    try {
      const series = seriesFromTable(table, { target: column, covariates: [], fill: 'linear' });
      numeric.push(column);
      first ??= series;
    } catch (err) {
      if (!isDateColumn(table, k)) why ??= (err as Error).message;
    }
  }
  if (first === null) throw new Error(why ?? `${table.source}: no column holds numbers to forecast`);
  return { numeric, series: first };
}

const describeRows = (series: Series): string => {
  const span = series.dates === null ? '' : `, ${series.dates[0]} to ${series.dates.at(-1)}`;
  return `${plural(series.length, 'row')}${span}`;
};

export class ForecastSlot extends TaskSlot<ForecastTask, ForecastData, ForecastChoice> {
  private chosen: ChosenTable | null = null;

  constructor(post: Post) {
    super('forecast', post, FORECAST_LOADER);
  }

  async data(choice: DataChoice): Promise<void> {
    this.chosen = null;
    const builtin = choice.kind === 'builtin';
    const table = builtin ? birthsTable((await import('virtual:builtin-births')).records) : parseTable(choice.text, { source: choice.name });
    const { numeric, series } = numericColumns(table);
    this.chosen = { table, builtin, numeric, series };
    const target = builtin ? 'births' : numeric[0]!;
    const others = numeric.length - 1;
    const description = `${describeRows(series)}; ${plural(numeric.length, 'numeric column')}${others > 0 && !builtin ? ` (the ${others} not forecast can be read as inputs)` : ''}`;
    this.post({ type: 'data', summary: { view: 'forecast', source: table.source, builtin, description, columns: numeric, target } });
  }

  private table(): ChosenTable {
    if (this.chosen === null) throw new Error('Choose the data first.');
    return this.chosen;
  }

  protected newSession(choice: ForecastChoice): TaskSession<ForecastTask, ForecastData> {
    const { table, numeric } = this.table();
    const covariates = choice.covariates ? numeric.filter((c) => c !== choice.target) : [];
    const series = seriesFromTable(table, { target: choice.target, covariates, fill: choice.fill });
    return new TaskSession(
      (controls) => trainForecaster(series, {
        window: choice.window, horizon: choice.horizon, fill: choice.fill,
        model: { cell: choice.cell, hiddenSize: choice.hiddenSize }, training: { epochs: choice.epochs, lr: choice.lr }, controls,
      }),
      (data) => ({ train: data.train, valid: data.valid.count > 0 ? data.valid : null }),
    );
  }

  protected describe({ task, data, trainCount, validCount }: TaskRunStart<ForecastTask, ForecastData>): string {
    const { settings } = task.info;
    const inputs = settings.columns.length > 1 ? ` with ${settings.columns.slice(1).join(', ')} as input` : '';
    return `${settings.columns[0]} from ${data.series.source}${inputs}: ${describeRows(data.series)}; windows of ${settings.window} → the next ${settings.horizon}; ` +
      `${plural(trainCount, 'training window')}, ${validCount.toLocaleString('en-US')} validation, ${data.test.count.toLocaleString('en-US')} test; ` +
      `season ${settings.season} (${settings.seasonSource}). ${describeTaskModel(task.info.config)}`;
  }

  protected draw(task: ForecastTask, data: ForecastData, want: 'valid' | 'test', note: string, progress: number | null): void {
    const part = data[want].count > 0 ? want : 'valid';
    const report = forecastReport(task, data, part);
    const lines = forecastLines(data, report, MAX_ROWS);
    const times = data.series.times;
    const at = (line: Line): Line => line.map(([row, v]) => [times === null ? row : times[row]!, v]);
    const row = (name: string, m: readonly ForecastMetrics[]): MetricsRow => ({ name, ...m[0]! });
    this.post({
      type: 'forecast',
      picture: {
        part, note, progress, target: report.targets[0]!, dates: times !== null, windows: report.windows,
        history: at(lines.history), truth: at(lines.truth), forecast: at(lines.forecast),
        rows: [row(shortTaskModelName(task.info.config), report.model), row('naive', report.naive), row(`seasonal naive (${report.season})`, report.seasonalNaive)],
      },
    });
  }

  /** The checkpoint's forecasts of the chosen data, read, cut and scaled as its own run did (seriesForTask, forecastDataFor). */
  protected drawLoaded(task: ForecastTask, name: string): void {
    const data = forecastDataFor(task, seriesForTask(this.table().table, task.info.settings));
    this.draw(task, data, 'test', name, null);
  }
}

// The forecast view: the series (the built-in daily US births, or an uploaded table whose column to forecast the
// person picks), the window, horizon and model, and while it trains the validation part's forecast drawn over the
// actual values with MAE, RMSE, sMAPE and MASE beside the naive and seasonal-naive forecasts; the test part's once
// the run ends (the best validation epoch's weights, as the CLI reports them).
import { FORECAST_DEFAULTS } from '../../src/train/defaults.js';
import { byId, setText } from './dom.js';
import { formatMetric } from './format.js';
import type { TaskClient } from './task-client.js';
import { ForecastChart } from './task-charts.js';
import type { DataSummary, ForecastChoice, ForecastPicture, FromTaskWorker } from './task-protocol.js';
import { TaskPanel } from './task-view.js';
import { readChoices } from './task-inputs.js';

export class ForecastView extends TaskPanel<ForecastChoice> {
  private readonly target = byId<HTMLSelectElement>('fc-target');
  private readonly covariates = byId<HTMLInputElement>('fc-covariates');
  private readonly fill = byId<HTMLSelectElement>('fc-fill');
  private readonly loss = byId('fc-loss');
  private readonly mae = byId('fc-mae');
  private readonly mase = byId('fc-mase');
  private readonly table = byId('fc-metrics-body');
  private readonly partTitle = byId('fc-part-title');
  private readonly chartInfo = byId('fc-chart-info');
  private chart: ForecastChart | null = null;

  constructor(client: TaskClient) {
    super('forecast', 'fc', client, ['fc-target', 'fc-covariates', 'fc-fill', 'fc-window', 'fc-horizon', 'fc-cell', 'fc-hidden', 'fc-epochs', 'fc-lr'].map((id) => byId<HTMLInputElement>(id)));
    byId<HTMLInputElement>('fc-window').value = String(FORECAST_DEFAULTS.window);
    byId<HTMLInputElement>('fc-horizon').value = String(FORECAST_DEFAULTS.horizon);
    byId<HTMLInputElement>('fc-epochs').value = String(FORECAST_DEFAULTS.epochs);
    byId<HTMLInputElement>('fc-lr').value = String(FORECAST_DEFAULTS.lr);
    byId<HTMLSelectElement>('fc-hidden').value = String(FORECAST_DEFAULTS.hiddenSize);
  }

  protected override show(): void {
    this.chart ??= new ForecastChart(byId('fc-chart'));
    super.show();
  }

  protected choice(): ForecastChoice | string {
    if (this.target.value === '') return 'Choose data with a numeric column to forecast first.';
    const read = readChoices('fc', { window: [1, 1024], horizon: [1, 512] });
    if (typeof read === 'string') return read;
    return { ...read, target: this.target.value, covariates: this.covariates.checked, fill: this.fill.value as ForecastChoice['fill'] };
  }

  protected showData(summary: DataSummary): void {
    const keep = this.target.value;
    this.target.replaceChildren(...summary.columns.map((c) => new Option(c, c)));
    this.target.value = summary.columns.includes(keep) && !summary.builtin ? keep : (summary.target ?? summary.columns[0] ?? '');
    // As the CLI: the built-in series has no covariates unless asked; a file's other numeric columns are read as inputs.
    this.covariates.checked = !summary.builtin && summary.columns.length > 1;
    this.covariates.parentElement!.hidden = summary.columns.length < 2;
  }

  protected clearData(): void {
    this.target.replaceChildren();
  }

  protected clearPictures(): void {
    this.chart?.clear();
    this.table.replaceChildren();
    for (const metric of [this.loss, this.mae, this.mase]) metric.textContent = '—';
    this.partTitle.textContent = 'Validation forecast';
    setText(this.chartInfo, '\u00a0');
  }

  protected receiveOwn(message: FromTaskWorker): void {
    if (message.type === 'progress') this.loss.textContent = message.loss.toFixed(4);
    else if (message.type === 'forecast') this.picture(message.picture);
  }

  private picture(p: ForecastPicture): void {
    this.chart?.show(p);
    const part = p.part === 'valid' ? 'validation' : 'test';
    this.partTitle.textContent = `${p.part === 'valid' ? 'Validation' : 'Test'} forecast`;
    const model = p.rows[0]!;
    this.mae.textContent = formatMetric(model.mae);
    this.mase.textContent = formatMetric(model.mase);
    setText(this.chartInfo, `${p.note}: ${p.windows.toLocaleString('en-US')} windows of the ${part} part; the forecast is drawn a horizon at a time.`);
    this.table.replaceChildren(...p.rows.map((row, k) => {
      const tr = document.createElement('tr');
      if (k === 0) tr.className = 'model';
      const cells = [row.name, formatMetric(row.mae), formatMetric(row.rmse), `${formatMetric(row.smape)}%`, formatMetric(row.mase)];
      tr.append(...cells.map((text, j) => Object.assign(document.createElement(j === 0 ? 'th' : 'td'), { textContent: text })));
      return tr;
    }));
    byId('fc-metrics-part').textContent = `${part} part, ${p.windows.toLocaleString('en-US')} windows`;
  }

  protected usage(fileName: string): string {
    const data = this.dataFlag();
    return `lstm eval --model ${fileName}${data} measures it on the test part, lstm predict --model ${fileName}${data} forecasts past the end.`;
  }
}

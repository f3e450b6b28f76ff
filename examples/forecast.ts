import { forecastNext, loadBirths, trainForecaster } from 'lstm-ts';

const series = await loadBirths(); // daily US births 2000-2014; your own data: parseSeries(csvText, { target: 'sales' })
const run = await trainForecaster(series, { window: 28, horizon: 7 }); // LSTM 64, loss mae, 30 epochs of Adam
const [model, baseline] = [run.test!.model[0]!, run.test!.seasonalNaive[0]!];
console.log(`test MAE ${model.mae.toFixed(1)} (MASE ${model.mase.toFixed(3)}); seasonal-naive MAE ${baseline.mae.toFixed(1)}`);
const next = forecastNext(run.task, series); // the 7 days after the data, in its units
next.dates!.forEach((date, k) => console.log(date, Math.round(next.values[k]!)));

// Tests for the task metrics and baselines: hand-computed cases, then random cases computed by numpy with the
// textbook formulas (test/fixtures/tasks/metrics.json, from scripts/tasks/make_metric_fixtures.py).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { autocorrelation } from '../src/data/index.js';
import {
  accuracy, baselineForecasts, confusionMatrix, f1PerClass, forecastMetrics, mae, macroF1, majorityBaseline, mase, naiveForecast, rmse,
  seasonalNaiveForecast, seasonalNaiveScale, smape, windowTruth,
} from '../src/train/index.js';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('MAE, RMSE, sMAPE by hand', () => {
  const y = [10, 20, 0, 40];
  const f = [12, 17, 0, 40];
  close(mae(y, f), (2 + 3 + 0 + 0) / 4);
  close(rmse(y, f), Math.sqrt((4 + 9) / 4));
  // sMAPE terms: 2*2/22, 2*3/37, 0 (0/0 counts as a perfect forecast), 0.
  close(smape(y, f), (100 / 4) * (4 / 22 + 6 / 37));
  close(smape([0], [5]), 200); // the largest a term can be
  assert.throws(() => mae([1, 2], [1]), /mae: 2 actual values but 1 predictions/);
  assert.throws(() => rmse([], []), /rmse: no values/);
});

test('MASE: the seasonal-naive scale of the training values, by hand', () => {
  const train = [1, 5, 2, 6, 3, 8];
  // season 2: |2-1| + |6-5| + |3-2| + |8-6| over 4 = 5/4; season 1: (4+3+4+3+5)/5.
  close(seasonalNaiveScale(train, 2), 5 / 4);
  close(seasonalNaiveScale(train, 1), 19 / 5);
  close(mase([10, 20], [11, 22], 5 / 4), 1.5 / 1.25);
  assert.throws(() => seasonalNaiveScale([1, 2], 2), /2 training values are too few for season 2/);
  assert.throws(() => seasonalNaiveScale([1, 2, 1, 2], 2), /repeat with period 2 exactly, so the scale is 0/);
  assert.throws(() => seasonalNaiveScale(train, 0), /season must be a positive integer/);
  assert.throws(() => mase([1], [1], 0), /scale must be a positive finite number/);
});

test('naive and seasonal-naive forecasts by hand, from any origin', () => {
  const y = [1, 2, 3, 4, 5, 6, 7];
  assert.deepEqual(Array.from(naiveForecast(y, 3)), [7, 7, 7]);
  // season 3: the last season is 5, 6, 7, repeated.
  assert.deepEqual(Array.from(seasonalNaiveForecast(y, 5, 3)), [5, 6, 7, 5, 6]);
  assert.deepEqual(Array.from(seasonalNaiveForecast(y, 2, 3, 4)), [2, 3]); // history y[0..4) = 1..4
  assert.throws(() => seasonalNaiveForecast([1, 2], 1, 3), /needs at least 3 past values, got 2/);
  assert.throws(() => seasonalNaiveForecast(y, 0, 1), /horizon must be a positive integer/);
  // Windows at origins 4 and 5 (first target rows), horizon 2, season 2.
  assert.deepEqual(Array.from(baselineForecasts(y, [4, 5], 2, 2)), [3, 4, 4, 5]);
  assert.deepEqual(Array.from(windowTruth(y, [4, 5], 2)), [5, 6, 6, 7]);
  assert.throws(() => windowTruth(y, [6], 2), /step 7 is past the series' 7 values/);
});

test('accuracy, confusion matrix, per-class and macro F1 by hand', () => {
  const actual = [0, 0, 1, 1, 2, 2];
  const predicted = [0, 1, 1, 1, 0, 2];
  close(accuracy(actual, predicted), 4 / 6);
  assert.deepEqual(confusionMatrix(actual, predicted, 3), [[1, 1, 0], [0, 2, 0], [1, 0, 1]]);
  // F1 = 2TP / (2TP + FP + FN): class 0: 2/(2+1+1); class 1: 4/(4+1+0); class 2: 2/(2+0+1).
  const f1 = f1PerClass(actual, predicted, 3);
  close(f1[0]!, 0.5);
  close(f1[1]!, 0.8);
  close(f1[2]!, 2 / 3);
  close(macroF1(actual, predicted, 3), (0.5 + 0.8 + 2 / 3) / 3);
  // A class neither present nor predicted has F1 0 and still counts in the macro mean (labels=range(C)).
  close(macroF1([0, 1], [0, 1], 3), 2 / 3);
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), /actual class 3 at 1 is out of range \[0, 3\)/);
  assert.throws(() => macroF1([0], [0.5], 2), /predicted class 0.5 at 0 is out of range/);
});

test('majorityBaseline: the most frequent training class predicted for all, ties to the lowest index', () => {
  const base = majorityBaseline([1, 1, 0, 2, 1], [0, 1, 1, 2], 3);
  assert.equal(base.label, 1);
  close(base.accuracy, 0.5);
  close(base.macroF1, (0 + 2 / 3 + 0) / 3); // class 1: TP 2, FP 2, FN 0
  assert.equal(majorityBaseline([0, 1], [0], 2).label, 0);
  assert.throws(() => majorityBaseline([], [0], 2), /no training classes/);
});

interface Fixture {
  forecast: { season: number; train: number[]; actual: number[]; predicted: number[]; scale: number; mae: number; rmse: number; smape: number; mase: number }[];
  seasonalNaive: { history: number[]; horizon: number; season: number; forecast: number[] }[];
  classes: { classes: number; actual: number[]; predicted: number[]; accuracy: number; confusion: number[][]; f1: number[]; macroF1: number }[];
  acf: { x: number[]; acf: number[] }[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/tasks/metrics.json', import.meta.url), 'utf8')) as Fixture;

test('forecast metrics equal numpy on random cases (zero pairs, small and large magnitudes)', () => {
  for (const c of fixture.forecast) {
    const scale = seasonalNaiveScale(c.train, c.season);
    close(scale, c.scale, 1e-13);
    const m = forecastMetrics(c.actual, c.predicted, scale);
    close(m.mae, c.mae, 1e-13);
    close(m.rmse, c.rmse, 1e-13);
    close(m.smape, c.smape, 1e-13);
    close(m.mase, c.mase, 1e-13);
  }
  for (const c of fixture.seasonalNaive) assert.deepEqual(Array.from(seasonalNaiveForecast(c.history, c.horizon, c.season)), c.forecast);
});

test('class metrics equal numpy (precision / recall path, zero_division 0) on random cases', () => {
  for (const c of fixture.classes) {
    close(accuracy(c.actual, c.predicted), c.accuracy);
    assert.deepEqual(confusionMatrix(c.actual, c.predicted, c.classes), c.confusion);
    Array.from(f1PerClass(c.actual, c.predicted, c.classes)).forEach((v, k) => close(v, c.f1[k]!, 1e-14));
    close(macroF1(c.actual, c.predicted, c.classes), c.macroF1, 1e-14);
  }
});

test('autocorrelation equals numpy correlate on a random walk', () => {
  for (const c of fixture.acf) Array.from(autocorrelation(c.x, c.acf.length - 1)).forEach((r, k) => close(r, c.acf[k]!, 1e-12));
});

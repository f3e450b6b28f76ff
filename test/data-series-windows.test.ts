// Tests for forecasting examples: the chronological split and its errors, windows that never let a training
// example see a validation or test value, the scaler (fitted on training rows only, inverse, JSON round trip),
// and the season (given, from the date step, from the autocorrelation).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  autocorrelation, chronologicalSplit, findSeason, lastWindow, makeWindows, parseSeries, prepareForecastData, Scaler, seasonFromAutocorrelation,
  windowOrigins, type Series,
} from '../src/data/index.js';

/** A series y_t = t (and a covariate 100 + t) over n rows, daily from 2024-01-01 when dated. */
function ramp(n: number, dated = false): Series {
  const rows = Array.from({ length: n }, (_, t) => (dated ? `${new Date(Date.UTC(2024, 0, 1 + t)).toISOString().slice(0, 10)},` : '') + `${t},${100 + t}`);
  return parseSeries(`${dated ? 'date,' : ''}y,x\n${rows.join('\n')}\n`, { target: 'y' });
}

test('chronologicalSplit: train, validation and test in time order; each part must hold a window', () => {
  assert.deepEqual(chronologicalSplit(100, 10, 2, { valid: 0.2, test: 0.1 }), { trainEnd: 70, validEnd: 90, length: 100 });
  assert.deepEqual(chronologicalSplit(100, 10, 2), { trainEnd: 80, validEnd: 90, length: 100 }); // 0.1 and 0.1 by default
  assert.deepEqual(chronologicalSplit(12, 10, 2, { valid: 0, test: 0 }), { trainEnd: 12, validEnd: 12, length: 12 });
  assert.throws(() => chronologicalSplit(11, 10, 2), /^Error: the series has 11 rows, fewer than window \+ horizon = 10 \+ 2$/);
  assert.throws(() => chronologicalSplit(30, 10, 5, { valid: 0.1, test: 0.1 }), /the validation part \(0.1 of 30 rows = 3\) is shorter than the horizon 5: it holds no window/);
  assert.throws(() => chronologicalSplit(40, 20, 2, { valid: 0.3, test: 0.3 }), /the training part has 16 rows, fewer than window \+ horizon = 20 \+ 2/);
  assert.throws(() => chronologicalSplit(40, 0, 2), /window must be a positive integer, got 0/);
  assert.throws(() => chronologicalSplit(40, 4, 1.5), /horizon must be a positive integer, got 1.5/);
  assert.throws(() => chronologicalSplit(40, 4, 1, { test: 1 }), /the test fraction must be in \[0, 1\), got 1/);
});

test('windows: x holds the window rows of every feature, y the next horizon target rows, step-major', () => {
  const s = ramp(20);
  const scaled = Float64Array.from(s.values); // identity "scaling" so values are row numbers
  const w = makeWindows(scaled, s, Int32Array.from([3, 10]), 3, 2);
  assert.equal(w.count, 2);
  assert.deepEqual(Array.from(w.x.subarray(0, 6)), [0, 100, 1, 101, 2, 102]); // rows 0..2, both features
  assert.deepEqual(Array.from(w.y), [3, 4, 10, 11]); // target only, rows t..t+1
  assert.throws(() => makeWindows(scaled, s, Int32Array.from([2]), 3, 2), /origin 2 leaves no room for window 3/);
  assert.throws(() => makeWindows(scaled, s, Int32Array.from([19]), 3, 2), /origin 19 leaves no room/);
  // The input of a forecast past the data: the last rows, all features.
  assert.deepEqual(Array.from(lastWindow(scaled, s, 2)), [18, 118, 19, 119]);
  assert.throws(() => lastWindow(scaled, s, 21), /the series has 20 rows, fewer than the window 21/);
});

test('windows never leak: training windows stay inside the training rows; each target row belongs to one part', () => {
  const n = 200;
  const window = 12;
  const horizon = 5;
  const split = chronologicalSplit(n, window, horizon, { valid: 0.15, test: 0.15 });
  const parts = { train: windowOrigins(split, 'train', window, horizon), valid: windowOrigins(split, 'valid', window, horizon), test: windowOrigins(split, 'test', window, horizon) };
  const bounds = { train: [0, split.trainEnd], valid: [split.trainEnd, split.validEnd], test: [split.validEnd, n] } as const;
  for (const [name, origins] of Object.entries(parts) as [keyof typeof bounds, Int32Array][]) {
    const [start, end] = bounds[name];
    assert.ok(origins.length > 0, name);
    for (const t of origins) {
      assert.ok(t >= start && t + horizon <= end, `${name} window at ${t} has its targets inside [${start}, ${end})`);
      if (name === 'train') assert.ok(t - window >= 0 && t + horizon <= split.trainEnd, 'training inputs and targets are training rows');
    }
    // Every origin whose targets fit in the part is used (stride 1), from the first that has a full window.
    assert.equal(origins[0], Math.max(start, window));
    assert.equal(origins[origins.length - 1], end - horizon);
  }
  assert.throws(() => windowOrigins(split, 'all' as 'train', window, horizon), /part must be 'train', 'valid' or 'test'/);
});

test('Scaler: fitted on the training rows only (population std, as scikit-learn), inverse and JSON round trip', () => {
  const s = ramp(10);
  const scaler = Scaler.fit(s, 4); // rows 0..3 of y = 0,1,2,3 and x = 100..103
  assert.deepEqual(Array.from(scaler.mean), [1.5, 101.5]);
  const std = Math.sqrt(1.25); // sqrt(mean((t - 1.5)^2)) over 0..3
  assert.ok(Math.abs(scaler.std[0]! - std) < 1e-15 && Math.abs(scaler.std[1]! - std) < 1e-15);
  const z = scaler.transform(s.values);
  assert.ok(Math.abs(z[0]! - -1.5 / std) < 1e-12);
  assert.ok(Math.abs(z[2 * 9]! - 7.5 / std) < 1e-12); // a test row scaled by training statistics, not its own
  const back = scaler.inverse(z);
  s.values.forEach((v, k) => assert.ok(Math.abs(back[k]! - v) < 1e-12));
  assert.deepEqual(Array.from(scaler.inverseTargets([z[0]!, z[2]!], 1)), [0, 1]);
  const again = Scaler.fromJSON(JSON.parse(JSON.stringify(scaler)));
  assert.deepEqual(again.toJSON(), scaler.toJSON());
  assert.throws(() => Scaler.fromJSON({ format: 'lstm-ts/vocab' }), /expected format 'lstm-ts\/scaler'/);
  assert.throws(() => Scaler.fromJSON({ ...scaler.toJSON(), std: [1, 0] }), /column 'x' has mean 101.5 and std 0; both must be finite and std > 0/);
  assert.throws(() => Scaler.fromJSON({ ...scaler.toJSON(), mean: [1] }), /2 columns need as many means and stds, got 1 and 2/);
});

test('Scaler: a covariate constant in training keeps std 1; a target constant in training is an error', () => {
  const s = parseSeries('y,x\n1,5\n2,5\n3,5\n9,6\n', { target: 'y' });
  assert.deepEqual(Array.from(Scaler.fit(s, 3).std.subarray(1)), [1]);
  const flat = parseSeries('y,x\n4,1\n4,2\n4,3\n5,4\n', { target: 'y' });
  assert.throws(() => Scaler.fit(flat, 3), /target column 'y' is constant over the training part \(4\): there is nothing to learn/);
});

test('autocorrelation matches the textbook formula; the season is found in it when no date says otherwise', () => {
  const x = [1, 3, 2, 5, 4];
  const mean = 3;
  const denom = x.reduce((a, v) => a + (v - mean) ** 2, 0);
  const r1 = x.slice(0, 4).reduce((a, v, t) => a + (v - mean) * (x[t + 1]! - mean), 0) / denom;
  const r = autocorrelation(x, 2);
  assert.equal(r[0], 1);
  assert.ok(Math.abs(r[1]! - r1) < 1e-15);
  // A period-12 pattern plus a trend and noise: 12 is the strongest significant ACF peak.
  let seed = 1;
  const noise = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.4;
  const monthly = Array.from({ length: 240 }, (_, t) => Math.sin((2 * Math.PI * t) / 12) + 0.002 * t + noise());
  assert.equal(seasonFromAutocorrelation(monthly), 12);
  assert.equal(seasonFromAutocorrelation(Array.from({ length: 100 }, (_, t) => t)), 1); // a trend has no peak
  assert.equal(seasonFromAutocorrelation(Array.from({ length: 200 }, () => noise())), 1); // white noise: none significant
});

test('findSeason: given, else the date step, else the autocorrelation of the training part, else 1', () => {
  const dated = ramp(60, true);
  assert.deepEqual(findSeason(dated, 40), { season: 7, source: 'date step' });
  assert.deepEqual(findSeason(dated, 40, 5), { season: 5, source: 'given' });
  assert.throws(() => findSeason(dated, 40, 0), /season must be a positive integer, got 0/);
  assert.throws(() => findSeason(dated, 40, 40), /season 40 is not shorter than the 40 training rows/);
  const wave = parseSeries(`y\n${Array.from({ length: 120 }, (_, t) => [0, 5, 9, 5, 1][t % 5]).join('\n')}\n`);
  assert.deepEqual(findSeason(wave, 100), { season: 5, source: 'autocorrelation' });
  assert.deepEqual(findSeason(ramp(60), 40), { season: 1, source: 'none' });
});

test('prepareForecastData: split, scaler from the training rows, windows of each part, season', () => {
  const s = ramp(100, true);
  const d = prepareForecastData(s, { window: 7, horizon: 3 });
  assert.deepEqual(d.split, { trainEnd: 80, validEnd: 90, length: 100 });
  assert.equal(d.scaler.mean[0], 39.5); // mean of 0..79
  assert.equal(d.train.count, 80 - 3 - 7 + 1);
  assert.equal(d.valid.count, 10 - 3 + 1);
  assert.equal(d.test.count, 8);
  assert.equal(d.train.x.length, d.train.count * 7 * 2);
  assert.equal(d.season, 7);
  // The last test window's target is the last three rows, scaled by the training statistics.
  const last = d.test.y.subarray((d.test.count - 1) * 3);
  assert.deepEqual(Array.from(d.scaler.inverseTargets(last, 1)).map((v) => Math.round(v * 1e4) / 1e4), [97, 98, 99]);
});

// The CLI's perplexity chart (src/cli/svg.ts): round ticks, a log axis when the range is wide, and points where
// the numbers say (a higher perplexity is drawn higher up, a later epoch further right).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceTicks, perplexitySvg } from '../src/cli/svg.js';
import type { EpochStats } from '../src/train/index.js';

const stats = (epoch: number, perplexity: number, valPerplexity: number | null = null) =>
  ({ epoch, loss: Math.log(perplexity), perplexity, valPerplexity, tokensPerSec: 1, seconds: 1 }) as unknown as EpochStats;

test('niceTicks: round steps of 1, 2 or 5 times a power of ten', () => {
  assert.deepEqual(niceTicks(3.2, 9.7), [4, 6, 8]);
  assert.deepEqual(niceTicks(0, 100), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(niceTicks(1, 2, 1), [1, 2]);
  assert.deepEqual(niceTicks(0.013, 0.052, 3), [0.02, 0.04]);
});

test('the chart draws each series where its numbers are, on a log axis when they span more than 20x', () => {
  const history = [stats(1, 900, 950), stats(2, 30, 40), stats(3, 12, 20)];
  const svg = perplexitySvg(history, { title: 'a <title> & more' });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(svg.includes('>a &lt;title&gt; &amp; more</text>'));
  const line = (color: string) => [...svg.matchAll(new RegExp(`<path d="([^"]*)" fill="none" stroke="${color}"`, 'g'))][0]![1]!
    .split(/[ML]/).filter(Boolean).map((p) => p.split(' ').map(Number));
  const train = line('#1f77b4'), valid = line('#ff7f0e');
  assert.equal(train.length, 3);
  assert.ok(train[0]![0]! < train[1]![0]! && train[1]![0]! < train[2]![0]!, 'epochs left to right');
  assert.ok(train[0]![1]! < train[1]![1]! && train[1]![1]! < train[2]![1]!, 'lower perplexity lower down');
  assert.ok(valid.every((p, k) => p[1]! < train[k]![1]!), 'validation above train');
  // Log scale: ticks at 1, 2 and 5 times powers of ten.
  for (const label of ['>20</text>', '>50</text>', '>100</text>', '>500</text>']) assert.ok(svg.includes(label), label);
  const linear = perplexitySvg([stats(1, 12), stats(2, 10)], { title: 't' });
  assert.equal(linear.includes('stroke="#ff7f0e"'), false, 'no validation line without a split');
  assert.ok(linear.includes('>train</text>'));
});

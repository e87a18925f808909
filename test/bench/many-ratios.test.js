// The many scenario's round-by-round ratios: grouping and the median [lowest..highest] summary (arithmetic only).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { manyRatios } from '../../dist/bench/driver/many-ratios.js';
import { ratioCell } from '../../dist/bench/driver/ratios.js';

const point = (server, round, idle, ratio, wake = 100) => ({
  scenario: 'many', server, variant: 'hot', round, idle, size: 1024, concurrency: 10, rps: 1000 * ratio,
  mibps: null, p50_us: null, p99_us: null, ratio_to_no_idle: ratio, wake_p50_us: idle ? wake : undefined,
});

test('each idle point keeps every round\'s ratio, summarised as median [lowest..highest]', () => {
  const rows = [1, 2, 3].flatMap((round) => [point('wasmux-wasmtime', round, 0, 1), point('wasmux-wasmtime', round, 5000, [0.7, 0.9, 0.8][round - 1], round * 10)]);
  const [m] = manyRatios(rows);
  assert.equal(m.rounds, [1, 2, 3]);
  assert.equal(m.wakeP50Us, [10, 20, 30]);
  assert.is(ratioCell(m.ratio), '0.80x [0.70..0.90]');
});

test('no-idle points and failed points are left out of the ratios', () => {
  const failed = { ...point('wasmux-node', 2, 5000, 0.5), error: 'server exited' };
  const ratios = manyRatios([point('wasmux-node', 1, 0, 1), point('wasmux-node', 1, 5000, 0.9), failed]);
  assert.is(ratios.length, 1);
  assert.equal(ratios[0].ratio, [0.9]);
});

test('servers, variants and idle counts are separate points', () => {
  const rows = [point('wasmux-node', 1, 5000, 0.9), point('wasmux-node', 1, 10000, 0.8), point('wasmux-wasmtime', 1, 5000, 0.7),
    { ...point('wasmux-node', 1, 5000, 0.6), variant: 'baseline' }];
  assert.equal(manyRatios(rows).map((m) => `${m.server} ${m.variant} ${m.idle}`),
    ['wasmux-node hot 5000', 'wasmux-node hot 10000', 'wasmux-wasmtime hot 5000', 'wasmux-node baseline 5000']);
});

test.run();

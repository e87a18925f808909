// The bench's latency and ratio arithmetic: merging the client processes' histograms, nearest-rank percentiles,
// and the round-by-round echo ratios (every round counted, hosts compared with the peer on their own Node).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mergeHistograms, percentile } from '../../dist/bench/driver/latency.js';
import { echoRatios, median, ratioCell } from '../../dist/bench/driver/ratios.js';

test('merging histograms sums the counts of equal buckets and sorts the buckets', () => {
  const merged = mergeHistograms([
    [[10, 2], [30, 1]],
    [[20, 5], [10, 3]],
  ]);
  assert.equal(merged, [[10, 5], [20, 5], [30, 1]]);
});

test('the percentile of an empty histogram is 0', () => {
  assert.is(percentile([], 0.99), 0);
});

test('the p50 and p99 of 100 samples are the 50th and 99th smallest (nearest rank)', () => {
  /** @type {Array<[number, number]>} */
  const hist = [];
  for (let i = 1; i <= 100; i++) hist.push([i, 1]);
  assert.is(percentile(hist, 0.5), 50);
  assert.is(percentile(hist, 0.99), 99);
  assert.is(percentile(hist, 1), 100);
});

test('a p99 falls in the bucket whose cumulative count first reaches 99 % of the samples', () => {
  // 980 fast samples, 15 at 500 us, 5 at 9000 us: the 990th sample is at 500 us.
  assert.is(percentile([[12.5, 980], [500, 15], [9000, 5]], 0.99), 500);
  assert.is(percentile([[12.5, 980], [500, 15], [9000, 5]], 0.5), 12.5);
  // One more slow sample moves the 990th into the slowest bucket.
  assert.is(percentile([[12.5, 980], [500, 9], [9000, 11]], 0.99), 9000);
});

test('a tiny p never selects below the first sample', () => {
  assert.is(percentile([[0, 0], [7, 3]], 0.0001), 7);
});

test('the median of an odd count is the middle value and of an even count the mean of the middle two', () => {
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

/** An echo row as the bench writes it. */
const row = (server, round, rps, p99) => ({ scenario: 'echo', server, size: 1024, concurrency: 10, round, rps, mibps: 1, p50_us: 1, p99_us: p99 });

test('echo ratios divide each round of the host by the same round of the peer, every round counted', () => {
  const ratios = echoRatios([
    row('wasmux-node', 1, 50, 200), row('node-net', 1, 100, 100),
    row('wasmux-node', 2, 90, 100), row('node-net', 2, 90, 100),
    row('wasmux-node', 3, 80, 300), row('node-net', 3, 100, 200),
  ]);
  assert.is(ratios.length, 1);
  assert.equal(ratios[0].rounds, [1, 2, 3]);
  assert.equal(ratios[0].rps, [0.5, 1, 0.8]);
  assert.equal(ratios[0].p99, [2, 1, 1.5]);
  assert.is(ratioCell(ratios[0].rps), '0.80x [0.50..1.00]');
  assert.is(ratioCell(ratios[0].p99), '1.50x [1.00..2.00]');
});

test('a round that failed on either side is left out of the ratios', () => {
  const ratios = echoRatios([
    row('wasmux-node', 1, 50, 200), row('node-net', 1, 100, 100),
    row('wasmux-node', 2, 90, 100), { ...row('node-net', 2, null, null), error: 'node-net exited' },
  ]);
  assert.is(ratios.length, 1);
  assert.equal(ratios[0].rounds, [1]);
  assert.is(ratioCell(ratios[0].rps), '0.50x');
});

test('a host on one Node is compared with the peer on the same Node, under the peer kind as its column', () => {
  const ratios = echoRatios([
    row('wasmux-node@20', 1, 60, 300), row('wasmux-node@26', 1, 90, 150),
    row('node-net@20', 1, 100, 100), row('node-net@26', 1, 100, 100), row('c-epoll', 1, 120, 50),
  ]);
  const pairs = ratios.map((r) => `${r.host}/${r.peer}/${r.column}`).sort();
  assert.equal(pairs, [
    'wasmux-node@20/c-epoll/c-epoll', 'wasmux-node@20/node-net@20/node-net',
    'wasmux-node@26/c-epoll/c-epoll', 'wasmux-node@26/node-net@26/node-net',
  ]);
  assert.equal(ratios.find((r) => r.host === 'wasmux-node@26' && r.column === 'node-net')?.p99, [1.5]);
});

test.run();

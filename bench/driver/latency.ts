// Latency percentiles from the echo client's histograms: each client process reports a sparse histogram of
// round-trip times as [bucket lower bound in us, count] pairs (bench/peers/echo-client.c); the processes of one
// point are merged bucket by bucket and read with the nearest-rank rule.

/** A sparse histogram: [lower bound of the bucket in microseconds, number of samples in it]. */
export type Histogram = Array<[number, number]>;

/** Sums histograms bucket by bucket; the result is sorted by bucket. */
export function mergeHistograms(hists: Histogram[]): Histogram {
  const sum = new Map<number, number>();
  for (const h of hists) for (const [us, n] of h) sum.set(us, (sum.get(us) ?? 0) + n);
  return [...sum.entries()].sort((a, b) => a[0] - b[0]);
}

/**
 * The p-quantile (0 < p <= 1) by nearest rank: the bucket of the ceil(p x total)-th smallest sample, i.e. the
 * smallest bucket with at least that fraction of samples at or below it. 0 for an empty histogram.
 */
export function percentile(sorted: Histogram, p: number): number {
  const total = sorted.reduce((s, [, c]) => s + c, 0);
  if (total === 0) return 0;
  const want = Math.max(1, Math.ceil(total * p));
  let acc = 0;
  for (const [us, c] of sorted) {
    acc += c;
    if (acc >= want) return us;
  }
  return sorted[sorted.length - 1][0];
}

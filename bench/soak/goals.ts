// The soak's goals per host+server pair, and the one line per miss: 0 bytes lost, 0 unexpected errors, RSS
// growth after the first minute under 5 %. RSS growth compares the last sample taken under traffic with the
// first one at or after a minute; a run too short for two such samples does not judge RSS.
import type { Sample } from './rss.js';

/** Samples before this many seconds are warm-up (allocators, JIT, the store filling up). */
export const RSS_BASELINE_S = 60;
/** Largest RSS growth after the baseline, in percent. */
export const RSS_GROWTH_LIMIT_PCT = 5;

export interface RssSummary {
  first_kib: number | null;
  baseline_t_s: number | null;
  baseline_kib: number | null;
  last_kib: number | null;
  max_kib: number | null;
  /** Growth from the baseline to the last sample under traffic; null when the run is too short to judge. */
  growth_pct: number | null;
  /**
   * Growth over the second half of the run (not a goal): a leak keeps growing there, a heap that is still
   * sizing itself after the first minute has levelled off.
   */
  second_half_growth_pct: number | null;
}

const pct = (from: number, to: number) => Math.round(((to - from) / from) * 1000) / 10;

/** Summarises samples (the last one taken when traffic stopped). */
export function summariseRss(samples: Sample[]): RssSummary {
  const known = samples.filter((s) => s.rss_kib !== null) as Array<Sample & { rss_kib: number }>;
  const base = known.find((s) => s.t_s >= RSS_BASELINE_S) ?? null;
  const last = known[known.length - 1] ?? null;
  const judged = base !== null && last !== null && last !== base;
  const half = last ? known.find((s) => s.t_s >= last.t_s / 2) ?? null : null;
  return {
    first_kib: known[0]?.rss_kib ?? null,
    baseline_t_s: base?.t_s ?? null,
    baseline_kib: base?.rss_kib ?? null,
    last_kib: last?.rss_kib ?? null,
    max_kib: known.length ? Math.max(...known.map((s) => s.rss_kib)) : null,
    growth_pct: judged ? pct(base.rss_kib, last.rss_kib) : null,
    second_half_growth_pct: judged && half !== null && half !== last ? pct(half.rss_kib, last.rss_kib) : null,
  };
}

/** What a pair's goals are judged on. */
export interface Judged {
  host: string;
  server: string;
  error: string | null;
  ops: number;
  bytes_lost: number;
  bytes_wrong: number;
  unexpected_errors: number;
  error_samples: string[];
  rss: RssSummary;
}

const mib = (kib: number | null) => (kib === null ? '?' : (kib / 1024).toFixed(1));

/** One line per missed goal of a pair (empty: every goal met). */
export function misses(p: Judged): string[] {
  const who = `${p.host} ${p.server}`;
  if (p.error) return [`${who}: ${p.error}`];
  const out: string[] = [];
  if (p.bytes_lost > 0) out.push(`${who}: ${p.bytes_lost} bytes lost`);
  if (p.bytes_wrong > 0) out.push(`${who}: ${p.bytes_wrong} bytes wrong`);
  if (p.unexpected_errors > 0) out.push(`${who}: ${p.unexpected_errors} unexpected errors, first: ${p.error_samples[0] ?? '?'}`);
  if (p.ops === 0) out.push(`${who}: no exchange completed`);
  const g = p.rss.growth_pct;
  if (g !== null && g >= RSS_GROWTH_LIMIT_PCT) {
    out.push(`${who}: RSS grew ${g} % after ${p.rss.baseline_t_s} s (${mib(p.rss.baseline_kib)} -> ${mib(p.rss.last_kib)} MiB), goal < ${RSS_GROWTH_LIMIT_PCT} %`);
  }
  return out;
}

// The soak's goals per host+server pair, and the one line per miss: 0 bytes lost, 0 unexpected errors, RSS
// growth after the first minute < 5 %, measured from the first sample at or after 60 s to the last sample under
// traffic. A run too short to have a sample after the first minute is not judged on RSS. Reported beside it, not
// judged: the highest RSS of the second half against the highest of the first (from the first minute on), which
// tells a level that rose once from one that keeps rising.
import type { Sample } from './rss.js';

/** RSS is judged from the first sample at or after this many seconds: before, allocators, JIT and stores fill. */
export const RSS_BASELINE_S = 60;
/** Largest RSS growth after the first minute, in percent. */
export const RSS_GROWTH_LIMIT_PCT = 5;

export interface RssSummary {
  first_kib: number | null;
  /** The first sample at or after RSS_BASELINE_S (the baseline of the goal) and when it was taken. */
  minute_t_s: number | null;
  minute_kib: number | null;
  /** The last sample, taken when traffic stopped. */
  last_kib: number | null;
  max_kib: number | null;
  /** Growth from minute_kib to last_kib (the goal); null when the run is too short to judge. */
  growth_pct: number | null;
  /** Not a goal: the highest sample of the second half against the highest of the first (from RSS_BASELINE_S). */
  halves_growth_pct: number | null;
}

const pct = (from: number, to: number) => Math.round(((to - from) / from) * 1000) / 10;

type Known = Sample & { rss_kib: number };

/** The highest RSS among samples, or null for none. */
function highest(samples: Known[]): number | null {
  return samples.length ? Math.max(...samples.map((s) => s.rss_kib)) : null;
}

/** Summarises samples (the last one taken when traffic stopped). */
export function summariseRss(samples: Sample[]): RssSummary {
  const known = samples.filter((s) => s.rss_kib !== null) as Known[];
  const last = known[known.length - 1] ?? null;
  const minute = known.find((s) => s.t_s >= RSS_BASELINE_S) ?? null;
  const judged = minute !== null && last !== null && last !== minute;
  const half = last ? last.t_s / 2 : 0;
  const firstHalf = highest(known.filter((s) => s.t_s >= RSS_BASELINE_S && s.t_s < half));
  const secondHalf = highest(known.filter((s) => s.t_s >= half && s.t_s >= RSS_BASELINE_S));
  return {
    first_kib: known[0]?.rss_kib ?? null,
    minute_t_s: minute?.t_s ?? null,
    minute_kib: minute?.rss_kib ?? null,
    last_kib: last?.rss_kib ?? null,
    max_kib: highest(known),
    growth_pct: judged ? pct(minute.rss_kib, last.rss_kib) : null,
    halves_growth_pct: firstHalf !== null && secondHalf !== null ? pct(firstHalf, secondHalf) : null,
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
    out.push(`${who}: RSS grew ${g} % after the first minute (${mib(p.rss.minute_kib)} MiB at ${p.rss.minute_t_s} s, ${mib(p.rss.last_kib)} MiB at the end), goal < ${RSS_GROWTH_LIMIT_PCT} %`);
  }
  return out;
}

// The soak's goals per host+server pair, and the one line per miss: 0 bytes lost, 0 unexpected errors, RSS
// growth after warm-up under 5 %. The run is cut in two halves (the first starting at the first minute): the
// highest RSS of the second half, last sample under traffic included, is judged against the highest of the first.
// A leak keeps raising the level through the second half. What does not: a heap that sized itself during the first
// half (on the Node host, V8 doubles its young generation up to a fixed maximum by the bytes that survive its
// scavenges, so when depends on how much work the server did, not on the clock: up to two minutes on a machine
// shared by eight pairs), and a heap that breathes (V8 shrinks and regrows it by several MiB as the load varies,
// which made two single samples differ by 9 % on a 60 MiB server that never left its range). A run too short for
// both halves is not judged. The growth from the first minute to the end is reported beside it.
import type { Sample } from './rss.js';

/** The first half (warm-up) starts this many seconds in: before, allocators, JIT and stores are still filling. */
export const RSS_BASELINE_S = 60;
/** Largest RSS growth after warm-up, in percent. */
export const RSS_GROWTH_LIMIT_PCT = 5;

export interface RssSummary {
  first_kib: number | null;
  /** The highest sample of the first half (from RSS_BASELINE_S to half the run; at least the first sample after
   *  RSS_BASELINE_S) and when it was taken. */
  baseline_t_s: number | null;
  baseline_kib: number | null;
  /** The highest sample of the second half, the last one under traffic included. */
  peak_kib: number | null;
  last_kib: number | null;
  max_kib: number | null;
  /** Growth from baseline_kib to peak_kib (the goal); null when the run is too short to judge. */
  growth_pct: number | null;
  /** The first sample at or after RSS_BASELINE_S, and the growth from it to the last sample (not a goal: on the
   *  Node host it includes the heap still sizing itself). */
  minute_kib: number | null;
  minute_growth_pct: number | null;
}

const pct = (from: number, to: number) => Math.round(((to - from) / from) * 1000) / 10;

type Known = Sample & { rss_kib: number };

/** The sample with the highest RSS (the first of equals), or null for none. */
function highest(samples: Known[]): Known | null {
  let top: Known | null = null;
  for (const s of samples) if (top === null || s.rss_kib > top.rss_kib) top = s;
  return top;
}

/** Summarises samples (the last one taken when traffic stopped). */
export function summariseRss(samples: Sample[]): RssSummary {
  const known = samples.filter((s) => s.rss_kib !== null) as Known[];
  const last = known[known.length - 1] ?? null;
  const minute = known.find((s) => s.t_s >= RSS_BASELINE_S) ?? null;
  const half = last ? last.t_s / 2 : 0;
  let first = known.filter((s) => s.t_s >= RSS_BASELINE_S && s.t_s < half);
  if (first.length === 0 && minute !== null) first = [minute];
  const second = first.length ? known.filter((s) => s.t_s > first[first.length - 1].t_s) : [];
  const base = highest(first);
  const peak = highest(second);
  return {
    first_kib: known[0]?.rss_kib ?? null,
    baseline_t_s: base?.t_s ?? null,
    baseline_kib: base?.rss_kib ?? null,
    peak_kib: peak?.rss_kib ?? null,
    last_kib: last?.rss_kib ?? null,
    max_kib: highest(known)?.rss_kib ?? null,
    growth_pct: base !== null && peak !== null ? pct(base.rss_kib, peak.rss_kib) : null,
    minute_kib: minute?.rss_kib ?? null,
    minute_growth_pct: minute !== null && last !== null && last !== minute ? pct(minute.rss_kib, last.rss_kib) : null,
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
    out.push(`${who}: RSS grew ${g} % after warm-up (highest ${mib(p.rss.baseline_kib)} MiB in the first half, ${mib(p.rss.peak_kib)} MiB in the second), goal < ${RSS_GROWTH_LIMIT_PCT} %`);
  }
  return out;
}

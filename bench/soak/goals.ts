// The soak's goals per host+server pair, and the one line per miss: 0 bytes lost, 0 unexpected errors, RSS
// growth after warm-up under 5 %. Warm-up is the first half of the run, and at least its first minute: the RSS
// growth is judged from the first sample at or after that point to the last sample taken under traffic. A run
// too short for two such samples does not judge RSS. Why half: on the Node host, V8 sizes its young generation by
// the bytes that survive its scavenges (it doubles up to a fixed maximum, then stays), so how soon the server's
// memory reaches its level depends on how much work it did, not on the clock; on a machine shared by eight pairs
// that took up to a few minutes (docs/soak.md shows the heap spaces). A leak keeps growing through the second
// half; a heap that finished sizing itself does not. The growth from the first minute is reported beside it.
import type { Sample } from './rss.js';

/** Warm-up lasts at least this many seconds (allocators, JIT, the store filling up). */
export const RSS_BASELINE_S = 60;
/** Largest RSS growth after warm-up, in percent. */
export const RSS_GROWTH_LIMIT_PCT = 5;

export interface RssSummary {
  first_kib: number | null;
  /** The sample growth is judged from: the first at or after the later of RSS_BASELINE_S and half the run. */
  baseline_t_s: number | null;
  baseline_kib: number | null;
  last_kib: number | null;
  max_kib: number | null;
  /** Growth from the baseline to the last sample under traffic (the goal); null when the run is too short. */
  growth_pct: number | null;
  /** The first sample at or after RSS_BASELINE_S, and the growth from it to the end (not a goal: it includes
   *  the Node host's heap still sizing itself on a busy machine). */
  minute_kib: number | null;
  minute_growth_pct: number | null;
}

const pct = (from: number, to: number) => Math.round(((to - from) / from) * 1000) / 10;

/** Summarises samples (the last one taken when traffic stopped). */
export function summariseRss(samples: Sample[]): RssSummary {
  const known = samples.filter((s) => s.rss_kib !== null) as Array<Sample & { rss_kib: number }>;
  const last = known[known.length - 1] ?? null;
  const from = Math.max(RSS_BASELINE_S, last ? last.t_s / 2 : 0);
  const base = known.find((s) => s.t_s >= from) ?? null;
  const minute = known.find((s) => s.t_s >= RSS_BASELINE_S) ?? null;
  const judged = base !== null && last !== null && last !== base;
  return {
    first_kib: known[0]?.rss_kib ?? null,
    baseline_t_s: base?.t_s ?? null,
    baseline_kib: base?.rss_kib ?? null,
    last_kib: last?.rss_kib ?? null,
    max_kib: known.length ? Math.max(...known.map((s) => s.rss_kib)) : null,
    growth_pct: judged ? pct(base.rss_kib, last.rss_kib) : null,
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
    out.push(`${who}: RSS grew ${g} % after warm-up, from ${p.rss.baseline_t_s} s (${mib(p.rss.baseline_kib)} -> ${mib(p.rss.last_kib)} MiB), goal < ${RSS_GROWTH_LIMIT_PCT} %`);
  }
  return out;
}

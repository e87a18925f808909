// The many scenario's ratios, round by round: each idle point divided by the no-idle point that the same server
// process measured just before it in the same round, so that a slow spell of this shared machine weighs on both
// sides of a ratio. Every round counts; the summary is the median with the lowest and highest, never a best-of.
import type { Row } from './types.js';

/** One server x guest variant x idle count: its ratio and idle-connection wake-up p50 of every round. */
export interface ManyRatio {
  server: string;
  variant: string;
  idle: number;
  rounds: number[];
  /** req/s with `idle` idle connections / the same round's no-idle req/s. */
  ratio: number[];
  /** Wake-up latency p50 of an idle connection (us), per round; null where no probe was answered. */
  wakeP50Us: Array<number | null>;
}

/** Every idle point of the many rows that completed, grouped across rounds, in order of first appearance. */
export function manyRatios(rows: Row[]): ManyRatio[] {
  const out = new Map<string, ManyRatio>();
  for (const r of rows) {
    const idle = Number(r.idle ?? 0);
    if (r.scenario !== 'many' || r.error || !(idle > 0) || typeof r.ratio_to_no_idle !== 'number') continue;
    const variant = String(r.variant ?? '-');
    const key = `${r.server}|${variant}|${idle}`;
    let e = out.get(key);
    if (!e) {
      e = { server: r.server, variant, idle, rounds: [], ratio: [], wakeP50Us: [] };
      out.set(key, e);
    }
    e.rounds.push(Number(r.round ?? 1));
    e.ratio.push(r.ratio_to_no_idle);
    e.wakeP50Us.push(typeof r.wake_p50_us === 'number' ? r.wake_p50_us : null);
  }
  return [...out.values()];
}

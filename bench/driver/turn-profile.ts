// Reads the Node host's per-turn profile (WASMUX_PROFILE, see host/wait/profile.ts) around one echo point and
// turns the difference of its cumulative counters into per-turn figures for the result row.
import { existsSync, readFileSync } from 'node:fs';
import type { ProfileCounters } from '../../host/wait/profile.js';

/** The counters in `file` now, or null when the host has not written them yet. The host rewrites the file in
 *  place, so a read can land between its truncation and its write: such a read is retried. */
export function readProfile(file: string): ProfileCounters | null {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (!existsSync(file)) return null;
    try { return JSON.parse(readFileSync(file, 'utf8')) as ProfileCounters; } catch { /* caught mid-rewrite: read again */ }
  }
  return null;
}

/** Per-turn figures (a turn = one poll_oneoff call) over the window from `a` to `b`; fields for a Row. */
export function turnFigures(a: ProfileCounters | null, b: ProfileCounters | null): Record<string, number> {
  if (!a || !b) return {};
  const d = (k: keyof ProfileCounters) => b[k] - a[k];
  const turns = d('polls');
  if (turns <= 0) return {};
  const us = (k: keyof ProfileCounters) => Math.round((d(k) / turns / 1000) * 100) / 100;
  const ticks = d('lag_ticks');
  return {
    turns: turns, turn_events: Math.round((d('events') / turns) * 100) / 100, turn_waits: Math.round((d('waits') / turns) * 100) / 100,
    turn_idle_us: us('idle_ns'), turn_wake_us: us('wake_ns'), turn_poll_us: us('poll_ns'), turn_recv_us: us('recv_ns'),
    turn_guest_us: us('guest_ns'), turn_send_us: us('send_ns'),
    recv_per_turn: Math.round((d('recv_calls') / turns) * 100) / 100, send_per_turn: Math.round((d('send_calls') / turns) * 100) / 100,
    lag_mean_ms: ticks > 0 ? Math.round(d('lag_sum_ns') / ticks / 1e4) / 100 : 0,
    lag_over_10ms: d('lag_over_10ms'), lag_over_100ms: d('lag_over_100ms'),
  };
}

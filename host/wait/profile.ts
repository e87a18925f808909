// Per-turn profile of the Node host, on only when WASMUX_PROFILE names a file: where the time of one guest turn
// (one poll_oneoff call and the work the guest does until the next) goes. Counters are cumulative since start and
// rewritten to that file as JSON about every 250 ms and at exit, so that a reader (the bench) can take the
// difference over a window. Off, every hook is one null check.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Cumulative counters; times are in nanoseconds (from performance.now(), sub-microsecond resolution). */
export interface ProfileCounters {
  /** poll_oneoff calls, and those of them that suspended the guest. */
  polls: number;
  waits: number;
  /** Events returned by poll_oneoff. */
  events: number;
  /** Host time inside poll_oneoff's own scans (parse, readiness, event writing). */
  poll_ns: number;
  /** Suspended with nothing to do: from the wait's start to the first change that ends it. */
  idle_ns: number;
  /** Wake-up: from that first change to the guest's poll looking again (setImmediate batching + resume). */
  wake_ns: number;
  /** Guest time: from poll_oneoff's answer to its next call, minus the recv/send time inside it. */
  guest_ns: number;
  /** Copy in: sock_recv/fd_read on streams (calls, bytes, time). */
  recv_calls: number;
  recv_bytes: number;
  recv_ns: number;
  /** Copy out and write: sock_send/fd_write on streams (gather + socket.write). */
  send_calls: number;
  send_bytes: number;
  send_ns: number;
  /** Embedder's timer lag: how late a 10 ms setInterval beside the guest fires (ticks, sum in ns, ticks later
   *  than 10 / 50 / 100 ms; the max is since start, compile included). */
  lag_ticks: number;
  lag_sum_ns: number;
  lag_over_10ms: number;
  lag_over_50ms: number;
  lag_over_100ms: number;
  lag_max_ns: number;
}

const TICK_MS = 10;

/** The profile of this process; see profile below. */
export class TurnProfile {
  readonly c: ProfileCounters = {
    polls: 0, waits: 0, events: 0, poll_ns: 0, idle_ns: 0, wake_ns: 0, guest_ns: 0, recv_calls: 0, recv_bytes: 0,
    recv_ns: 0, send_calls: 0, send_bytes: 0, send_ns: 0, lag_ticks: 0, lag_sum_ns: 0, lag_over_10ms: 0, lag_over_50ms: 0,
    lag_over_100ms: 0, lag_max_ns: 0,
  };
  /** When poll_oneoff last answered (ms, performance.now()); 0 before the first call. */
  private answeredAt = 0;
  /** recv+send time since that answer, subtracted from the guest time. */
  private ioSince = 0;
  /** Start of the current wait and the first change seen during it (ms; 0 = none). */
  private waitStart = 0;
  private raisedAt = 0;

  constructor(private readonly file: string) {
    let expected = performance.now() + TICK_MS;
    const tick = setInterval(() => {
      const now = performance.now();
      const lag = Math.max(0, now - expected) * 1e6;
      this.c.lag_ticks++;
      this.c.lag_sum_ns += lag;
      if (lag > 10e6) this.c.lag_over_10ms++;
      if (lag > 50e6) this.c.lag_over_50ms++;
      if (lag > 100e6) this.c.lag_over_100ms++;
      if (lag > this.c.lag_max_ns) this.c.lag_max_ns = lag;
      expected = now + TICK_MS;
    }, TICK_MS);
    tick.unref();
    const dump = setInterval(() => this.write(), 250);
    dump.unref();
    process.on('exit', () => this.write());
  }

  /** Entry of poll_oneoff: closes the guest interval. Returns the time for pollDone. */
  pollStart(): number {
    const t = performance.now();
    this.c.polls++;
    if (this.answeredAt > 0) this.c.guest_ns += Math.max(0, (t - this.answeredAt) * 1e6 - this.ioSince);
    this.ioSince = 0;
    return t;
  }

  /** poll_oneoff's own work from `t0` to now. */
  pollWork(t0: number): void {
    this.c.poll_ns += (performance.now() - t0) * 1e6;
  }

  /** poll_oneoff answers `n` events now: the guest interval starts. */
  pollAnswer(n: number): void {
    this.c.events += n;
    this.answeredAt = performance.now();
  }

  /** The guest suspends. */
  waitBegin(): void {
    this.c.waits++;
    this.waitStart = performance.now();
    this.raisedAt = 0;
  }

  /** A change arrived (the first one during a wait starts the wake-up interval). */
  raised(): void {
    if (this.waitStart > 0 && this.raisedAt === 0) this.raisedAt = performance.now();
  }

  /** The wait ended and poll looks again. */
  waitEnd(): void {
    const now = performance.now();
    const raised = this.raisedAt || now; // timer or yield wake-ups: all idle
    this.c.idle_ns += (raised - this.waitStart) * 1e6;
    this.c.wake_ns += (now - raised) * 1e6;
    this.waitStart = 0;
    this.raisedAt = 0;
  }

  /** A stream recv (`send` false) or send that moved `bytes`, started at `t0`. */
  io(send: boolean, t0: number, bytes: number): void {
    const ns = (performance.now() - t0) * 1e6;
    this.ioSince += ns;
    if (send) { this.c.send_calls++; this.c.send_bytes += Math.max(0, bytes); this.c.send_ns += ns; } else {
      this.c.recv_calls++; this.c.recv_bytes += Math.max(0, bytes); this.c.recv_ns += ns;
    }
  }

  private write(): void {
    try { writeFileSync(this.file, JSON.stringify(this.c)); } catch { /* a profile must never stop the host */ }
  }
}

/** The process's profile when WASMUX_PROFILE is set (a file path), else null. */
export const profile: TurnProfile | null = process.env.WASMUX_PROFILE ? new TurnProfile(process.env.WASMUX_PROFILE) : null;

/** The current time for profile.io, or 0 when profiling is off. */
export const profNow = (): number => (profile ? performance.now() : 0);

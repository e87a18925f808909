// Suspends a blocking import until something in the instance changes, a deadline passes, or the host stops.
//
// Batching: a change does not wake the guest at once but on the next setImmediate, i.e. after every I/O callback
// of the current event-loop turn has run. Node runs microtasks after each I/O callback, so waking at once would
// resume the guest once per socket (one full suspend/resume cycle per message); waking in the check phase lets
// the guest find every socket that became ready in this turn with one poll. The check phase follows the poll
// phase of the same turn, so a lone client pays only one setImmediate of latency.
//
// Pacing: a guest whose blocking imports all answer at once (sock_recv saying AGAIN in a loop, poll_oneoff with a
// zero timeout, ...) never suspends, and a guest that never suspends keeps Node's event loop to itself: no I/O
// callback and no timer of the embedder would run, and the data it spins for would never arrive. pace() bounds
// that: once the guest has run SLICE_MS since it last got control back, the next blocking import answered at once
// suspends for one event-loop turn and hands its answer over after it.
import { ChangeHub } from '../sockets/watchable.js';
import { GuestExit } from './exit.js';
import { performance } from 'node:perf_hooks';
import { hrtime } from 'node:process';
import { profile } from './profile.js';

/** Monotonic clock in nanoseconds; the same clock (uv_hrtime) node:wasi answers for clock_time_get(MONOTONIC). */
export const nowNs = (): bigint => hrtime.bigint();

/** The same clock as a number of ns (exact below 2^53 ns, about 104 days), for deadline arithmetic without a
 *  BigInt per operation. */
export const nowNsNumber = (): number => Number(hrtime.bigint());

/** Longest delay setTimeout takes (2^31-1 ms, about 24.8 days); a longer one would fire at once, every time. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Longest run of the guest without a turn of Node's event loop (ms) before a blocking import yields once. */
const SLICE_MS = 10;
/** The clock is read every this many immediate answers (a power of two): a read costs more than most answers. */
const PACE_EVERY = 16;

/** The one pending wait (the guest is single-threaded: at most one import waits at a time); `wake` ends it, with
 *  GuestExit when the host stops. */
type Pending = { wake: (err: GuestExit | null) => void; immediate: NodeJS.Immediate | null };

/** Where blocking imports wait: wakes them on socket changes or deadlines, ends them all on stop(). */
export class Waker {
  /** The instance-wide change signal every socket and listener of the instance raises. */
  readonly hub = new ChangeHub();
  private stopped: GuestExit | null = null;
  private pending: Pending | null = null;
  /** The deadline timer, kept from one wait to the next: a busy loop that waits for the same deadline again and
   *  again (a selector's next full poll) would otherwise create and clear a Node timer per wait, which costs about
   *  as much as the poll itself. Referenced only while a wait uses it, so a leftover one never holds the process. */
  private timer: NodeJS.Timeout | null = null;
  /** When `timer` fires (monotonic ns). */
  private timerAtNs = 0;
  private readonly onTimer = (): void => {
    this.timer = null;
    if (this.pending) this.finish(this.pending, null);
  };
  /** When the guest last got control back from the event loop (performance.now() ms; 0 = not yet known). */
  private resumedAt = 0;
  private answered = 0;

  constructor() {
    this.hub.onRaise = () => {
      const p = this.pending;
      if (profile && p) profile.raised();
      if (p && !p.immediate) p.immediate = setImmediate(() => this.finish(p, null));
    };
  }

  /** The exit signal when the host is stopping, else null; blocking imports check it before waiting. */
  get stopping(): GuestExit | null {
    return this.stopped;
  }

  /**
   * Resolves after the next change of any object of the instance (batched to the end of the event-loop turn),
   * at `deadline` (monotonic ns) if given (or earlier, at most ~24.8 days from now), or on the next turn when `yieldOnly`; rejects with GuestExit when
   * the host stops meanwhile. Callers re-check their condition after it resolves.
   */
  wait(deadline: number | null, yieldOnly = false): Promise<void> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise<void>((resolve, reject) => this.arm(deadline, yieldOnly, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Like wait(), but runs `check` at every wake-up, in the callback that woke it, and resolves with its answer once
   * that is >= 0 (a negative answer waits again, for the same deadline). A guest's poll resumes with one promise
   * per wait instead of a chain of them (wait, then an async function around the check, then its result).
   */
  waitFor(deadline: number | null, yieldOnly: boolean, check: () => number): Promise<number> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise<number>((resolve, reject) => {
      const wake = (err: GuestExit | null): void => {
        if (err) {
          reject(err);
          return;
        }
        let r: number;
        try {
          r = check();
        } catch (e) {
          reject(e);
          return;
        }
        if (r >= 0) resolve(r);
        else this.arm(deadline, false, wake);
      };
      this.arm(deadline, yieldOnly, wake);
    });
  }

  /** Makes `wake` the pending wait: on the next change, at `deadline`, or on the next turn when `yieldOnly`. */
  private arm(deadline: number | null, yieldOnly: boolean, wake: (err: GuestExit | null) => void): void {
    if (this.stopped) {
      wake(this.stopped);
      return;
    }
    if (this.pending) this.finish(this.pending, null); // cannot happen with one guest; never leave one dangling
    const p: Pending = { wake, immediate: null };
    this.pending = p;
    if (yieldOnly) p.immediate = setImmediate(() => this.finish(p, null));
    else if (deadline !== null) this.armTimer(deadline);
  }

  /** Makes the timer fire at `deadline` or earlier: the running one when it fires no later, else a new one.
   *  Clamped: a later deadline wakes the caller early, and the caller (which re-checks) waits again. */
  private armTimer(deadline: number): void {
    const now = nowNsNumber();
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil((deadline - now) / 1e6)));
    const at = now + ms * 1e6;
    if (this.timer) {
      if (this.timerAtNs <= at) {
        this.timer.ref();
        return;
      }
      clearTimeout(this.timer);
    }
    this.timerAtNs = at;
    this.timer = setTimeout(this.onTimer, ms);
  }

  /**
   * Passes a blocking import's answer through, or, when the guest has held the event loop for SLICE_MS, a promise
   * of the same answer after one turn of the loop (the import's work is already done: only its return waits).
   */
  pace(r: number | Promise<number>): number | Promise<number> {
    if (typeof r !== 'number' || (++this.answered & (PACE_EVERY - 1)) !== 0) return r;
    const now = performance.now();
    if (this.resumedAt === 0) this.resumedAt = now;
    if (now - this.resumedAt < SLICE_MS) return r;
    return this.wait(null, true).then(() => r);
  }

  /** Ends every pending and future wait with GuestExit(code). */
  stop(code: number): void {
    if (!this.stopped) this.stopped = new GuestExit(code);
    if (this.pending) this.finish(this.pending, this.stopped);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private finish(p: Pending, err: GuestExit | null): void {
    if (this.pending !== p) return; // already finished by another cause
    this.pending = null;
    this.timer?.unref(); // kept for the next wait, which most likely has the same deadline
    if (p.immediate) clearImmediate(p.immediate);
    if (err) p.wake(err);
    else {
      this.resumedAt = performance.now(); // the loop has had its turn: the guest's slice starts again
      p.wake(null);
    }
  }
}

// Suspends a blocking import until something it watches changes, a deadline passes, or the host stops.
import { Watchable } from '../sockets/watchable.js';
import { GuestExit } from './exit.js';

/** Monotonic clock in nanoseconds; the same clock (uv_hrtime) node:wasi answers for clock_time_get(MONOTONIC). */
export const nowNs = (): bigint => process.hrtime.bigint();

export class Waker {
  private stopped: GuestExit | null = null;
  private readonly pending = new Set<() => void>();

  /** The exit signal when the host is stopping, else null; blocking imports check it before waiting. */
  get stopping(): GuestExit | null {
    return this.stopped;
  }

  /**
   * Resolves on the first change of any of `objs`, at `deadline` (monotonic ns) if given, or on the next
   * turn of the event loop when `yieldOnly`; rejects with GuestExit when the host stops meanwhile.
   */
  wait(objs: Watchable[], deadline: bigint | null, yieldOnly = false): Promise<void> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise<void>((resolve, reject) => {
      const unwatch: (() => void)[] = [];
      let timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
      const done = () => {
        for (const u of unwatch) u();
        if (timer) {
          clearTimeout(timer as NodeJS.Timeout);
          clearImmediate(timer as NodeJS.Immediate);
        }
        this.pending.delete(onStop);
      };
      const wake = () => { done(); resolve(); };
      const onStop = () => { done(); reject(this.stopped); };
      this.pending.add(onStop);
      if (yieldOnly) {
        timer = setImmediate(wake);
        return;
      }
      for (const o of objs) unwatch.push(o.watch(wake));
      if (deadline !== null) {
        const ms = Number(deadline - nowNs()) / 1e6;
        timer = setTimeout(wake, Math.max(0, Math.ceil(ms)));
      }
    });
  }

  /** Ends every pending and future wait with GuestExit(code). */
  stop(code: number): void {
    if (!this.stopped) this.stopped = new GuestExit(code);
    for (const fn of [...this.pending]) fn();
  }
}

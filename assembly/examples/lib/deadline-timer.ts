// Per-connection timeouts (idle, header) on the loop's timers, cheap enough for thousands of
// connections: one timer per connection, never cancelled while the connection lives, and a
// deadline that moves (new bytes arrived) costs nothing until the timer fires and re-arms for it.
import { EventLoop, TimerCallback, monotonicMs } from "../../index";

/** Timers are rounded up to this many ms, so that connections' checks share loop turns. */
const GRAIN_MS: i64 = 50;

/** What a DeadlineTimer watches: a deadline that may change, and what to do once it passed. */
export interface Deadline {
  /** The monotonic ms at which the connection times out now, or -1 for none. */
  deadline(): i64;
  /** The deadline passed: close the connection (the timer stops by itself). */
  expire(): void;
}

/**
 * Calls `owner.expire()` once `owner.deadline()` has passed. The timer is armed at most
 * `shortestMs` (the shortest timeout the owner uses) ahead, so a deadline set later, which is at
 * least that far in the future, is never missed; when it fires early it just re-arms.
 */
export class DeadlineTimer extends TimerCallback {
  private timer: i32 = 0;
  private stopped: bool = false;
  private owner: Deadline | null = null;

  constructor(private loop: EventLoop, private shortestMs: i64) { super(); }

  /** Starts watching `owner` (nothing happens when it uses no timeout: shortestMs <= 0). */
  start(owner: Deadline): void {
    this.owner = owner;
    if (this.shortestMs > 0) this.arm(monotonicMs());
  }

  /** Stops for good (the connection closed). */
  stop(): void {
    this.stopped = true;
    if (this.timer != 0) this.loop.cancel(this.timer);
    this.timer = 0;
  }

  fire(id: i32): void {
    this.timer = 0;
    if (this.stopped) return;
    const owner = this.owner!;
    const now = monotonicMs();
    const due = owner.deadline();
    if (due >= 0 && now >= due) { this.stopped = true; owner.expire(); return; }
    this.arm(now);
  }

  private arm(now: i64): void {
    const due = this.owner!.deadline();
    let at = now + this.shortestMs;
    if (due >= 0 && due < at) at = due;
    at = (at + GRAIN_MS - 1) / GRAIN_MS * GRAIN_MS;
    this.timer = this.loop.setTimeout(max<i64>(at - now, 0), this);
  }
}

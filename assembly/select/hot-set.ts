// The hot set: the fds that were ready recently, with a subscription array of their own, so that a busy
// turn hands the host only them instead of every registered fd.
import { Errno } from "../wasi/errno";
import { ReadinessSet } from "../readiness/readiness-set";
import { Registration } from "../readiness/registration";
import { Poller } from "./poller";

/**
 * A second readiness set holding copies of the hot registrations (fd and interest), each stamped with the
 * full-poll epoch in which it was last ready. A full poll evicts the fds that stayed quiet for a whole
 * interval, so the set follows the active connections. Its poller is an ordinary Poller: a dead fd here is
 * reported as an error like anywhere else (the caller then lets the full set deal with it).
 */
export class HotSet {
  private set: ReadinessSet;
  private poller: Poller;
  /** fd -> epoch of its last readiness (or of its entry). */
  private lastReady: Map<u32, i64> = new Map();

  constructor() {
    const set = new ReadinessSet();
    this.set = set;
    this.poller = new Poller(set);
  }

  /** Number of hot fds. */
  get size(): i32 { return this.lastReady.size; }

  /** Host calls the hot poller's dead-fd search has made. */
  get isolations(): i32 { return this.poller.isolations; }

  /** True when `fd` is hot. */
  has(fd: u32): bool { return this.lastReady.has(fd); }

  /** Makes `fd` hot (or keeps it hot) with `interest`, as ready in `epoch`. */
  touch(fd: u32, interest: u8, epoch: i64): void {
    const reg = this.set.get(fd);
    if (reg == null) this.set.add(fd, interest, 0);
    else if (reg.interest != interest) this.set.modify(fd, interest, 0);
    this.lastReady.set(fd, epoch);
  }

  /** Stamps a hot fd as ready in `epoch` (it stays hot for the next interval). */
  mark(fd: u32, epoch: i64): void {
    if (this.lastReady.has(fd)) this.lastReady.set(fd, epoch);
  }

  /** Drops `fd` from the hot set; nothing happens when it is not hot. */
  remove(fd: u32): void {
    if (!this.lastReady.has(fd)) return;
    this.set.remove(fd);
    this.lastReady.delete(fd);
  }

  /** Drops every fd last ready before `epoch`; returns how many left. O(hot). */
  evictBefore(epoch: i64): i32 {
    const fds = this.lastReady.keys();
    let dropped = 0;
    for (let i = 0, n = fds.length; i < n; i++) {
      const fd = unchecked(fds[i]);
      if (this.lastReady.get(fd) < epoch) { this.remove(fd); dropped++; }
    }
    return dropped;
  }

  /** Empties the set (when the selector stops using it). */
  clear(): void { this.evictBefore(i64.MAX_VALUE); }

  /** One poll over the hot fds only; same contract as Poller.wait. */
  wait(timeoutMs: i64, out: Array<Registration>): Errno { return this.poller.wait(timeoutMs, out); }
}

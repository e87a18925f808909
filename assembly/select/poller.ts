import { poll_oneoff, fd_fdstat_get } from "../wasi/imports";
import { Errno } from "../wasi/errno";
import {
  EVENT_SIZE, EVENT_HANGUP, EventType, SUBSCRIPTION_SIZE, CLOCK_MONOTONIC,
  eventError, eventFlags, eventNbytes, eventType, eventUserdata, writeClockSubscription, copySubscription,
} from "../wasi/layout";
import { outA, fdstatCell } from "../wasi/scratch";
import { ReadinessSet } from "../readiness/readiness-set";
import { Registration } from "../readiness/registration";
import { lengthOf, itemAt } from "../readiness/array-reads";
import { Ready } from "../readiness/interest";
import { JOURNAL_SIZE, journalStart } from "../readiness/subscription-journal";

/** userdata of the timeout's clock subscription: no fd can produce it. */
const CLOCK_USERDATA: u64 = u64.MAX_VALUE;

/**
 * One poll_oneoff over a ReadinessSet, with the host's failures contained.
 *
 * Contract (as mio's): readiness is a hint. A host may report an fd that is not ready (wasmtime
 * reports every fd once any is), so every operation on a reported fd must cope with AGAIN.
 *
 * Dead fds: when the host rejects the whole call (wasmtime answers EBADF for the whole set when one
 * fd is bad), the poller finds the bad fds itself (fd_fdstat_get, then a lone zero-timeout poll of
 * each subscription), takes them out of the set's polls, and answers the same call with the ready
 * ones plus the dead ones flagged ERROR with their errno. Dead fds are reported on every poll until
 * they are removed from the set, like POLLNVAL.
 *
 * Its buffers are ArrayBuffers the collector owns: a dropped poller leaves nothing behind.
 */
export class Poller {
  /** Where the host writes events; `events` is its address (the collector never moves it). */
  private eventBuffer: ArrayBuffer = new ArrayBuffer(0);
  private events: usize = 0;
  private eventCapacity: i32 = 0;
  /** A journal, then one subscription and a clock, for trying a suspect subscription alone. */
  private probeBuffer: ArrayBuffer = new ArrayBuffer(<i32>JOURNAL_SIZE + 2 * <i32>SUBSCRIPTION_SIZE);
  private probe: usize = changetype<usize>(this.probeBuffer) + JOURNAL_SIZE;
  /** Host calls made by the dead-fd search since creation (for tests and benchmarks). */
  isolations: i32 = 0;

  constructor(public set: ReadinessSet) {}

  /**
   * Waits at most `timeoutMs` (< 0: no limit, 0: just look) and fills `out` with the ready
   * registrations, each with its `ready` bits and `errno`. Returns SUCCESS, INVAL when there is
   * nothing to wait for and no limit, or the host's errno when even the isolated poll fails.
   */
  wait(timeoutMs: i64, out: Array<Registration>): Errno {
    for (let i = 0, k = lengthOf(out); i < k; i++) {
      const r = itemAt(out, i);
      r.ready = 0;
      r.nbytes = 0;
      if (!r.dead) r.errno = 0;
    }
    out.length = 0;
    const set = this.set;
    const dead = lengthOf(set.dead);
    if (dead > 0) timeoutMs = 0;
    let n = set.subscriptionCount;
    if (n == 0 && dead == 0 && timeoutMs < 0) return Errno.INVAL;
    if (n == 0 && timeoutMs == 0) { this.reportDead(out); return Errno.SUCCESS; }

    let status = this.pollOnce(set.subscriptions, n, timeoutMs, out);
    if (status != Errno.SUCCESS && status != Errno.INTR) {
      // The host refused the call as a whole: find the culprits, then answer without waiting.
      if (this.isolate() > 0) {
        n = set.subscriptionCount;
        status = n == 0 ? Errno.SUCCESS : this.pollOnce(set.subscriptions, n, 0, out);
      }
      if (status != Errno.SUCCESS) return status;
    }
    this.reportDead(out);
    return Errno.SUCCESS;
  }

  private pollOnce(subs: usize, n: i32, timeoutMs: i64, out: Array<Registration>): Errno {
    let nsubs = n;
    if (timeoutMs >= 0) {
      this.set.writeClock(CLOCK_USERDATA, CLOCK_MONOTONIC, <u64>timeoutMs * 1_000_000);
      nsubs++;
    }
    this.reserveEvents(nsubs);
    const status = poll_oneoff(subs, this.events, nsubs, outA());
    if (status != Errno.SUCCESS) return status;
    const nevents = min(<i32>load<u32>(outA()), nsubs);
    this.decode(nevents, out);
    return Errno.SUCCESS;
  }

  private decode(nevents: i32, out: Array<Registration>): void {
    const set = this.set;
    for (let i = 0; i < nevents; i++) {
      const e = this.events + <usize>i * EVENT_SIZE;
      const ud = eventUserdata(e);
      if (ud == CLOCK_USERDATA) continue;
      const reg = set.byUserdata(ud);
      if (reg == null || reg.dead) continue;
      if (reg.ready == 0) out.push(reg);
      const err = eventError(e);
      if (err != 0) {
        reg.ready |= Ready.ERROR;
        reg.errno = err;
        // A per-event EBADF is the fd itself gone: keep it out of later polls.
        if (err == Errno.BADF) set.markDead(reg, err);
        continue;
      }
      const type = eventType(e);
      if (type == EventType.FD_READ) {
        reg.ready |= Ready.READ;
        reg.nbytes = eventNbytes(e);
      } else if (type == EventType.FD_WRITE) {
        reg.ready |= Ready.WRITE;
      }
      if (eventFlags(e) & EVENT_HANGUP) reg.ready |= Ready.HANGUP;
    }
  }

  /** Finds the fds the host rejects and marks them dead; returns how many it found. O(n) host calls. */
  private isolate(): i32 {
    const set = this.set;
    let found = 0;
    // Pass 1: an fd the host does not know at all.
    const regs = set.all();
    for (let i = 0; i < regs.length; i++) {
      const reg = unchecked(regs[i]);
      if (reg.dead) continue;
      this.isolations++;
      const err = fd_fdstat_get(reg.fd, fdstatCell());
      if (err != Errno.SUCCESS) { set.markDead(reg, err); found++; }
    }
    if (found > 0) return found;
    // Pass 2: an fd the host knows but will not poll: try each subscription alone, without waiting.
    for (let i = set.subscriptionCount - 1; i >= 0; i--) {
      if (i >= set.subscriptionCount) continue;
      const reg = set.ownerOf(i);
      copySubscription(this.probe, set.subscriptions + <usize>i * SUBSCRIPTION_SIZE);
      writeClockSubscription(this.probe + SUBSCRIPTION_SIZE, CLOCK_USERDATA, CLOCK_MONOTONIC, 0);
      journalStart(this.probe - JOURNAL_SIZE); // both slots rewritten: the host reads them anew
      this.reserveEvents(2);
      this.isolations++;
      const err = poll_oneoff(this.probe, this.events, 2, outA());
      if (err != Errno.SUCCESS) { set.markDead(reg, err); found++; }
    }
    return found;
  }

  private reportDead(out: Array<Registration>): void {
    const dead = this.set.dead;
    for (let i = 0, n = lengthOf(dead); i < n; i++) {
      const reg = itemAt(dead, i);
      if (reg.ready == 0) out.push(reg);
      reg.ready |= Ready.ERROR;
    }
  }

  private reserveEvents(n: i32): void {
    if (n <= this.eventCapacity) return;
    let cap = max(this.eventCapacity * 2, 16);
    while (cap < n) cap *= 2;
    this.eventBuffer = new ArrayBuffer(cap * <i32>EVENT_SIZE); // the old one is the collector's to free
    this.events = changetype<usize>(this.eventBuffer);
    this.eventCapacity = cap;
  }

  /** Drops the event buffer (the next wait allocates what it needs): for a poller that will idle or end. */
  release(): void {
    this.eventBuffer = new ArrayBuffer(0);
    this.events = 0;
    this.eventCapacity = 0;
  }
}

// poll_oneoff, replaced entirely (node:wasi's waits for *all* fds and ignores readiness). Semantics:
// exact readiness (an fd is reported only when ready), nbytes = bytes readable / write room / pending connections,
// HANGUP when the peer is gone, a bad fd reported as BADF on its own event while the others are answered in the
// same call, clocks MONOTONIC and REALTIME, relative or ABSTIME. Returns at once when any event is ready,
// otherwise waits for the first readiness change or the earliest clock.
import {
  Clock, Errno, EventType, EVENT_ERROR, EVENT_FLAGS, EVENT_FLAG_HANGUP, EVENT_NBYTES, EVENT_SIZE, EVENT_TYPE,
  EVENT_USERDATA, SUBCLOCKFLAGS_ABSTIME, SUB_CLOCK_FLAGS, SUB_CLOCK_ID, SUB_CLOCK_TIMEOUT, SUB_FD, SUB_SIZE,
  SUB_TAG, SUB_USERDATA,
} from './wasi/abi.js';
import type { GuestMemory } from './wasi/guest-memory.js';
import type { FdTable, FdEntry } from './fd-table.js';
import type { Watchable } from './sockets/watchable.js';
import { nowNs, type Waker } from './wait/waker.js';

/** Subscriptions above this count are INVAL: bounds the host-side work of one call. */
const MAX_SUBSCRIPTIONS = 65536;
/** After this many polls answered without waiting, the next one yields to Node's event loop once,
 *  so that sockets not in the ready set still get their I/O callbacks run (no starvation). */
const MAX_IMMEDIATE = 32;

type Sub =
  | { userdata: bigint; tag: 0; deadline: bigint | null; error: number }
  | { userdata: bigint; tag: 1 | 2; entry: FdEntry | undefined };

/** Creates the poll_oneoff import (before wrapping by the wait strategy). */
export function makePollOneoff(mem: GuestMemory, fds: FdTable, waker: Waker) {
  let immediate = 0;

  return function poll_oneoff(inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): number | Promise<number> {
    nsubs >>>= 0;
    if (nsubs === 0 || nsubs > MAX_SUBSCRIPTIONS) return Errno.INVAL;
    if (!mem.ok(inPtr, nsubs * SUB_SIZE) || !mem.ok(outPtr, nsubs * EVENT_SIZE) || !mem.ok(neventsPtr, 4)) {
      return Errno.FAULT;
    }
    const start = nowNs();
    const subs: Sub[] = [];
    for (let i = 0; i < nsubs; i++) {
      const p = inPtr + i * SUB_SIZE;
      const userdata = mem.u64(p + SUB_USERDATA);
      const tag = mem.u8(p + SUB_TAG);
      if (tag === EventType.CLOCK) {
        const id = mem.u32(p + SUB_CLOCK_ID);
        const timeout = mem.u64(p + SUB_CLOCK_TIMEOUT);
        const flags = mem.u16(p + SUB_CLOCK_FLAGS);
        const abs = (flags & SUBCLOCKFLAGS_ABSTIME) !== 0;
        let deadline: bigint | null = null;
        let error = 0;
        if ((flags & ~SUBCLOCKFLAGS_ABSTIME) !== 0 || id > Clock.THREAD_CPUTIME) error = Errno.INVAL;
        else if (!abs) deadline = start + timeout;
        else if (id === Clock.REALTIME) deadline = start + (timeout - BigInt(Date.now()) * 1_000_000n);
        else if (id === Clock.MONOTONIC) deadline = timeout;
        else error = Errno.NOTSUP; // absolute CPU-time clocks: no way to wait for them
        subs.push({ userdata, tag: 0, deadline, error });
      } else if (tag === EventType.FD_READ || tag === EventType.FD_WRITE) {
        subs.push({ userdata, tag, entry: fds.get(mem.u32(p + SUB_FD)) });
      } else {
        return Errno.INVAL;
      }
    }

    // One pass over the subscriptions: writes the ready events, returns how many.
    const scan = (): number => {
      const now = nowNs();
      let n = 0;
      const emit = (s: Sub, error: number, nbytes: number, hangup: boolean) => {
        const e = outPtr + n * EVENT_SIZE;
        mem.setU64(e + EVENT_USERDATA, s.userdata);
        mem.setU16(e + EVENT_ERROR, error);
        mem.setU8(e + EVENT_TYPE, s.tag);
        mem.setU8(e + EVENT_TYPE + 1, 0);
        mem.setU32(e + 12, 0);
        mem.setU64(e + EVENT_NBYTES, BigInt(nbytes));
        mem.setU16(e + EVENT_FLAGS, hangup ? EVENT_FLAG_HANGUP : 0);
        mem.setU16(e + EVENT_FLAGS + 2, 0);
        mem.setU32(e + EVENT_FLAGS + 4, 0);
        n++;
      };
      for (const s of subs) {
        if (s.tag === 0) {
          if (s.error) emit(s, s.error, 0, false);
          else if (s.deadline !== null && now >= s.deadline) emit(s, 0, 0, false);
          continue;
        }
        const e = s.entry;
        if (!e) { emit(s, Errno.BADF, 0, false); continue; }
        if (e.kind === 'wasi') { emit(s, 0, 0, false); continue; } // stdio/files: always ready (see docs/host.md)
        if (e.kind === 'listener') {
          if (s.tag === EventType.FD_READ && e.listener.backlog > 0) emit(s, 0, e.listener.backlog, false);
          continue; // a listener is never writable
        }
        const st = e.stream;
        if (s.tag === EventType.FD_READ) {
          if (st.readable) emit(s, 0, st.available, st.hangup);
        } else if (st.writable) {
          emit(s, 0, st.writeRoom, st.hangup);
        }
      }
      return n;
    };

    const finish = (n: number): number => {
      mem.setU32(neventsPtr, n);
      return Errno.SUCCESS;
    };

    let n = scan();
    if (n > 0 && ++immediate < MAX_IMMEDIATE) return finish(n);

    // Wait: for readiness changes on the watched objects or the earliest clock.
    const watched: Watchable[] = [];
    let earliest: bigint | null = null;
    for (const s of subs) {
      if (s.tag === 0) {
        if (s.deadline !== null && (earliest === null || s.deadline < earliest)) earliest = s.deadline;
      } else if (s.entry?.kind === 'stream') watched.push(s.entry.stream);
      else if (s.entry?.kind === 'listener') watched.push(s.entry.listener);
    }
    let yieldOnly = n > 0; // only here to let the event loop run once
    immediate = 0;
    return (async () => {
      for (;;) {
        await waker.wait(watched, earliest, yieldOnly);
        yieldOnly = false;
        n = scan();
        if (n > 0) return finish(n);
      }
    })();
  };
}

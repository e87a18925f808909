// poll_oneoff on wasi:io/poll: each subscription becomes a pollable (a socket's are made once and kept,
// a clock's for this call only), one `poll` blocks until some are ready, and only those become events.
// Readiness is therefore exact. An fd this backend does not know gets its own EBADF event and never fails
// the call; a zero-duration clock then keeps the call from blocking, as preview1 hosts answer at once.
import { Errno } from "../wasi/errno";
import {
  CLOCK_MONOTONIC, EVENT_SIZE, EventType, SUBCLOCK_ABSTIME, SUBSCRIPTION_SIZE, subscriptionClockFlags,
  subscriptionClockId, subscriptionClockTimeout, subscriptionFd, subscriptionType, subscriptionUserdata, writeEvent,
} from "../wasi/layout";
import { monotonicNs } from "../wasi/clock";
import { RET, drop_pollable, poll, subscribe_duration } from "./bindings";
import { ensureListening } from "./listen";
import { placeNextList } from "./realloc";
import { sockets } from "./socket-table";

/** origin of a pollable that is only there to bound the wait (no event of its own). */
const NO_ORIGIN: i32 = -1;

/** Per-call arrays, kept between calls: pollable handles, the subscription each came from, the ready list. */
class PollBuffers {
  handles: usize = 0;
  origins: usize = 0;
  ready: usize = 0;
  /** Clock pollables of this call, dropped when it ends. */
  clocks: Array<i32> = [];
  capacity: i32 = 0;

  reserve(n: i32): void {
    if (n <= this.capacity) return;
    let cap = max(this.capacity * 2, 16);
    while (cap < n) cap *= 2;
    if (this.capacity > 0) { heap.free(this.handles); heap.free(this.origins); heap.free(this.ready); }
    this.handles = heap.alloc(<usize>cap * 4);
    this.origins = heap.alloc(<usize>cap * 4);
    this.ready = heap.alloc(<usize>cap * 4);
    this.capacity = cap;
  }
}

// @ts-ignore: decorator
@lazy const buffers = new PollBuffers();

/** poll_oneoff(subs, events, nsubs, neventsOut), preview1's contract, on wasi:io/poll. */
export function pollOneoff(subs: usize, events: usize, nsubs: u32, neventsOut: usize): Errno {
  if (nsubs == 0) return Errno.INVAL;
  ensureListening();
  sockets.sweep();
  const b = buffers;
  b.reserve(<i32>nsubs + 1);
  let count = 0;
  let nevents: u32 = 0;
  for (let i: u32 = 0; i < nsubs; i++) {
    const s = subs + <usize>i * SUBSCRIPTION_SIZE;
    const type = subscriptionType(s);
    let handle: i32 = -1;
    let error: u16 = 0;
    if (type == EventType.CLOCK) {
      const ns = clockDelay(s);
      if (ns < 0) error = Errno.NOTSUP;
      else { handle = subscribe_duration(<u64>ns); b.clocks.push(handle); }
    } else if (type == EventType.FD_READ || type == EventType.FD_WRITE) {
      const sock = sockets.get(subscriptionFd(s));
      if (sock == null) error = Errno.BADF;
      else {
        handle = type == EventType.FD_READ ? sock.readable() : sock.writable();
        if (handle < 0) error = Errno.INVAL; // a listener is never writable
      }
    } else {
      error = Errno.INVAL;
    }
    if (error != 0) {
      writeEvent(events + <usize>(nevents++) * EVENT_SIZE, subscriptionUserdata(s), error, type, 0);
      continue;
    }
    store<i32>(b.handles + <usize>count * 4, handle);
    store<i32>(b.origins + <usize>count * 4, <i32>i);
    count++;
  }
  if (nevents > 0 && count > 0) {
    // Events are already due: look, do not wait.
    const zero = subscribe_duration(0);
    b.clocks.push(zero);
    store<i32>(b.handles + <usize>count * 4, zero);
    store<i32>(b.origins + <usize>count * 4, NO_ORIGIN);
    count++;
  }
  if (count > 0) nevents = collect(subs, events, nevents, count);
  for (let i = 0; i < b.clocks.length; i++) drop_pollable(unchecked(b.clocks[i]));
  b.clocks.length = 0;
  store<u32>(neventsOut, nevents);
  return Errno.SUCCESS;
}

/** One poll over the `count` pollables; appends an event per ready subscription after the first `nevents`. */
function collect(subs: usize, events: usize, nevents: u32, count: i32): u32 {
  const b = buffers;
  placeNextList(b.ready, <usize>count * 4);
  poll(b.handles, count, RET);
  const list = load<usize>(RET);
  const n = min(load<u32>(RET, 4), <u32>count);
  for (let k: u32 = 0; k < n; k++) {
    const index = load<u32>(list + <usize>k * 4);
    if (index >= <u32>count) continue;
    const origin = load<i32>(b.origins + <usize>index * 4);
    if (origin == NO_ORIGIN) continue;
    const s = subs + <usize>origin * SUBSCRIPTION_SIZE;
    const type = subscriptionType(s);
    // nbytes 1 for a readable fd: "at least one byte" (or EOF); there is no byte count in WASI 0.2.
    writeEvent(events + <usize>(nevents++) * EVENT_SIZE, subscriptionUserdata(s), 0, type, type == EventType.FD_READ ? 1 : 0);
  }
  if (list != b.ready && n > 0) heap.free(list);
  return nevents;
}

/** Nanoseconds a clock subscription waits from now; -1 for a clock this backend cannot wait on. */
function clockDelay(s: usize): i64 {
  const timeout = subscriptionClockTimeout(s);
  if ((subscriptionClockFlags(s) & SUBCLOCK_ABSTIME) == 0) return <i64>min(timeout, <u64>i64.MAX_VALUE);
  if (subscriptionClockId(s) != CLOCK_MONOTONIC) return -1;
  const now = monotonicNs();
  return timeout > now ? <i64>min(timeout - now, <u64>i64.MAX_VALUE) : 0;
}

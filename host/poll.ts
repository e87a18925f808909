// poll_oneoff, replaced entirely (node:wasi's waits for *all* fds and ignores readiness). Semantics:
// exact readiness (an fd is reported only when ready), nbytes = bytes readable / write room / pending connections,
// HANGUP when the peer is gone, a bad fd reported as BADF on its own event while the others are answered in the
// same call, clocks MONOTONIC and REALTIME, relative or ABSTIME. Returns at once when any event is ready,
// otherwise waits for the next readiness change or the earliest clock.
//
// Cost: one compare of the whole subscription array per call (a plain byte compare, O(subscriptions) but cheap:
// about 40 us at 10,000), then work in proportion to the ready and changed slots. An event loop passes the same
// subscription array on every call, so the parsed subscriptions are kept between calls and only the slots whose
// bytes changed are parsed again. A subscription is examined only when it may be ready: its object raised the
// instance's ChangeHub, its fd changed in the fd table, it is new, or it was ready at the previous call (readiness
// is level-triggered: a ready fd stays ready until the guest acts on it). Every readiness rise of a stream or a
// listener raises the hub, so a subscription left out is one that is certainly not ready.
import {
  Clock, Errno, EventType, EVENT_ERROR, EVENT_FLAGS, EVENT_FLAG_HANGUP, EVENT_NBYTES, EVENT_SIZE, EVENT_TYPE,
  EVENT_USERDATA, SUBCLOCKFLAGS_ABSTIME, SUB_CLOCK_FLAGS, SUB_CLOCK_ID, SUB_CLOCK_TIMEOUT, SUB_FD, SUB_SIZE, SUB_TAG,
  SUB_USERDATA,
} from './wasi/abi.js';
import type { GuestMemory } from './wasi/guest-memory.js';
import type { FdTable, FdEntry } from './fd-table.js';
import type { ChangeHub, Watchable } from './sockets/watchable.js';
import { nowNsNumber, type Waker } from './wait/waker.js';
import { profile } from './wait/profile.js';
import { SlotSet } from './slot-set.js';

/** Subscriptions above this count are INVAL: bounds the host-side work of one call. */
const MAX_SUBSCRIPTIONS = 65536;
/** After this many polls answered without waiting, the next one yields to Node's event loop once,
 *  so that sockets not in the ready set still get their I/O callbacks run (no starvation). */
const MAX_IMMEDIATE = 32;
/** Slots compared per memcmp when looking for the slots that changed (a 3 KiB block). */
const BLOCK = 64;

/** A clock slot; `deadline` (ns) or `errno` is filled by clockDeadlines for the call in progress. Times are
 *  numbers of ns, exact below 2^53 (about 104 days of the monotonic clock, i.e. of uptime; past that a deadline
 *  may round by a few ns), so that a call allocates no BigInt and no map. */
type ClockSub = { tag: 0; id: number; timeout: number; flags: number; deadline: number; errno: number };
type FdSub = { tag: 1 | 2; fd: number; entry: FdEntry | undefined; obj: Watchable | null };
type Sub = ClockSub | FdSub;

/** The socket object behind an entry (what raises the hub), or null for stdio, files and closed fds. */
const objOf = (e: FdEntry | undefined): Watchable | null =>
  e?.kind === 'stream' ? e.stream : e?.kind === 'listener' ? e.listener : null;

/** Adds `i` to the list under `key`. */
function link<K>(m: Map<K, number[]>, key: K, i: number): void {
  const l = m.get(key);
  if (l) l.push(i);
  else m.set(key, [i]);
}

/** Removes `i` from the list under `key` (dropping empty lists, so closed sockets are not kept alive). */
function unlink<K>(m: Map<K, number[]>, key: K, i: number): void {
  const l = m.get(key);
  if (!l) return;
  const at = l.indexOf(i);
  if (at >= 0) { l[at] = l[l.length - 1]; l.pop(); }
  if (l.length === 0) m.delete(key);
}

/**
 * The guest's subscription array as parsed at the previous call, with the indexes that turn "object X changed"
 * or "fd N changed" into the slots to re-examine, and the set of slots that may be ready.
 */
class SubscriptionCache {
  /** Copy of the array's bytes as last parsed (userdata is copied from here into events, never as BigInt). */
  raw = Buffer.alloc(0);
  /** Number of parsed slots; raw holds count * SUB_SIZE meaningful bytes. */
  count = 0;
  readonly subs: Sub[] = [];
  readonly clocks = new Set<number>();
  /** Slots that may be ready: examined by the next scan, which keeps only the ready ones. */
  readonly hot = new SlotSet();
  /** The slots the current scan examines, in subscription order (first `candidates()` entries); reused. */
  order = new Uint32Array(64);
  private readonly byObj = new Map<Watchable, number[]>();
  private readonly byFd = new Map<number, number[]>();

  constructor(private readonly fds: FdTable, private readonly hub: ChangeHub) {
    fds.onChange = (fd) => this.fdChanged(fd);
  }

  /** Brings the cache up to date with the guest's array; false (cache untouched) when a tag is unknown. */
  update(guest: Uint8Array, n: number): boolean {
    const len = n * SUB_SIZE;
    const old = this.count * SUB_SIZE;
    if (len === old && this.raw.compare(guest, 0, len, 0, len) === 0) return true;
    const changed: number[] = [];
    const common = Math.min(len, old);
    for (let b = 0; b < common; b += BLOCK * SUB_SIZE) {
      const e = Math.min(b + BLOCK * SUB_SIZE, common);
      if (this.raw.compare(guest, b, e, b, e) === 0) continue;
      for (let p = b; p < e; p += SUB_SIZE) {
        if (this.raw.compare(guest, p, p + SUB_SIZE, p, p + SUB_SIZE) !== 0) changed.push(p / SUB_SIZE);
      }
    }
    for (let i = this.count; i < n; i++) changed.push(i);
    for (const i of changed) {
      const tag = guest[i * SUB_SIZE + SUB_TAG];
      if (tag !== EventType.CLOCK && tag !== EventType.FD_READ && tag !== EventType.FD_WRITE) return false;
    }
    // Valid: take the new bytes, drop the slots past the end, re-parse the changed ones.
    if (this.raw.length < len) {
      const grown = Buffer.alloc(Math.max(len, this.raw.length * 2));
      this.raw.copy(grown, 0, 0, old);
      this.raw = grown;
    }
    for (let i = n; i < this.count; i++) this.forget(i);
    this.subs.length = n;
    for (const i of changed) {
      const p = i * SUB_SIZE;
      this.raw.set(guest.subarray(p, p + SUB_SIZE), p);
      if (i < this.count) this.forget(i);
      this.parse(i);
    }
    this.count = n;
    return true;
  }

  /** Marks the slots of every object that changed since the previous call as possibly ready. */
  absorbChanges(): void {
    const changed = this.hub.take();
    if (changed === null) {
      for (let i = 0; i < this.count; i++) if (!this.clocks.has(i)) this.hot.add(i);
      return;
    }
    for (const w of changed) {
      const l = this.byObj.get(w);
      if (l) for (const i of l) this.hot.add(i);
    }
  }

  /** Fills `order` with the slots to examine (hot ones and clocks) in subscription order and empties the hot
   *  set (the scan puts the ready ones back); returns how many. No allocation on the common path: a few slots are
   *  insertion-sorted in place. */
  candidates(): number {
    const k = this.hot.size + this.clocks.size;
    if (this.order.length < k) this.order = new Uint32Array(Math.max(k, this.order.length * 2));
    const out = this.order;
    let j = 0;
    const hot = this.hot;
    for (let h = 0; h < hot.size; h++) out[j++] = hot.at(h);
    hot.clear();
    for (const i of this.clocks) out[j++] = i;
    if (k > 32) out.subarray(0, k).sort();
    else {
      for (let a = 1; a < k; a++) {
        const v = out[a];
        let b = a - 1;
        while (b >= 0 && out[b] > v) { out[b + 1] = out[b]; b--; }
        out[b + 1] = v;
      }
    }
    return k;
  }

  private parse(i: number): void {
    const p = i * SUB_SIZE;
    const raw = this.raw;
    const tag = raw[p + SUB_TAG];
    if (tag === EventType.CLOCK) {
      this.subs[i] = {
        tag: 0, id: raw.readUInt32LE(p + SUB_CLOCK_ID),
        timeout: raw.readUInt32LE(p + SUB_CLOCK_TIMEOUT) + raw.readUInt32LE(p + SUB_CLOCK_TIMEOUT + 4) * 0x1_0000_0000,
        flags: raw.readUInt16LE(p + SUB_CLOCK_FLAGS), deadline: 0, errno: 0,
      };
      this.clocks.add(i);
      return;
    }
    const fd = raw.readUInt32LE(p + SUB_FD);
    const entry = this.fds.get(fd);
    const s: FdSub = { tag: tag as 1 | 2, fd, entry, obj: objOf(entry) };
    this.subs[i] = s;
    link(this.byFd, fd, i);
    if (s.obj) link(this.byObj, s.obj, i);
    this.hot.add(i);
  }

  private forget(i: number): void {
    const s = this.subs[i];
    this.hot.delete(i);
    if (s.tag === 0) { this.clocks.delete(i); return; }
    unlink(this.byFd, s.fd, i);
    if (s.obj) unlink(this.byObj, s.obj, i);
  }

  /** The fd table changed at `fd`: re-resolve the slots naming it (they may now be BADF, or a new socket). */
  private fdChanged(fd: number): void {
    const l = this.byFd.get(fd);
    if (!l) return;
    for (const i of l) {
      const s = this.subs[i] as FdSub;
      if (s.obj) unlink(this.byObj, s.obj, i);
      s.entry = this.fds.get(fd);
      s.obj = objOf(s.entry);
      if (s.obj) link(this.byObj, s.obj, i);
      this.hot.add(i);
    }
  }
}

/** Fills the deadline (ns) or errno of every clock slot for one call (relative clocks count from `start`);
 *  returns the earliest deadline, or Infinity when no clock can fire. */
function clockDeadlines(cache: SubscriptionCache, start: number): number {
  let earliest = Infinity;
  for (const i of cache.clocks) {
    const s = cache.subs[i] as ClockSub;
    const abs = (s.flags & SUBCLOCKFLAGS_ABSTIME) !== 0;
    s.errno = 0;
    if ((s.flags & ~SUBCLOCKFLAGS_ABSTIME) !== 0 || s.id > Clock.THREAD_CPUTIME) s.errno = Errno.INVAL;
    else if (!abs) s.deadline = start + s.timeout;
    else if (s.id === Clock.REALTIME) s.deadline = start + (s.timeout - Date.now() * 1e6);
    else if (s.id === Clock.MONOTONIC) s.deadline = s.timeout;
    else s.errno = Errno.NOTSUP; // absolute CPU-time clocks: no way to wait for them
    if (s.errno === 0 && s.deadline < earliest) earliest = s.deadline;
  }
  return earliest;
}

/** What a ready subscription reports: its event's error, nbytes and hangup. */
type Ready = { error: number; nbytes: number; hangup: boolean };

/** The one Ready that readiness() fills (scan writes it out before the next call): no allocation per event. */
const READY: Ready = { error: 0, nbytes: 0, hangup: false };

function ready(error: number, nbytes: number, hangup: boolean): Ready {
  READY.error = error;
  READY.nbytes = nbytes;
  READY.hangup = hangup;
  return READY;
}

/** Readiness of one fd subscription, or null when not ready. Stdio and files are always ready (see docs/host.md). */
function readiness(s: FdSub): Ready | null {
  const e = s.entry;
  if (!e) return ready(Errno.BADF, 0, false);
  if (e.kind === 'stdio' || e.kind === 'file') return ready(0, 0, false);
  if (e.kind === 'listener') {
    // a listener is never writable
    return s.tag === EventType.FD_READ && e.listener.backlog > 0 ? ready(0, e.listener.backlog, false) : null;
  }
  const st = e.stream;
  // A failed outgoing connect: its errno on the event (read and write alike) until a sock_* call takes it.
  if (st.connectError !== 0) return ready(st.connectError, 0, true);
  if (s.tag === EventType.FD_READ ? !st.readable : !st.writable) return null;
  return ready(0, s.tag === EventType.FD_READ ? st.available : st.writeRoom, st.hangup);
}

/** Writes event number `n` at `outPtr` for subscription slot `i`; userdata is copied byte for byte. */
function writeEvent(mem: GuestMemory, raw: Buffer, outPtr: number, n: number, i: number, type: number, r: Ready): void {
  const e = outPtr + n * EVENT_SIZE;
  const u8 = mem.u8;
  const from = i * SUB_SIZE + SUB_USERDATA;
  for (let b = 0; b < 8; b++) u8[e + EVENT_USERDATA + b] = raw[from + b];
  const dv = mem.dv;
  dv.setUint16(e + EVENT_ERROR, r.error, true);
  dv.setUint16(e + EVENT_TYPE, type, true); // type u8 + padding
  dv.setUint32(e + EVENT_TYPE + 2, 0, true);
  dv.setUint32(e + EVENT_NBYTES, r.nbytes >>> 0, true);
  dv.setUint32(e + EVENT_NBYTES + 4, Math.floor(r.nbytes / 0x1_0000_0000), true);
  dv.setUint32(e + EVENT_FLAGS, r.hangup ? EVENT_FLAG_HANGUP : 0, true); // flags u16 + padding
  dv.setUint32(e + EVENT_FLAGS + 4, 0, true);
}

const CLOCK_FIRED: Ready = { error: 0, nbytes: 0, hangup: false };

/** One pass over the slots that may be ready: writes their events in subscription order, returns how many. */
function scan(mem: GuestMemory, cache: SubscriptionCache, outPtr: number): number {
  cache.absorbChanges();
  const now = cache.clocks.size > 0 ? nowNsNumber() : 0;
  let n = 0;
  const k = cache.candidates();
  const order = cache.order;
  for (let c = 0; c < k; c++) {
    const i = order[c];
    const s = cache.subs[i];
    if (s.tag === 0) {
      if (s.errno !== 0) writeEvent(mem, cache.raw, outPtr, n++, i, 0, ready(s.errno, 0, false));
      else if (now >= s.deadline) writeEvent(mem, cache.raw, outPtr, n++, i, 0, CLOCK_FIRED);
      continue;
    }
    const r = readiness(s);
    if (!r) continue; // not ready and unchanged since: left out until its object raises the hub
    writeEvent(mem, cache.raw, outPtr, n++, i, s.tag, r);
    cache.hot.add(i); // level-triggered: ready stays ready until the guest acts, so look again next call
  }
  return n;
}

/** Writes the event count and answers SUCCESS. */
function answer(mem: GuestMemory, neventsPtr: number, n: number): number {
  mem.setU32(neventsPtr, n);
  if (profile) profile.pollAnswer(n);
  return Errno.SUCCESS;
}

/** Creates the poll_oneoff import (before wrapping by the wait strategy). */
export function makePollOneoff(mem: GuestMemory, fds: FdTable, waker: Waker) {
  const cache = new SubscriptionCache(fds, waker.hub);
  let immediate = 0;

  return function poll_oneoff(inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): number | Promise<number> {
    nsubs >>>= 0;
    if (nsubs === 0 || nsubs > MAX_SUBSCRIPTIONS) return Errno.INVAL;
    if (!mem.ok(inPtr, nsubs * SUB_SIZE) || !mem.ok(outPtr, nsubs * EVENT_SIZE) || !mem.ok(neventsPtr, 4)) {
      return Errno.FAULT;
    }
    const t0 = profile ? profile.pollStart() : 0;
    if (!cache.update(mem.bytes(inPtr, nsubs * SUB_SIZE), nsubs)) return Errno.INVAL;
    outPtr >>>= 0;
    const earliest = cache.clocks.size > 0 ? clockDeadlines(cache, nowNsNumber()) : Infinity;

    let n = scan(mem, cache, outPtr);
    if (profile) profile.pollWork(t0);
    if (n > 0 && ++immediate < MAX_IMMEDIATE) return answer(mem, neventsPtr, n);

    // Wait for the next change in the instance or the earliest clock, then look again. A far clock wakes the
    // wait early (timers are clamped, see Waker) and is simply looked at again: it re-arms until it is due.
    const yieldOnly = n > 0; // only here to let the event loop run once
    immediate = 0;
    if (profile) profile.waitBegin();
    return waker.waitFor(earliest === Infinity ? null : earliest, yieldOnly, () => {
      profile?.waitEnd();
      const t1 = profile ? performance.now() : 0;
      n = scan(mem, cache, outPtr);
      if (profile) profile.pollWork(t1);
      if (n > 0) return answer(mem, neventsPtr, n);
      if (profile) profile.waitBegin();
      return -1; // nothing yet: wait again
    });
  };
}

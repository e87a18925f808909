// The guest's subscription arrays as parsed at earlier poll_oneoff calls. An event loop passes the same array on
// every call, so only the slots whose bytes changed are parsed again; a selector using its hot set alternates
// between two arrays (the hot fds on busy turns, every fd now and then), so a few arrays are kept, one cache per
// array address, the least recently used dropped. Every cache hears every change (the hub's changed objects and
// the fd table's changes), so a cache left aside while another array was in use is up to date when its array
// comes back: what changed meanwhile is examined at that call.
import { Buffer } from 'node:buffer';
import { EventType, SUB_FD, SUB_SIZE, SUB_TAG, SUB_CLOCK_FLAGS, SUB_CLOCK_ID, SUB_CLOCK_TIMEOUT } from './wasi/abi.js';
import type { FdTable, FdEntry } from './fd-table.js';
import type { ChangeHub, Watchable } from './sockets/watchable.js';
import { SlotSet } from './slot-set.js';

/** Slots compared per memcmp when looking for the slots that changed (a 3 KiB block). */
const BLOCK = 64;
/** Arrays cached at once: a selector's full array and its hot one, plus room for a blocking call's own array.
 *  Bounds the host memory a guest can pin (each cache holds at most MAX_SUBSCRIPTIONS slots). */
export const MAX_CACHES = 4;

/** A clock slot; `deadline` (ns) or `errno` is filled by clockDeadlines for the call in progress. Times are
 *  numbers of ns, exact below 2^53 (about 104 days of the monotonic clock, i.e. of uptime; past that a deadline
 *  may round by a few ns), so that a call allocates no BigInt and no map. */
export type ClockSub = { tag: 0; id: number; timeout: number; flags: number; deadline: number; errno: number };
export type FdSub = { tag: 1 | 2; fd: number; entry: FdEntry | undefined; obj: Watchable | null };
export type Sub = ClockSub | FdSub;

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
export class SubscriptionCache {
  /** Copy of the array's bytes as last parsed (userdata is copied from here into events, never as BigInt). */
  raw = Buffer.alloc(0);
  /** `raw` as 32-bit words (events copy userdata a word at a time); replaced with `raw`. */
  raw32 = new Uint32Array(0);
  /** Number of parsed slots; raw holds count * SUB_SIZE meaningful bytes. */
  count = 0;
  /** Guest address of the array `raw` copies (-1: none yet): a journal speaks only of its own array. */
  heldFor = -1;
  /** The slots the current update re-parses: the first `changedCount` entries (reused; never shrunk, since
   *  setting an array's length to 0 at every call would reallocate its store the next time it grows). */
  private readonly changed: number[] = [];
  private changedCount = 0;
  readonly subs: Sub[] = [];
  readonly clocks = new Set<number>();
  /** Slots that may be ready: examined by the next scan, which keeps only the ready ones. */
  readonly hot = new SlotSet();
  /** The slots the current scan examines, in subscription order (first `candidates()` entries); reused. */
  order = new Uint32Array(64);
  private readonly byObj = new Map<Watchable, number[]>();
  private readonly byFd = new Map<number, number[]>();

  constructor(private readonly fds: FdTable) {}

  /**
   * Brings the cache up to date with the guest's array at `addr`; false (cache untouched) when a tag is unknown.
   * `listed`, when given, names the only slots that may differ from the copy (the guest's journal, trusted only
   * for the array this cache last held); otherwise every slot is compared.
   */
  update(addr: number, guest: Uint8Array, n: number, listed: Uint32Array | null = null, listedCount = 0): boolean {
    const len = n * SUB_SIZE;
    const old = this.count * SUB_SIZE;
    this.changedCount = 0;
    if (listed !== null && addr === this.heldFor) {
      const common = Math.min(n, this.count);
      for (let j = 0; j < listedCount; j++) {
        const i = listed[j];
        if (i < common && this.slotDiffers(guest, i)) this.markChanged(i);
      }
    } else {
      if (len === old && this.raw.compare(guest, 0, len, 0, len) === 0) { this.heldFor = addr; return true; }
      const common = Math.min(len, old);
      for (let b = 0; b < common; b += BLOCK * SUB_SIZE) {
        const e = Math.min(b + BLOCK * SUB_SIZE, common);
        if (this.raw.compare(guest, b, e, b, e) === 0) continue;
        for (let i = b / SUB_SIZE; i < e / SUB_SIZE; i++) if (this.slotDiffers(guest, i)) this.markChanged(i);
      }
    }
    for (let i = this.count; i < n; i++) this.markChanged(i);
    const changed = this.changed;
    const k = this.changedCount;
    for (let c = 0; c < k; c++) {
      const tag = guest[changed[c] * SUB_SIZE + SUB_TAG];
      if (tag !== EventType.CLOCK && tag !== EventType.FD_READ && tag !== EventType.FD_WRITE) return false;
    }
    // Valid: take the new bytes, drop the slots past the end, re-parse the changed ones.
    if (this.raw.length < len) {
      const grown = Buffer.alloc(Math.max(len, this.raw.length * 2)); // its own memory: offset 0, whole words
      this.raw.copy(grown, 0, 0, old);
      this.raw = grown;
      this.raw32 = new Uint32Array(grown.buffer, grown.byteOffset, grown.length >>> 2);
    }
    for (let i = n; i < this.count; i++) this.forget(i);
    if (this.subs.length !== n) this.subs.length = n;
    for (let c = 0; c < k; c++) {
      const i = changed[c];
      const p = i * SUB_SIZE;
      this.raw.set(guest.subarray(p, p + SUB_SIZE), p);
      if (i < this.count) this.forget(i);
      this.parse(i);
    }
    this.count = n;
    this.heldFor = addr;
    return true;
  }

  /** Adds slot `i` to the slots the current update re-parses. */
  private markChanged(i: number): void {
    const changed = this.changed;
    if (this.changedCount < changed.length) changed[this.changedCount] = i;
    else changed.push(i);
    this.changedCount++;
  }

  /** True when slot `i` of the guest's array differs from the copy. Byte by byte in JS: for one 48-byte slot
   *  that is cheaper than a call of Buffer.compare, which crosses into C++. */
  private slotDiffers(guest: Uint8Array, i: number): boolean {
    const raw = this.raw;
    const end = (i + 1) * SUB_SIZE;
    for (let p = i * SUB_SIZE; p < end; p++) if (raw[p] !== guest[p]) return true;
    return false;
  }

  /** Marks the slots of the objects that changed as possibly ready (`changed` null: any may have). */
  absorb(changed: readonly Watchable[] | null): void {
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
  fdChanged(fd: number): void {
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

/**
 * At most MAX_CACHES SubscriptionCaches, one per array address, most recently used first. A cache holds parsed
 * bytes, not an address: one evicted is reused for the new address and simply diffs against what it held.
 */
export class SubscriptionCaches {
  /** The caches in use, most recently used first. */
  private readonly list: SubscriptionCache[] = [];
  /** The address each cache of `list` was last used for (same index). */
  private readonly addrs: number[] = [];

  constructor(private readonly fds: FdTable, private readonly hub: ChangeHub) {
    fds.onChange = (fd) => {
      for (const c of this.list) c.fdChanged(fd);
    };
  }

  /** Number of caches held (at most MAX_CACHES). */
  get size(): number { return this.list.length; }

  /** The cache for the array at `addr`, made most recently used; a new one, or the least recently used reused. */
  at(addr: number): SubscriptionCache {
    const list = this.list, addrs = this.addrs;
    let i = addrs.indexOf(addr);
    if (i < 0) {
      if (list.length < MAX_CACHES) {
        list.push(new SubscriptionCache(this.fds));
        addrs.push(addr);
      }
      i = list.length - 1;
      list[i].heldFor = -1; // its copy is of another array now: no journal may be applied to it
    }
    const c = list[i];
    for (; i > 0; i--) { list[i] = list[i - 1]; addrs[i] = addrs[i - 1]; }
    list[0] = c;
    addrs[0] = addr;
    return c;
  }

  /** Takes the objects changed since the previous take and tells every cache (the hub is read once per take). */
  absorbChanges(): void {
    const changed = this.hub.take();
    if (changed !== null && changed.length === 0) return;
    for (const c of this.list) c.absorb(changed);
  }
}

import { Errno } from "../wasi/errno";
import { ReadinessSet } from "../readiness/readiness-set";
import { Ready, isValidInterest } from "../readiness/interest";
import { lengthOf, itemAt } from "../readiness/array-reads";
import { HotPoller } from "./hot-poller";
import { PollMode } from "./poll-policy";

/** Interest bits, named as in Python's selectors. */
export const EVENT_READ: u8 = Ready.READ;
export const EVENT_WRITE: u8 = Ready.WRITE;

/** A registered fd: what it waits for and the caller's data. */
export class SelectorKey<T> {
  constructor(public fd: u32, public events: u8, public data: T) {}
}

/** One ready key and the subset of its events that are ready. */
export class SelectedKey<T> {
  /** Ready events: always a subset of key.events (an error or hangup makes every registered event ready). */
  events: u8 = 0;
  /** The host's errno for this fd when it is in error (a dead fd, a failed connect); else 0. */
  errno: u16 = 0;
  /** Bytes the host said were readable (0 when it did not say): a hint for how much to read now. */
  nbytes: u64 = 0;
  constructor(public key: SelectorKey<T>) {}
}

/**
 * Python's `selectors` API over poll_oneoff: register fds with events and data, then select.
 * AssemblyScript has no exceptions, so mistakes come back as errnos and leave the state unchanged:
 * EXIST (registered twice), NOENT (unknown fd), INVAL (empty or unknown event mask), BADF (closed).
 * One select costs the host call plus work proportional to the ready fds, not the registered ones; on a
 * host whose poll itself costs O(registered) (wasmtime), busy turns poll only the recently active fds and
 * every fd is polled at least once per wake-up interval (see `wakeBoundMs`).
 */
export class Selector<T> {
  private keys: Map<u32, SelectorKey<T>> = new Map();
  /**
   * The same keys by their registration's id in `set`, so that select finds the key of a registration from `set`
   * with one array load instead of a hash lookup. A registration from elsewhere (the hot set's copies) may carry an
   * id that names another fd's key: select checks the fd and falls back to the map.
   */
  private keysById: Array<SelectorKey<T> | null> = [];
  private set: ReadinessSet;
  private poller: HotPoller;
  private selected: Array<SelectedKey<T>> = [];
  private closed: bool = false;

  constructor() {
    const set = new ReadinessSet();
    this.set = set;
    this.poller = new HotPoller(set);
  }

  /** Starts watching `fd` for `events` (EVENT_READ | EVENT_WRITE), carrying `data`. */
  register(fd: u32, events: u8, data: T): Errno {
    if (this.closed) return Errno.BADF;
    const err = this.set.add(fd, events, 0);
    if (err != Errno.SUCCESS) return err;
    const key = new SelectorKey<T>(fd, events, data);
    this.keys.set(fd, key);
    const id = this.set.get(fd)!.id;
    const byId = this.keysById;
    while (byId.length <= id) byId.push(null);
    byId[id] = key;
    this.poller.touched(fd, events);
    return Errno.SUCCESS;
  }

  /** Changes what `fd` waits for and its data; cheap when only the data changes. */
  modify(fd: u32, events: u8, data: T): Errno {
    if (this.closed) return Errno.BADF;
    if (!isValidInterest(events)) return Errno.INVAL;
    if (!this.keys.has(fd)) return Errno.NOENT;
    const err = this.set.modify(fd, events, 0);
    if (err != Errno.SUCCESS) return err;
    const key = this.keys.get(fd);
    if (key.events != events) this.poller.touched(fd, events);
    key.events = events;
    key.data = data;
    return Errno.SUCCESS;
  }

  /** Stops watching `fd`. Call it before closing the fd. */
  unregister(fd: u32): Errno {
    if (this.closed) return Errno.BADF;
    const reg = this.set.get(fd);
    if (reg == null) return Errno.NOENT;
    this.keysById[reg.id] = null;
    this.set.remove(fd);
    this.keys.delete(fd);
    this.poller.removed(fd);
    return Errno.SUCCESS;
  }

  /** The key of `fd`, or null. */
  getKey(fd: u32): SelectorKey<T> | null {
    return this.keys.has(fd) ? this.keys.get(fd) : null;
  }

  /** The key map, fd to key (read it, do not change it). */
  getMap(): Map<u32, SelectorKey<T>> { return this.keys; }

  /** Number of registered fds. */
  get size(): i32 { return this.keys.size; }

  /**
   * Waits at most `timeoutMs` (< 0: no limit, 0: just look) and returns the ready keys.
   * The array and its entries are reused by the next call. Empty on timeout, and also when there
   * is nothing registered and no limit (check `lastStatus`: INVAL), rather than blocking forever.
   */
  select(timeoutMs: i64): Array<SelectedKey<T>> {
    const out = this.selected;
    if (this.closed) { this.lastStatus = Errno.BADF; out.length = 0; return out; }
    const ready = this.poller.wait(timeoutMs);
    this.lastStatus = this.poller.status;
    let n = 0;
    const reused = lengthOf(out);
    const byId = this.keysById;
    const ids = lengthOf(byId);
    for (let i = 0, k = lengthOf(ready); i < k; i++) {
      const reg = itemAt(ready, i);
      let key = <u32>reg.id < <u32>ids ? itemAt(byId, reg.id) : null;
      if (key == null || key.fd != reg.fd) key = this.keys.get(reg.fd);
      let events: u8 = 0;
      let errno: u16 = 0;
      if (reg.ready & (Ready.ERROR | Ready.HANGUP)) {
        events = key.events; // the next operation will tell what happened
        errno = reg.ready & Ready.ERROR ? reg.errno : 0;
      } else {
        events = reg.ready & key.events;
      }
      if (events == 0) continue;
      let sk: SelectedKey<T>;
      if (n < reused) { sk = itemAt(out, n); sk.key = key; } else { sk = new SelectedKey<T>(key); out.push(sk); }
      sk.events = events;
      sk.errno = errno;
      sk.nbytes = reg.nbytes;
      n++;
    }
    out.length = n;
    return out;
  }

  /** Status of the last select: SUCCESS, INVAL (nothing to wait for), BADF (closed) or the host's errno. */
  lastStatus: Errno = Errno.SUCCESS;

  /** Host calls the dead-fd search has made (0 while no fd has gone bad). */
  get isolationCalls(): i32 { return this.poller.isolations; }

  /**
   * The wake-up bound, ms: on a host whose poll costs O(registered), an idle fd that becomes ready is seen
   * within max(wakeBoundMs, 10 x one full poll's cost) plus one full poll. 0 polls every fd on every select.
   * Default 10.
   */
  get wakeBoundMs(): i64 { return this.poller.policy.wakeBoundMs; }
  set wakeBoundMs(ms: i64) { this.poller.policy.setWakeBound(ms); }

  /** True while busy selects poll only the hot set (the host's full poll measured expensive). */
  get hotMode(): bool { return this.poller.policy.mode == PollMode.HOT; }
  /** fds in the hot set (0 unless hotMode). */
  get hotSize(): i32 { return this.poller.hotSize; }
  /** Host polls over every fd, and over the hot set only, since creation. */
  get fullPolls(): i64 { return this.poller.fullPolls; }
  get hotPolls(): i64 { return this.poller.hotPolls; }

  /** Forgets every fd; later calls answer BADF. Does not close the fds. */
  close(): void {
    this.keys.clear();
    this.keysById.length = 0;
    this.set = new ReadinessSet();
    this.poller = new HotPoller(this.set);
    this.selected.length = 0;
    this.closed = true;
  }
}

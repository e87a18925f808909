/** What a timer runs when it fires. Subclass it: AssemblyScript closures cannot capture state. */
export abstract class TimerCallback {
  /** Called when the timer fires; `id` is the timer's id (cancel it to stop a repeating timer). */
  abstract fire(id: i32): void;
}

/** What a cancelled timer calls instead: nothing. */
class Released extends TimerCallback {
  fire(id: i32): void {}
}
const RELEASED = new Released();

/**
 * A scheduled timer. Cancelled timers stay in the heap until they reach the top (lazy deletion), but
 * let go of their callback at once: a connection's idle timer may be due minutes after the connection
 * closed, and must not keep its buffers alive until then.
 */
export class Timer {
  cancelled: bool = false;
  constructor(public id: i32, public due: i64, public intervalMs: i64, public callback: TimerCallback, public seq: i64) {}
}

/**
 * A binary min-heap of timers ordered by due time, then by creation (so equal deadlines fire in the
 * order they were set). add and cancel are O(log n) and O(1); the next deadline is O(1).
 */
export class TimerHeap {
  private heap: Array<Timer> = [];
  private byId: Map<i32, Timer> = new Map();
  private nextId: i32 = 1;
  private seq: i64 = 0;

  /** Number of live (not cancelled) timers. */
  get size(): i32 { return this.byId.size; }

  /** Schedules `cb` at `due` (ms); `intervalMs > 0` makes it repeat. Returns the timer id. */
  add(due: i64, intervalMs: i64, cb: TimerCallback): i32 {
    const id = this.nextId++;
    const t = new Timer(id, due, intervalMs, cb, this.seq++);
    this.byId.set(id, t);
    this.push(t);
    return id;
  }

  /** Cancels timer `id`; false when it is unknown or already done. */
  cancel(id: i32): bool {
    if (!this.byId.has(id)) return false;
    const t = this.byId.get(id);
    t.cancelled = true;
    t.callback = RELEASED;
    this.byId.delete(id);
    return true;
  }

  /** Due time of the earliest live timer, or -1 when there is none. */
  nextDue(): i64 {
    this.dropCancelled();
    return this.heap.length > 0 ? unchecked(this.heap[0]).due : -1;
  }

  /** Runs every timer due at or before `now`, in order; repeating ones are rescheduled. Returns how many fired. */
  runDue(now: i64): i32 {
    let fired = 0;
    for (;;) {
      this.dropCancelled();
      if (this.heap.length == 0) break;
      const t = unchecked(this.heap[0]);
      if (t.due > now) break;
      this.pop();
      if (t.intervalMs > 0) {
        // Next deadline from the planned one, not from now, so a repeating timer does not drift;
        // but never in the past, or a stalled loop would fire a burst of catch-ups.
        t.due = max(t.due + t.intervalMs, now + 1);
        t.seq = this.seq++;
        this.push(t);
      } else {
        this.byId.delete(t.id);
      }
      fired++;
      t.callback.fire(t.id);
    }
    return fired;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && unchecked(this.heap[0]).cancelled) this.pop();
  }

  @inline private before(a: Timer, b: Timer): bool {
    return a.due < b.due || (a.due == b.due && a.seq < b.seq);
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(t, unchecked(h[parent]))) break;
      unchecked(h[i] = h[parent]);
      i = parent;
    }
    unchecked(h[i] = t);
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    const n = h.length;
    if (n == 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(unchecked(h[r]), unchecked(h[l])) ? r : l;
      if (!this.before(unchecked(h[c]), last)) break;
      unchecked(h[i] = h[c]);
      i = c;
    }
    unchecked(h[i] = last);
  }
}

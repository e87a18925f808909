// The keyspace of the kv example: binary-safe keys, values with an optional expiry, and a sweep timer
// that runs only while some key has a TTL.
import { EventLoop, TimerCallback, monotonicMs } from "../../index";

const SWEEP_EVERY_MS: i64 = 1000;

/** A value and when it expires. */
export class Entry {
  /** expiresAt: monotonic ms, 0 for never. */
  constructor(public value: Uint8Array, public expiresAt: i64 = 0) {}
}

/**
 * Keys are binary-safe: each byte becomes one UTF-16 unit of the map's string key, so two different
 * byte strings never collide (decoding them as UTF-8 would merge invalid sequences).
 */
export function keyOf(b: Uint8Array): string {
  const s = changetype<string>(__new(<usize>b.length << 1, idof<String>()));
  for (let i = 0; i < b.length; i++) store<u16>(changetype<usize>(s) + (<usize>i << 1), <u16>unchecked(b[i]));
  return s;
}

/** The keys and values, shared by every connection. It is also the timer callback of its own sweep. */
export class Store extends TimerCallback {
  private map: Map<string, Entry> = new Map();
  /** Entries with a TTL: the sweep timer runs while this is above zero. */
  private volatile: i32 = 0;
  private sweepTimer: i32 = 0;

  constructor(private loop: EventLoop) { super(); }

  /** The sweep timer fired: remove expired keys nobody asked for (active expiry). */
  fire(id: i32): void { this.sweep(); }

  /** The live entry for `key`; an expired one is deleted on the way (lazy expiry). */
  get(key: string): Entry | null {
    if (!this.map.has(key)) return null;
    const e = this.map.get(key);
    if (e.expiresAt != 0 && monotonicMs() >= e.expiresAt) { this.delete(key); return null; }
    return e;
  }

  /** Stores `e` under `key`, replacing any entry (and its TTL). */
  set(key: string, e: Entry): void {
    if (this.map.has(key) && this.map.get(key).expiresAt != 0) this.volatile--;
    this.map.set(key, e);
    if (e.expiresAt != 0) {
      this.volatile++;
      if (this.sweepTimer == 0) this.sweepTimer = this.loop.setInterval(SWEEP_EVERY_MS, this);
    }
  }

  /** Removes `key`; false when it was not there (or had expired). */
  delete(key: string): bool {
    if (!this.map.has(key)) return false;
    if (this.map.get(key).expiresAt != 0) this.volatile--;
    this.map.delete(key);
    this.stopSweeperIfIdle();
    return true;
  }

  /** Removes every key. */
  clear(): void {
    this.map.clear();
    this.volatile = 0;
    this.stopSweeperIfIdle();
  }

  /** Deletes every expired key. */
  sweep(): void {
    if (this.volatile > 0) {
      const now = monotonicMs();
      const keys = this.map.keys();
      for (let i = 0; i < keys.length; i++) {
        const e = this.map.get(unchecked(keys[i]));
        if (e.expiresAt != 0 && now >= e.expiresAt) this.delete(unchecked(keys[i]));
      }
    }
    this.stopSweeperIfIdle();
  }

  /** Live keys (sweeps first, so expired ones are not counted). */
  size(): i32 { this.sweep(); return this.map.size; }
  get withTtl(): i32 { return this.volatile; }

  private stopSweeperIfIdle(): void {
    // An idle loop with no timer sleeps in one poll until a client speaks: keep it that way.
    if (this.volatile == 0 && this.sweepTimer != 0) {
      this.loop.cancel(this.sweepTimer);
      this.sweepTimer = 0;
    }
  }
}


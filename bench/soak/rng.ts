// A seeded random source (mulberry32), so that a soak run's choices and bytes can be replayed with --seed, and
// the pools of random bytes that writes are cut from.

/** A small, fast, seeded PRNG; not for cryptography. */
export class Rng {
  private state: number;
  constructor(seed: number) { this.state = seed >>> 0; }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }

  /** True with probability p. */
  chance(p: number): boolean { return this.next() < p; }

  /** A size in [1, max], log-uniform: as many tiny writes as large ones. */
  size(max: number): number { return Math.max(1, Math.min(max, Math.round(2 ** (this.next() * Math.log2(max))))); }

  /** An independent stream derived from this one (one per connection slot). */
  fork(): Rng { return new Rng(Math.floor(this.next() * 4294967296)); }
}

/** `size` seeded random bytes; printable ASCII only (no newline) when `printable`. */
export function bytePool(rng: Rng, size: number, printable: boolean): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = printable ? 0x20 + Math.floor(rng.next() * 95) : Math.floor(rng.next() * 256);
  return b;
}

/** `len` bytes of a pool at a random offset: a view, not a copy (pools are never written after they are made). */
export function slice(rng: Rng, pool: Buffer, len: number): Buffer {
  const at = rng.int(0, pool.length - len);
  return pool.subarray(at, at + len);
}

// A growable byte queue shared by the http and kv examples: input arrives in arbitrary pieces and
// is appended at the back, the parser consumes whole messages from the front; replies are built
// the same way and handed to Connection.write in one call (one send per batch, not per reply).
// Every accessor checks its bounds, so a parser bug reads 0 / -1 instead of trapping. A buffer may
// have a limit: it grows by doubling up to it, never past it, and an append that does not fit is refused.

/** A growable byte queue: bytes are appended at the back and consumed from the front. */
export class ByteBuffer {
  private data: Uint8Array;
  private start: i32 = 0;
  private end: i32 = 0;

  constructor(private initial: i32 = 4096, private limit: i32 = i32.MAX_VALUE) {
    this.data = new Uint8Array(min(initial, limit));
  }

  /** Bytes held. */
  get length(): i32 { return this.end - this.start; }
  /** Bytes of memory the buffer holds (what a memory budget counts). */
  get capacity(): i32 { return this.data.length; }
  /** True when `extra` more bytes would fit under the limit. */
  fits(extra: i32): bool { return extra <= this.limit - this.length; }
  /** True when nothing is held. */
  get isEmpty(): bool { return this.end == this.start; }
  /** Address of the first byte; valid until the next append/reserve. */
  get ptr(): usize { return this.data.dataStart + <usize>this.start; }

  /** Byte `i` from the front, or 0 when out of range. */
  at(i: i32): u8 {
    if (i < 0 || i >= this.length) return 0;
    return load<u8>(this.ptr + <usize>i);
  }

  /** Position of the first `b` at or after `from`, searching at most up to `limit`; -1 if none. */
  indexOf(b: u8, from: i32, limit: i32 = i32.MAX_VALUE): i32 {
    const n = min(this.length, limit);
    const p = this.ptr;
    for (let i = max(from, 0); i < n; i++) if (load<u8>(p + <usize>i) == b) return i;
    return -1;
  }

  /** A copy of `len` bytes at offset `off` (empty when out of range). */
  slice(off: i32, len: i32): Uint8Array {
    if (off < 0 || len <= 0 || off > this.length - len) return new Uint8Array(0);
    const out = new Uint8Array(len);
    memory.copy(out.dataStart, this.ptr + <usize>off, <usize>len);
    return out;
  }

  /** Makes room for `extra` more bytes at the back (moves data to the front first); false past the limit. */
  reserve(extra: i32): bool {
    const len = this.length;
    if (!this.fits(extra)) return false;
    if (this.end + extra <= this.data.length) return true;
    if (len + extra <= this.data.length) {
      memory.copy(this.data.dataStart, this.ptr, <usize>len);
    } else {
      const cap = max(len + extra, <i32>min<i64>(<i64>this.data.length * 2, this.limit));
      const bigger = new Uint8Array(cap);
      memory.copy(bigger.dataStart, this.ptr, <usize>len);
      this.data = bigger;
    }
    this.start = 0;
    this.end = len;
    return true;
  }

  /** Appends `len` bytes from `src`; false (and nothing appended) when they would pass the limit. */
  append(src: usize, len: i32): bool {
    if (len <= 0) return true;
    if (!this.reserve(len)) return false;
    memory.copy(this.data.dataStart + <usize>this.end, src, <usize>len);
    this.end += len;
    return true;
  }
  appendBytes(b: Uint8Array): void { this.append(b.dataStart, b.length); }
  /** Appends the UTF-8 form of `s` (replies here are mostly ASCII). */
  appendString(s: string): void {
    const b = String.UTF8.encode(s);
    this.append(changetype<usize>(b), b.byteLength);
  }
  /** Appends one byte. */
  appendByte(b: u8): void {
    if (!this.reserve(1)) return;
    store<u8>(this.data.dataStart + <usize>this.end, b);
    this.end++;
  }

  /**
   * The first `len` bytes as an array that shares this buffer's memory (no copy): for a buffer that
   * is handed over whole and not used afterwards. Empty when fewer bytes are held.
   */
  view(len: i32): Uint8Array {
    if (len <= 0 || len > this.length) return new Uint8Array(0);
    return Uint8Array.wrap(this.data.buffer, this.start, len);
  }

  /** Drops `n` bytes from the front; an emptied buffer that grew large goes back to its initial size. */
  consume(n: i32): void {
    this.start += min(max(n, 0), this.length);
    if (this.start == this.end) this.clear();
  }

  /** Drops everything. */
  clear(): void {
    this.start = 0;
    this.end = 0;
    if (this.data.length > max(this.initial, 256 * 1024)) this.data = new Uint8Array(this.initial);
  }
}

/** ASCII lower-casing, for case-insensitive comparisons of header names and commands. */
export function lowerAscii(c: u8): u8 { return c >= 65 && c <= 90 ? c + 32 : c; }

/** True when `len` bytes at `p` equal the ASCII text `lower`, ignoring case. */
export function equalsIgnoreCase(p: usize, len: i32, lower: string): bool {
  if (len != lower.length) return false;
  for (let i = 0; i < len; i++) {
    if (lowerAscii(load<u8>(p + <usize>i)) != <u8>lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Parses a decimal i64 the strict way Redis does (optional '-', digits, no '+', no spaces, no
 * leading zeros). Returns false on anything else, including overflow; the value goes in `out[0]`.
 */
export function parseStrictI64(p: usize, len: i32, out: StaticArray<i64>): bool {
  if (len <= 0 || len > 20) return false;
  let i = 0;
  const neg = load<u8>(p) == 45; // '-'
  if (neg) i = 1;
  if (i >= len) return false;
  if (load<u8>(p + <usize>i) == 48 && len - i > 1) return false; // leading zero
  // Accumulate as a negative number: i64 has one more negative value than positive ones.
  let v: i64 = 0;
  for (; i < len; i++) {
    const c = load<u8>(p + <usize>i);
    if (c < 48 || c > 57) return false;
    const d = <i64>(c - 48);
    if (v < (i64.MIN_VALUE + d) / 10) return false;
    v = v * 10 - d;
  }
  if (neg) {
    if (v == 0) return false; // "-0"
    out[0] = v;
  } else {
    if (v == i64.MIN_VALUE) return false;
    out[0] = -v;
  }
  return true;
}

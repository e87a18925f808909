/**
 * Bytes waiting to be sent, as a queue of chunks. Watermarks tell the writer when to stop
 * producing (pending above `high`) and when to start again (pending back at or below `low`).
 */
export class OutputBuffer {
  private chunks: Array<Uint8Array> = [];
  /** Offset of the first unsent byte in chunks[0]. */
  private head: i32 = 0;
  private bytes: i64 = 0;

  constructor(public high: i64 = 256 * 1024, public low: i64 = 64 * 1024) {}

  /** Bytes queued and not yet sent. */
  @inline get pending(): i64 { return this.bytes; }
  /** True when the queue is past the high watermark: stop producing. */
  @inline get full(): bool { return this.bytes > this.high; }
  /** True when the queue is at or below the low watermark. */
  @inline get drained(): bool { return this.bytes <= this.low; }
  @inline get isEmpty(): bool { return this.bytes == 0; }

  /** Queues a copy of `len` bytes at `ptr`. */
  pushCopy(ptr: usize, len: i32): void {
    if (len <= 0) return;
    const c = new Uint8Array(len);
    memory.copy(c.dataStart, ptr, <usize>len);
    this.chunks.push(c);
    this.bytes += len;
  }

  /** Queues `data` itself (no copy: the caller must not change it afterwards). */
  push(data: Uint8Array): void {
    if (data.length == 0) return;
    this.chunks.push(data);
    this.bytes += data.length;
  }

  /** Address and length of the first unsent run of bytes (length 0 when empty). */
  frontPtr(): usize {
    return this.chunks.length == 0 ? 0 : unchecked(this.chunks[0]).dataStart + <usize>this.head;
  }
  frontLen(): i32 {
    return this.chunks.length == 0 ? 0 : unchecked(this.chunks[0]).length - this.head;
  }

  /** Drops `n` sent bytes from the front (n <= frontLen()). */
  consume(n: i32): void {
    if (n <= 0) return;
    this.head += n;
    this.bytes -= n;
    if (this.head >= unchecked(this.chunks[0]).length) {
      this.chunks.shift();
      this.head = 0;
    }
  }

  /** Drops everything. */
  clear(): void {
    this.chunks.length = 0;
    this.head = 0;
    this.bytes = 0;
  }
}

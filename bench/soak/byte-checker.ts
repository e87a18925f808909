// Checks a byte stream against a queue of expectations, in order, whatever the split of the arrivals: echoed
// bytes, kv replies and HTTP responses are each an Expectation. A mismatch throws CheckError; what is still
// expected when a connection ends is the count of lost bytes.

/** Bytes that differ from, or come in excess of, what was expected. */
export class CheckError extends Error {
  constructor(message: string, readonly wrongBytes: number) { super(message); }
}

/** Something expected next on a stream. */
export interface Expectation {
  /** Consumes bytes of `data` from `offset` on; returns where it stopped. Throws CheckError on a mismatch. */
  consume(data: Buffer, offset: number): number;
  /** Everything expected has come. */
  readonly complete: boolean;
  /** Bytes still to come (at least 1 while incomplete). */
  readonly missing: number;
}

/** Exactly these bytes (an echoed write, a kv reply). */
export class ExactBytes implements Expectation {
  private at = 0;
  constructor(private readonly want: Buffer, private readonly what = 'bytes') {}

  consume(data: Buffer, offset: number): number {
    const n = Math.min(this.want.length - this.at, data.length - offset);
    if (data.compare(this.want, this.at, this.at + n, offset, offset + n) !== 0) {
      let i = 0;
      while (data[offset + i] === this.want[this.at + i]) i++;
      throw new CheckError(`${this.what}: byte ${this.at + i} of ${this.want.length} differs ` +
        `(got ${describe(data.subarray(offset + i, offset + i + 16))}, expected ${describe(this.want.subarray(this.at + i, this.at + i + 16))})`, n - i);
    }
    this.at += n;
    return offset + n;
  }

  get complete(): boolean { return this.at === this.want.length; }
  get missing(): number { return this.want.length - this.at; }
}

/** A few bytes for an error line: printable ASCII as is, the rest escaped. */
export function describe(b: Buffer): string {
  return JSON.stringify(b.toString('latin1').replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

interface Pending { e: Expectation; done: () => void }

/** A queue of expectations fed with what arrives. */
export class ByteChecker {
  private queue: Pending[] = [];
  private head = 0;

  constructor(private readonly onChecked: (bytes: number) => void) {}

  /** Queues an expectation; `done` runs once it is complete. */
  expect(e: Expectation, done: () => void): void { this.queue.push({ e, done }); }

  /** Checks what arrived. Throws CheckError on a mismatch or on bytes nothing expected. */
  feed(data: Buffer): void {
    let at = 0;
    while (at < data.length) {
      const p = this.queue[this.head];
      if (!p) throw new CheckError(`${data.length - at} unexpected bytes ${describe(data.subarray(at, at + 16))}`, data.length - at);
      const next = p.e.consume(data, at);
      this.onChecked(next - at);
      at = next;
      if (p.e.complete) {
        this.head++;
        if (this.head > 64 && this.head * 2 > this.queue.length) { this.queue = this.queue.slice(this.head); this.head = 0; }
        p.done();
      }
    }
  }

  /** Nothing is expected any more. */
  get idle(): boolean { return this.head === this.queue.length; }

  /** Bytes expected but not yet come. */
  get missing(): number {
    let n = 0;
    for (let i = this.head; i < this.queue.length; i++) n += this.queue[i].e.missing;
    return n;
  }

  /** Forgets every expectation (the connection is gone); returns the bytes they still missed. */
  abandon(): number {
    const n = this.missing;
    this.queue = [];
    this.head = 0;
    return n;
  }
}

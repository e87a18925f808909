// The Redis protocol (RESP2 multibulk and inline commands) parser of the kv example, fed the bytes of
// one connection in whatever pieces they arrive. It never holds more than the client has sent:
// a `$N` header reserves nothing, a large bulk grows its own buffer as its bytes come in, and what
// one connection and all connections together may hold is capped (InputBudget). A partial line is
// scanned once, however many reads it takes to arrive.
import { ByteBuffer, parseStrictI64 } from "./byte-buffer";

/** Largest bulk string, as Redis' proto-max-bulk-len (smaller: a Wasm guest has 4 GiB in all). */
export const MAX_BULK: i64 = 64 * 1024 * 1024;
/** Longest `*N` / `$N` header line or inline command we wait for before calling it malformed. */
const MAX_LINE: i32 = 64 * 1024;
/** Most arguments in one command (Redis allows more; nothing here needs that many). */
const MAX_ARGS: i64 = 1024 * 1024;
/** Bulks at least this long are received into their own buffer, handed over without a copy. */
const OWN_BUFFER_AT: i64 = 16 * 1024;
/** What an argument costs besides its bytes (its array object), so a million empty ones count too. */
const ARG_OVERHEAD: i64 = 64;

/** What next() found at the front of the input. */
export enum Step { NEED_MORE, READY, SKIP, STOP }

const CR: u8 = 13;
const LF: u8 = 10;
const intBox = new StaticArray<i64>(1);
const CLIENT_LIMIT = "ERR client input over its limit (--max-client-bytes)";

/** The memory every connection's parser draws on: input received and not yet executed. */
export class InputBudget {
  /** Bytes held by all parsers now. */
  held: i64 = 0;
  constructor(public limit: i64) {}
}

/** One connection's parser. feed() the bytes, then call next() until it answers NEED_MORE or STOP. */
export class RespParser {
  /** The arguments of the command next() answered READY for (the caller takes them). */
  args: Array<Uint8Array> = [];
  /** Why next() answered STOP (the text of an error reply, without the leading '-'). */
  error: string = "";
  /** Bytes examined while looking for line ends (each byte once: tests check it). */
  scanned: i64 = 0;
  private input: ByteBuffer = new ByteBuffer(4096);
  /** A large bulk being received into its own buffer, or null. */
  private big: ByteBuffer | null = null;
  /** Where the search for the current line's end resumes (bytes before it hold no LF). */
  private scanFrom: i32 = 0;
  private argsLeft: i64 = 0;
  private bulkLen: i64 = -1;
  /** Bytes of the current command's arguments, parsed or announced and being received. */
  private argBytes: i64 = 0;
  /** Bytes of the arguments in `args`, with their overhead. */
  private argsHeld: i64 = 0;
  /** What this parser has counted against the budget. */
  private charged: i64 = 0;

  constructor(private budget: InputBudget, private clientLimit: i64) {}

  /** Bytes this connection holds: its input buffer, a large bulk arriving, and the parsed arguments. */
  get held(): i64 {
    const big = this.big;
    return <i64>this.input.capacity + (big != null ? <i64>big.capacity : 0) + this.argsHeld;
  }

  /** True when nothing is buffered (no command in progress). */
  get isEmpty(): bool { return this.input.isEmpty && this.big == null && this.argsLeft == 0; }

  /** Takes `len` bytes that arrived. False when they would pass a limit: `error` says which. */
  feed(data: usize, len: i32): bool {
    const big = this.big;
    if (big != null) {
      // The rest of a large bulk goes straight into its buffer, never through the input.
      const take = <i32>min<i64>(len, this.bulkLen + 2 - big.length);
      big.append(data, take);
      data += <usize>take;
      len -= take;
    }
    if (len > 0 && !this.input.append(data, len)) return this.refuse(CLIENT_LIMIT);
    this.account();
    if (this.charged > this.clientLimit) return this.refuse(CLIENT_LIMIT);
    if (this.budget.held > this.budget.limit) return this.refuse("ERR server input buffers full (--max-input-bytes)");
    return true;
  }

  /** Gives what this parser holds back to the budget (the connection closed). */
  release(): void {
    this.budget.held -= this.charged;
    this.charged = 0;
  }

  /** Counts what the parser holds now against the budget. */
  private account(): void {
    const now = this.held;
    this.budget.held += now - this.charged;
    this.charged = now;
  }

  private refuse(why: string): bool {
    this.error = why;
    return false;
  }

  private protocolError(what: string): Step {
    this.error = "ERR Protocol error: " + what;
    return Step.STOP;
  }

  /** The end (LF) of the line at the front within MAX_LINE, or -1; a retry resumes where this one stopped. */
  private lineEnd(): i32 {
    const inp = this.input;
    const from = this.scanFrom;
    const nl = inp.indexOf(LF, from, MAX_LINE);
    const stop = nl < 0 ? min(inp.length, MAX_LINE) : nl + 1;
    this.scanned += stop - from;
    this.scanFrom = nl < 0 ? stop : 0; // a found line is consumed (or ends the session)
    return nl;
  }

  /** Reads the integer of a `*N\r\n` / `$N\r\n` line ending at `nl`; false if it is not one. */
  private lineInt(nl: i32): bool {
    const inp = this.input;
    if (nl < 2 || inp.at(nl - 1) != CR) return false;
    return parseStrictI64(inp.ptr + 1, nl - 2, intBox);
  }

  /**
   * Parses at most one command from the front of the input. Progress is kept here, so a 64 MiB
   * value arriving in 1000 reads is looked at once, not 1000 times.
   */
  next(): Step {
    if (this.argsLeft == 0 && this.argsHeld > 0) {
      // The previous command's arguments are the caller's now: they no longer count.
      this.args = [];
      this.argsHeld = 0;
    }
    const step = this.parse();
    if (step == Step.NEED_MORE) this.account();
    return step;
  }

  private parse(): Step {
    const inp = this.input;
    if (this.argsLeft == 0) {
      if (inp.isEmpty) return Step.NEED_MORE;
      if (inp.at(0) != 42) return this.parseInline(); // not '*'
      const nl = this.lineEnd();
      if (nl < 0) return inp.length >= MAX_LINE ? this.protocolError("too big mbulk count string") : Step.NEED_MORE;
      if (!this.lineInt(nl) || intBox[0] > MAX_ARGS) return this.protocolError("invalid multibulk length");
      inp.consume(nl + 1);
      if (intBox[0] <= 0) return Step.SKIP; // *0 and *-1 are no commands, as in Redis
      this.argsLeft = intBox[0];
      this.argBytes = 0;
      this.args = [];
    }
    while (this.argsLeft > 0) {
      if (this.bulkLen < 0) {
        if (inp.isEmpty) return Step.NEED_MORE;
        const nl = this.lineEnd();
        if (nl < 0) return inp.length >= MAX_LINE ? this.protocolError("too big bulk count string") : Step.NEED_MORE;
        const c = inp.at(0);
        if (c != 36) return this.protocolError("expected '$', got '" + (c >= 32 && c < 127 ? String.fromCharCode(c) : "?") + "'");
        if (!this.lineInt(nl) || intBox[0] < 0 || intBox[0] > MAX_BULK) return this.protocolError("invalid bulk length");
        this.argBytes += intBox[0];
        if (this.argBytes > this.clientLimit) return this.protocolError("command too large");
        inp.consume(nl + 1);
        this.bulkLen = intBox[0];
        if (this.bulkLen >= OWN_BUFFER_AT) this.startBigBulk();
      }
      const n = <i32>this.bulkLen;
      const big = this.big;
      const src = big != null ? big : inp;
      if (src.length < n + 2) return Step.NEED_MORE;
      if (src.at(n) != CR || src.at(n + 1) != LF) return this.protocolError("expected CRLF after bulk string");
      if (big != null) {
        this.args.push(big.view(n)); // the bulk keeps its buffer: no copy
        this.big = null;
        this.argsHeld += <i64>big.capacity + ARG_OVERHEAD;
      } else {
        this.args.push(inp.slice(0, n));
        inp.consume(n + 2);
        this.argsHeld += <i64>n + ARG_OVERHEAD;
      }
      this.bulkLen = -1;
      this.argsLeft--;
    }
    return Step.READY;
  }

  /** A large bulk gets its own buffer, limited to its announced size and grown as its bytes come. */
  private startBigBulk(): void {
    const want = <i32>this.bulkLen + 2;
    const big = new ByteBuffer(4096, want);
    const inp = this.input;
    const take = min(inp.length, want);
    big.append(inp.ptr, take);
    inp.consume(take);
    this.big = big;
  }

  /** Inline commands (`PING\r\n`, what telnet and redis-benchmark's PING_INLINE send). */
  private parseInline(): Step {
    const inp = this.input;
    const nl = this.lineEnd();
    if (nl < 0) return inp.length >= MAX_LINE ? this.protocolError("too big inline request") : Step.NEED_MORE;
    const end = nl > 0 && inp.at(nl - 1) == CR ? nl - 1 : nl;
    const args = new Array<Uint8Array>();
    let i = 0;
    while (i < end) {
      while (i < end && (inp.at(i) == 32 || inp.at(i) == 9)) i++;
      const s = i;
      while (i < end && inp.at(i) != 32 && inp.at(i) != 9) i++;
      if (i > s) args.push(inp.slice(s, i - s));
    }
    inp.consume(nl + 1);
    if (args.length == 0) return Step.SKIP; // empty line: ignored
    this.args = args;
    this.argsHeld = <i64>end + <i64>args.length * ARG_OVERHEAD;
    return Step.READY;
  }
}

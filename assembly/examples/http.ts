// http: an HTTP/1.1 server that answers every request with "hello\n", with keep-alive and
// pipelining. It shows the pattern every protocol server on wasmux follows: one handler object per
// connection holding its parser state, incremental parsing of bytes that arrive in any split,
// replies batched into one write, and backpressure through pauseReading / onDrain.
//   wasmux run --listen 127.0.0.1:8080 build/http.wasm
//   curl -v http://127.0.0.1:8080/   ab -k -n 10000 -c 50 http://127.0.0.1:8080/   wrk http://127.0.0.1:8080/
//
// What it accepts: any method and target; HTTP/1.1 (keep-alive unless `Connection: close`) and
// HTTP/1.0 (close unless `Connection: keep-alive`); bodies with Content-Length, read and discarded.
// What it refuses, closing afterwards: malformed request lines or headers (400), a head over 8 KiB
// (413), an HTTP version other than 1.0/1.1 (505), and any Transfer-Encoding, so chunked request
// bodies too (501): without decoding them we could not find where the next request starts.
// It sends no Date header (the core exposes no wall clock) and does not insist on Host.
//
// Timeouts (flags after `--`, in ms, 0 turns one off):
//   --header-timeout (10000)  a request head must arrive whole within this, counted from the
//                             connection's start or the head's first byte; else 408 and a close
//   --idle-timeout   (60000)  a connection that sends nothing and takes no reply for this long is closed
import { EventLoop, Connection, StreamHandler, ServerHandler, logLine, monotonicMs } from "../index";
import { ByteBuffer, equalsIgnoreCase } from "./lib/byte-buffer";
import { listenersOrExit } from "./lib/listeners";
import { Flags } from "./lib/flags";
import { Deadline, DeadlineTimer } from "./lib/deadline-timer";

/** Largest request line + headers we buffer; a client cannot make us hold more while parsing. */
const MAX_HEAD: i32 = 8 * 1024;
/** Pipelined replies are batched; past this many bytes they go out before parsing more. */
const FLUSH_AT: i32 = 16 * 1024;

const flags = new Flags("http")
  .define("header-timeout", 10_000, "MS")
  .define("idle-timeout", 60_000, "MS")
  .parse();
const HEADER_TIMEOUT_MS = flags.get("header-timeout");
const IDLE_TIMEOUT_MS = flags.get("idle-timeout");
/** The shortest timeout in use: how far ahead a connection's timer may look (0: no timer at all). */
const SHORTEST_TIMEOUT_MS: i64 = HEADER_TIMEOUT_MS == 0 ? IDLE_TIMEOUT_MS
  : IDLE_TIMEOUT_MS == 0 ? HEADER_TIMEOUT_MS : min(HEADER_TIMEOUT_MS, IDLE_TIMEOUT_MS);

/** A full response, encoded once at start: the hot path only copies bytes. */
function response(status: string, body: string, keepAlive: bool, withBody: bool): Uint8Array {
  const head = "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " +
    String.UTF8.byteLength(body).toString() + "\r\nConnection: " + (keepAlive ? "keep-alive" : "close") + "\r\n\r\n";
  return Uint8Array.wrap(String.UTF8.encode(withBody ? head + body : head));
}
const HELLO = "hello\n";
const OK_KEEP = response("200 OK", HELLO, true, true);
const OK_CLOSE = response("200 OK", HELLO, false, true);
const OK_KEEP_HEAD = response("200 OK", HELLO, true, false);
const OK_CLOSE_HEAD = response("200 OK", HELLO, false, false);

/** What parseRequest did with the buffered input. */
enum Step { NEED_MORE, HANDLED, STOP }

// RFC 9110 token characters (method and header names).
function isTchar(c: u8): bool {
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return true;
  return c == 33 || (c >= 35 && c <= 39) || c == 42 || c == 43 || c == 45 || c == 46 || c == 94 ||
    c == 95 || c == 96 || c == 124 || c == 126;
}
function allTchar(p: usize, len: i32): bool {
  if (len <= 0) return false;
  for (let i = 0; i < len; i++) if (!isTchar(load<u8>(p + <usize>i))) return false;
  return true;
}
function isDigit(c: u8): bool { return c >= 48 && c <= 57; }
function isBlank(c: u8): bool { return c == 32 || c == 9; }
function equalsExact(p: usize, len: i32, s: string): bool {
  if (len != s.length) return false;
  for (let i = 0; i < len; i++) if (load<u8>(p + <usize>i) != <u8>s.charCodeAt(i)) return false;
  return true;
}

/**
 * One per connection (onConnect returns a new one): everything a request in flight needs lives
 * here, because the next bytes of it may come in a later onData.
 */
class HttpSession extends StreamHandler implements Deadline {
  private input: ByteBuffer = new ByteBuffer(4096);
  private output: ByteBuffer = new ByteBuffer(1024);
  /** Request body bytes still to skip before the next request starts. */
  private bodyLeft: i64 = 0;
  /** Paused for backpressure: buffered requests wait for onDrain. */
  private paused: bool = false;
  /** The request being read is the last one (Connection: close): close once its body is read. */
  private lastRequest: bool = false;
  /** The last response is queued; the connection closes once it is sent. */
  private done: bool = false;
  /** Where the search for the end of the head resumes: the line it is in, and the next byte to look at. */
  private lineStart: i32 = 0;
  private searchFrom: i32 = 0;
  /** Monotonic ms of the last byte received or the last drain of the output. */
  private lastActivity: i64 = monotonicMs();
  /** When the head being waited for started (the connection's start, or its first byte); -1: none awaited. */
  private headStart: i64 = this.lastActivity;
  private timer: DeadlineTimer;

  constructor(private conn: Connection) {
    super();
    this.timer = new DeadlineTimer(conn.loop, SHORTEST_TIMEOUT_MS);
  }

  /** Starts the timeouts (once the session exists, as the timer calls back into it). */
  start(): HttpSession { this.timer.start(this); return this; }

  /** True while the client owes us a request head (not while we hold back for backpressure). */
  private get awaitingHead(): bool { return this.headStart >= 0 && this.bodyLeft == 0 && !this.paused && !this.done; }

  deadline(): i64 {
    let due: i64 = IDLE_TIMEOUT_MS > 0 ? this.lastActivity + IDLE_TIMEOUT_MS : -1;
    if (HEADER_TIMEOUT_MS > 0 && this.awaitingHead) {
      const head = this.headStart + HEADER_TIMEOUT_MS;
      if (due < 0 || head < due) due = head;
    }
    return due;
  }

  expire(): void {
    const conn = this.conn;
    if (HEADER_TIMEOUT_MS == 0 || !this.awaitingHead || monotonicMs() < this.headStart + HEADER_TIMEOUT_MS) {
      conn.close(); // idle: nobody is waiting for anything
      return;
    }
    this.fail("408 Request Timeout");
    this.flush(conn);
    conn.end();
  }

  onClose(conn: Connection, errno: u16): void { this.timer.stop(); }

  onData(conn: Connection, data: usize, len: i32): void {
    if (this.done) return;
    this.lastActivity = monotonicMs();
    // A body being discarded need not be copied in first.
    if (this.bodyLeft > 0 && this.input.isEmpty) {
      const skip = <i32>min<i64>(this.bodyLeft, len);
      this.bodyLeft -= skip;
      data += <usize>skip;
      len -= skip;
    }
    // The data pointer is only valid during this call, so keep a copy of what is not parsed yet.
    this.input.append(data, len);
    this.process(conn);
  }

  onDrain(conn: Connection): void {
    this.lastActivity = monotonicMs();
    if (!this.paused) return;
    this.paused = false;
    conn.resumeReading();
    // Requests that arrived before we paused are already buffered: no new read will announce them.
    this.process(conn);
  }

  /** Answers every complete request in the buffer, in order, until it runs out or must stop. */
  private process(conn: Connection): void {
    while (!this.paused && !this.done && !conn.isClosed) {
      if (this.bodyLeft > 0) {
        const skip = <i32>min<i64>(this.bodyLeft, this.input.length);
        this.input.consume(skip);
        this.bodyLeft -= skip;
        if (this.bodyLeft > 0) break;
      }
      // Closing with part of a body unread would make the kernel reset the connection, which can
      // destroy the response before the client reads it: so close only once the body is consumed.
      if (this.lastRequest) { this.done = true; break; }
      if (this.parseRequest() != Step.HANDLED) break;
      if (this.output.length >= FLUSH_AT) this.flush(conn);
    }
    // Bytes of a next head are waiting: its time starts now (when they arrived).
    if (this.headStart < 0 && this.bodyLeft == 0 && !this.input.isEmpty) this.headStart = this.lastActivity;
    this.flush(conn);
    // end() sends what is queued, then closes; anything more the client sent is ignored.
    if (this.done) conn.end();
  }

  /** Hands the batched replies to the connection; false from write means: stop until onDrain. */
  private flush(conn: Connection): void {
    if (this.output.isEmpty) return;
    const ok = conn.write(this.output.ptr, this.output.length); // copies what it cannot send now
    this.output.clear();
    if (!ok && !this.done) {
      this.paused = true;
      conn.pauseReading();
    }
  }

  private fail(status: string): Step {
    this.output.appendBytes(response(status, status.substring(4) + "\n", false, true));
    this.done = true;
    return Step.STOP;
  }

  /** Parses one request head from the front of the input and queues its response. */
  private parseRequest(): Step {
    const inp = this.input;
    // RFC 9112 2.2: ignore empty lines before a request line (some clients send one after a body).
    while (inp.at(0) == 10 || (inp.at(0) == 13 && inp.at(1) == 10)) {
      inp.consume(inp.at(0) == 10 ? 1 : 2);
      this.lineStart = this.searchFrom = 0;
    }
    if (inp.isEmpty) return Step.NEED_MORE;

    // Find the empty line that ends the head (CRLF endings, bare LF tolerated), within MAX_HEAD.
    // The search resumes where the last one stopped: a head arriving byte by byte is scanned once.
    let headEnd = -1;
    while (true) {
      const nl = inp.indexOf(10, this.searchFrom, MAX_HEAD);
      if (nl < 0) { this.searchFrom = min(inp.length, MAX_HEAD); break; }
      const pos = this.lineStart;
      const lineLen = nl - pos;
      if (pos > 0 && (lineLen == 0 || (lineLen == 1 && inp.at(pos) == 13))) { headEnd = nl + 1; break; }
      this.lineStart = this.searchFrom = nl + 1;
    }
    if (headEnd < 0) return inp.length >= MAX_HEAD ? this.fail("413 Payload Too Large") : Step.NEED_MORE;
    this.lineStart = this.searchFrom = 0; // this head is consumed or refused below

    // Request line: METHOD SP target SP HTTP/x.y
    const base = inp.ptr;
    let nl = inp.indexOf(10, 0);
    let lineEnd = nl > 0 && inp.at(nl - 1) == 13 ? nl - 1 : nl;
    const sp1 = inp.indexOf(32, 0, lineEnd);
    const sp2 = sp1 < 0 ? -1 : inp.indexOf(32, sp1 + 1, lineEnd);
    if (sp1 <= 0 || sp2 < 0 || sp2 == sp1 + 1 || !allTchar(base, sp1)) return this.fail("400 Bad Request");
    for (let i = sp1 + 1; i < sp2; i++) {
      const c = inp.at(i);
      if (c <= 32 || c == 127) return this.fail("400 Bad Request");
    }
    // "HTTP/" DIGIT "." DIGIT, case-sensitive; a well-formed version we do not speak gets 505.
    const v = base + <usize>(sp2 + 1);
    if (lineEnd - sp2 - 1 != 8 || !equalsExact(v, 5, "HTTP/") || load<u8>(v + 6) != 46 ||
        !isDigit(load<u8>(v + 5)) || !isDigit(load<u8>(v + 7))) return this.fail("400 Bad Request");
    if (load<u8>(v + 5) != 49 || load<u8>(v + 7) > 49) return this.fail("505 HTTP Version Not Supported");
    const http11 = load<u8>(v + 7) == 49;
    const isHead = equalsExact(base, sp1, "HEAD"); // methods are case-sensitive

    // Header fields: only the ones that decide framing and keep-alive matter to us.
    let contentLength: i64 = -1;
    let hasTransferEncoding = false;
    let wantsClose = false;
    let wantsKeepAlive = false;
    let ls = nl + 1;
    while (ls < headEnd) {
      nl = inp.indexOf(10, ls, headEnd);
      lineEnd = nl > ls && inp.at(nl - 1) == 13 ? nl - 1 : nl;
      if (lineEnd == ls) break; // the empty line
      // A bare CR, or a continuation line (obs-fold), could be read differently by a proxy: refuse.
      const colon = inp.indexOf(58, ls, lineEnd);
      if (colon <= ls || !allTchar(base + <usize>ls, colon - ls) || inp.indexOf(13, ls, lineEnd) >= 0) {
        return this.fail("400 Bad Request");
      }
      let vs = colon + 1;
      let ve = lineEnd;
      while (vs < ve && isBlank(inp.at(vs))) vs++;
      while (ve > vs && isBlank(inp.at(ve - 1))) ve--;
      const name = base + <usize>ls;
      const nameLen = colon - ls;
      if (equalsIgnoreCase(name, nameLen, "content-length")) {
        // Digits only: "+5", "5, 5" or two different values are how requests get smuggled.
        if (ve == vs || ve - vs > 15) return this.fail("400 Bad Request");
        let n: i64 = 0;
        for (let i = vs; i < ve; i++) {
          const c = inp.at(i);
          if (!isDigit(c)) return this.fail("400 Bad Request");
          n = n * 10 + <i64>(c - 48);
        }
        if (contentLength >= 0 && contentLength != n) return this.fail("400 Bad Request");
        contentLength = n;
      } else if (equalsIgnoreCase(name, nameLen, "transfer-encoding")) {
        hasTransferEncoding = true;
      } else if (equalsIgnoreCase(name, nameLen, "connection")) {
        // A comma-separated list of options, e.g. "keep-alive, Upgrade".
        let ts = vs;
        while (ts < ve) {
          let te = inp.indexOf(44, ts, ve);
          if (te < 0) te = ve;
          let a = ts;
          let b = te;
          while (a < b && isBlank(inp.at(a))) a++;
          while (b > a && isBlank(inp.at(b - 1))) b--;
          if (equalsIgnoreCase(base + <usize>a, b - a, "close")) wantsClose = true;
          else if (equalsIgnoreCase(base + <usize>a, b - a, "keep-alive")) wantsKeepAlive = true;
          ts = te + 1;
        }
      }
      ls = nl + 1;
    }
    if (hasTransferEncoding) return this.fail("501 Not Implemented");

    inp.consume(headEnd);
    this.headStart = -1; // the next head's time starts with its first byte
    this.bodyLeft = contentLength > 0 ? contentLength : 0;
    const keepAlive = !wantsClose && (http11 || wantsKeepAlive);
    this.output.appendBytes(keepAlive ? (isHead ? OK_KEEP_HEAD : OK_KEEP) : (isHead ? OK_CLOSE_HEAD : OK_CLOSE));
    if (!keepAlive) this.lastRequest = true;
    return Step.HANDLED;
  }
}

class HttpServer extends ServerHandler {
  // Unlike echo, each connection gets its own handler: it carries that connection's parser.
  onConnect(conn: Connection): StreamHandler | null { return new HttpSession(conn).start(); }
}

const listeners = listenersOrExit("http");
const loop = new EventLoop();
const server = new HttpServer();
for (let i = 0; i < listeners.length; i++) loop.listen(listeners[i], server);
logLine("http: serving on " + listeners.length.toString() + " listener(s), first fd " + listeners[0].fd.toString());
loop.run();

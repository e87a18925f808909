import { Errno } from "../wasi/errno";
import { monotonicMs } from "../wasi/clock";
import { getenv } from "../wasi/environ";
import { logLine } from "../wasi/stderr";
import { Selector, EVENT_READ, EVENT_WRITE } from "../select/selector";
import { lengthOf, itemAt } from "../readiness/array-reads";
import { Listener } from "../net/listener";
import { Stream, ConnectResult } from "../net/stream";
import { SocketAddress } from "../net/socket-address";
import { Watcher } from "./watcher";
import { ServerHandler, StreamHandler } from "./handlers";
import { Connection, ConnectCheck } from "./connection";

/** The WASIX way to learn a connection's outcome (see ConnectCheck). */
class PeerAddressCheck extends ConnectCheck {
  finish(stream: Stream): u16 { return stream.finishConnect(); }
}
import { Acceptor } from "./acceptor";
import { TimerCallback, TimerHeap } from "./timers";

/** What EventLoop.round answers when run() goes on (every Errno is >= 0). */
const ROUND_AGAIN: i32 = -1;

/**
 * A single-threaded event loop over a Selector: listeners, connections, your own watchers and
 * timers. When idle it blocks in one poll until the next timer is due (or for ever when there is
 * none); it never spins. Readiness is a hint: every watcher reads until AGAIN, or until it has read
 * what the host reported (readHint), and copes with AGAIN. On a host whose poll costs O(registered fds),
 * busy turns poll only the active fds (Selector.wakeBoundMs; the environment variable WASMUX_WAKE_MS
 * overrides it when run() starts, 0 polls every fd on every turn).
 */
export class EventLoop {
  readonly selector: Selector<Watcher> = new Selector<Watcher>();
  readonly timers: TimerHeap = new TimerHeap();
  /** Scratch space every connection reads into; handlers copy what they keep. */
  readonly readBuffer: Uint8Array;
  /** @internal readBuffer's address and length, read once per message without the typed array's getters. */
  readonly readPtr: usize;
  readonly readLen: i32;
  private stopped: bool = false;
  private open: i32 = 0;
  /** Polls made by run() (for tests and benchmarks). */
  iterations: i64 = 0;

  constructor(readBufferSize: i32 = 64 * 1024) {
    const buf = new Uint8Array(readBufferSize);
    this.readBuffer = buf;
    this.readPtr = buf.dataStart;
    this.readLen = buf.length;
  }

  /** Accepts connections from `listener`, giving each the handler `server` picks. */
  listen(listener: Listener, server: ServerHandler): Errno {
    return this.selector.register(listener.fd, EVENT_READ, new Acceptor(this, listener, server));
  }

  /**
   * Opens an outgoing connection to "HOST:PORT" with `handler`; its onConnect runs once connected, or
   * its onClose with the errno when the connection fails. Returns null when it could not even start
   * (see lastConnectErrno: INVAL, NOTCAPABLE, NOSYS...). Output written before onConnect is queued.
   * A name is resolved on every call: for many connections to one name, Stream.lookup it once and
   * use connectTo.
   */
  connect(address: string, handler: StreamHandler): Connection | null {
    return this.started(Stream.connect(address), handler);
  }

  /** connect() to an address already looked up (Stream.lookup). */
  connectTo(address: SocketAddress, handler: StreamHandler): Connection | null {
    return this.started(Stream.connectTo(address), handler);
  }

  private started(r: ConnectResult, handler: StreamHandler): Connection | null {
    this.lastConnectErrno = r.errno;
    const stream = r.stream;
    if (stream == null) return null;
    const conn = new Connection(this, stream);
    conn.handler = handler;
    this.connectionOpened(conn);
    if (r.inProgress) conn.startConnecting(new PeerAddressCheck());
    else conn.connected();
    return conn;
  }

  /** Why the last connect() returned null (or SUCCESS / INPROGRESS when it did not). */
  lastConnectErrno: Errno = Errno.SUCCESS;

  /** Watches any fd with your own Watcher (events: EVENT_READ | EVENT_WRITE). */
  watch(fd: u32, events: u8, watcher: Watcher): Errno {
    const err = this.selector.register(fd, events, watcher);
    if (err == Errno.SUCCESS) watcher.watchedAt(this.selector, fd);
    return err;
  }

  /** Changes what a watched fd waits for. */
  rewatch(fd: u32, events: u8, watcher: Watcher): Errno {
    const err = this.selector.modify(fd, events, watcher);
    if (err == Errno.SUCCESS) watcher.watchedAt(this.selector, fd);
    return err;
  }

  /** Stops watching an fd (does not close it). */
  unwatch(fd: u32): Errno { return this.selector.unregister(fd); }

  /** Runs `cb` once after `delayMs`; returns an id for cancel(). */
  setTimeout(delayMs: i64, cb: TimerCallback): i32 {
    return this.timers.add(monotonicMs() + max<i64>(delayMs, 0), 0, cb);
  }

  /** Runs `cb` every `intervalMs` (at least 1); returns an id for cancel(). */
  setInterval(intervalMs: i64, cb: TimerCallback): i32 {
    const every = max<i64>(intervalMs, 1);
    return this.timers.add(monotonicMs() + every, every, cb);
  }

  /** Cancels a timer; false when it already fired (one-shot) or never existed. */
  cancel(timerId: i32): bool { return this.timers.cancel(timerId); }

  /** Makes run() return after the current round. */
  stop(): void { this.stopped = true; }

  /** Connections currently open. */
  get connections(): i32 { return this.open; }

  /**
   * Runs until stop(), or until nothing is left to wait for (no fd watched, no timer).
   * Returns SUCCESS, or the host's errno when polling itself failed.
   */
  run(): Errno {
    this.stopped = false;
    // Read here, not in the constructor: an operator's override wins over the program's setting.
    const wake = wakeBoundFromEnv();
    if (wake >= 0) this.selector.wakeBoundMs = wake;
    // Each round is a function of its own: an engine compiles a function that is already running once and
    // for all (Wasm has no on-stack replacement), so a loop body written here would stay in V8's baseline
    // tier for the whole run wherever run() is entered only once (JSPI, wasmtime).
    while (!this.stopped) {
      const status = this.round();
      if (status != ROUND_AGAIN) return <Errno>status;
    }
    return Errno.SUCCESS;
  }

  /** One round of run(): poll, dispatch, run due timers. ROUND_AGAIN, or what run() returns. */
  private round(): i32 {
    const due = this.timers.nextDue();
    if (this.selector.size == 0 && due < 0) return Errno.SUCCESS;
    const timeout: i64 = due < 0 ? -1 : max<i64>(due - monotonicMs(), 0);
    const ready = this.selector.select(timeout);
    const status = this.selector.lastStatus;
    if (status != Errno.SUCCESS && status != Errno.INTR) return status;
    this.iterations++;
    for (let i = 0, n = lengthOf(ready); i < n; i++) {
      const sk = itemAt(ready, i);
      const w = sk.key.data;
      if (w.finished) continue;
      if (sk.errno != 0) { w.onError(sk.errno); continue; }
      if (sk.events & EVENT_READ) { w.readHint = sk.nbytes; w.onReadable(); }
      if ((sk.events & EVENT_WRITE) && !w.finished) w.onWritable();
    }
    if (due >= 0) this.timers.runDue(monotonicMs());
    return ROUND_AGAIN;
  }

  /** @internal bookkeeping from Connection and Acceptor. */
  connectionOpened(conn: Connection): void { this.open++; }
  /** @internal */
  connectionClosed(conn: Connection): void { this.open--; }
}

/** WASMUX_WAKE_MS as a number of ms, or -1 when unset; a malformed value is reported once and ignored. */
function wakeBoundFromEnv(): i64 {
  const v = getenv("WASMUX_WAKE_MS");
  if (v == null) return -1;
  let ms: i64 = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57 || i >= 9) {
      logLine("wasmux: WASMUX_WAKE_MS must be a whole number of milliseconds (got '" + v + "'); keeping the default");
      return -1;
    }
    ms = ms * 10 + <i64>(c - 48);
  }
  return v.length == 0 ? -1 : ms;
}

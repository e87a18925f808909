import { Errno } from "../wasi/errno";
import { Stream } from "../net/stream";
import { OutputBuffer } from "./output-buffer";
import { Watcher } from "./watcher";
import { StreamHandler } from "./handlers";
import { EventLoop } from "./event-loop";
import { Ready } from "../readiness/interest";
import { TimerCallback } from "./timers";

/** Bytes read per wakeup before the loop moves on to other fds (fairness under load). */
const READ_BUDGET: i32 = 1 << 20;

/**
 * How a connecting Connection learns the outcome. Only EventLoop.connect creates one, so modules that
 * never connect do not link the WASIX call behind it (and keep running under wasmtime).
 */
export abstract class ConnectCheck {
  /** SUCCESS when connected, else why the connection failed. */
  abstract finish(stream: Stream): u16;
}

/**
 * Where a connection is in its life. Every change of state goes through Connection.step(), which is
 * the whole transition table; the methods only feed it events.
 */
export enum ConnState {
  /** The outgoing connection is being made: output queues, nothing is read. */
  CONNECTING,
  /** Reading and writing. */
  OPEN,
  /** endWrite(): sending what is queued, then the write side is shut. Still reading. */
  WRITE_ENDING,
  /** endWrite() done: the write side is shut (the peer read EOF). Still reading. */
  WRITE_ENDED,
  /** end(): sending what is queued, then half-closing (or closing, when the peer already ended). Not reading. */
  ENDING,
  /** end() done: the write side is shut and what the peer still sends is discarded until its EOF or lingerMs. */
  LINGERING,
  /** Closed: the fd is gone and the handler heard onClose. */
  CLOSED,
}

/** What moves a connection from one state to the next (see Connection.step). */
enum ConnEvent {
  /** The application called endWrite(). */
  END_WRITE,
  /** The application called end(). */
  END,
  /** The outgoing connection is made. */
  CONNECTED,
  /** Nothing is queued any more (and the connection is made). */
  FLUSHED,
  /** The peer half-closed (a read returned 0 bytes). */
  PEER_EOF,
  /** The linger timer ran out. */
  LINGER_OVER,
}

/** Closes a lingering connection whose peer did not close in time. */
class LingerTimeout extends TimerCallback {
  constructor(private conn: Connection) { super(); }
  fire(id: i32): void { this.conn.lingerOver(); }
}

/**
 * A stream in the event loop: reads are dispatched to a StreamHandler, writes are buffered.
 * It waits for READ while reading is on and for WRITE only while output is pending, so an idle
 * connection costs one subscription and a writer never spins.
 */
export class Connection extends Watcher {
  handler: StreamHandler = new StreamHandler();
  /** Output not yet accepted by the host. Tune `out.high` / `out.low` per connection. */
  readonly out: OutputBuffer = new OutputBuffer();
  /** Free for the application: a session id, a buffer, a parser. */
  userdata: u64 = 0;
  /** How long end() waits, once everything is sent, for the peer to close before closing anyway. */
  lingerMs: i64 = 2000;
  private state: ConnState = ConnState.OPEN;
  /** While CONNECTING: the state to enter once connected (end() or endWrite() may come first). */
  private afterConnect: ConnState = ConnState.OPEN;
  private connectCheck: ConnectCheck | null = null;
  /** Backpressure from the application (pauseReading), independent of the state. */
  private paused: bool = false;
  /** The peer half-closed: nothing more will be read. */
  private eof: bool = false;
  /** The output passed its high watermark: onDrain is owed once it falls to the low one. */
  private drainOwed: bool = false;
  /** What the selector watches for this fd now (0: not registered). */
  private interest: u8 = 0;
  /** Id of the linger timer while LINGERING (timer ids start at 1), else 0. */
  private lingerTimer: i32 = 0;

  constructor(public readonly loop: EventLoop, public readonly stream: Stream) { super(); }

  @inline get fd(): u32 { return this.stream.fd; }
  /** Where the connection is in its life. */
  get currentState(): ConnState { return this.state; }
  /** True while an outgoing connection is being made. */
  get isConnecting(): bool { return this.state == ConnState.CONNECTING; }
  /** True once end() or endWrite() has sent everything and shut the write side. */
  get writeEnded(): bool { return this.state == ConnState.WRITE_ENDED || this.state == ConnState.LINGERING; }
  get isClosed(): bool { return this.state == ConnState.CLOSED; }
  /** True once the peer half-closed. */
  get peerEnded(): bool { return this.eof; }

  /**
   * Queues `len` bytes from `data` and sends what the host takes at once. Returns false when the
   * output is past its high watermark (the data is still queued: nothing is lost): stop producing
   * until onDrain. Returns false and drops the data once the connection is closed, ending, or after
   * endWrite().
   */
  write(data: usize, len: i32): bool {
    if (!this.acceptsOutput) return false;
    if (len <= 0) return !this.out.full;
    let sent = 0;
    if (this.canSendNow) {
      // Optimistic write: most sends succeed whole, which saves a select round trip.
      const r = this.stream.sendFrom(data, len);
      if (r.ok) sent = r.n;
      else if (!r.wouldBlock) { this.close(r.errno); return false; }
    }
    // Sent whole (the usual case): nothing was queued, so the interest and the watermarks are as they were.
    if (sent == len && !this.out.full) return true;
    this.out.pushCopy(data + <usize>sent, len - sent);
    if (this.out.full) this.drainOwed = true;
    this.updateInterest();
    return !this.out.full;
  }

  /** write() for a byte array. */
  writeBytes(data: Uint8Array): bool { return this.write(data.dataStart, data.length); }

  /** write() for a string, as UTF-8. */
  writeString(s: string): bool {
    const b = String.UTF8.encode(s);
    return this.write(changetype<usize>(b), b.byteLength);
  }

  /**
   * Half-close: sends everything pending, then shuts the write side (the peer reads EOF) and keeps
   * reading. For proxies and request/response clients; end() closes both sides.
   */
  endWrite(): void { this.step(ConnEvent.END_WRITE); }

  /**
   * Sends everything pending, then closes. Incoming data is no longer delivered. When the peer has
   * not closed its side yet, the connection half-closes and discards what the peer still sends until
   * it closes (at most `lingerMs`): closing with unread data would make the kernel answer with a
   * reset, which can destroy the response just sent (a 400 before the request was read, say).
   * While still connecting, it waits for the connection and sends what was queued first.
   */
  end(): void { this.step(ConnEvent.END); }

  /** Stops reading (backpressure): the host then stops taking data from the peer. */
  pauseReading(): void { this.paused = true; this.updateInterest(); }
  /** Reads again after pauseReading. */
  resumeReading(): void { this.paused = false; this.updateInterest(); }

  /** Closes now, dropping pending output. `errno` is passed on to onClose (0: by choice). */
  close(errno: u16 = 0): void {
    if (this.state == ConnState.CLOSED) return;
    this.state = ConnState.CLOSED;
    this.finished = true;
    if (this.lingerTimer != 0) this.loop.cancel(this.lingerTimer);
    this.lingerTimer = 0;
    if (this.interest != 0) this.loop.selector.unregister(this.fd);
    this.interest = 0;
    this.out.clear();
    this.stream.close();
    this.loop.connectionClosed(this);
    this.handler.onClose(this, errno);
  }

  /** Starts watching the stream; called by the loop once the handler is set. */
  start(): void { this.updateInterest(); }

  /** Starts watching a stream whose connection is in progress: writable means connected (or failed). */
  startConnecting(check: ConnectCheck): void {
    if (this.state != ConnState.OPEN) return;
    this.connectCheck = check;
    this.state = ConnState.CONNECTING;
    this.updateInterest();
  }

  /** The outgoing connection is made: normal interest from now on, then the handler hears of it. */
  connected(): void {
    this.connectCheck = null;
    this.step(ConnEvent.CONNECTED);
    if (this.state != ConnState.CLOSED) this.handler.onConnect(this);
  }

  /** @internal the linger timer ran out. */
  lingerOver(): void { this.step(ConnEvent.LINGER_OVER); }

  /**
   * The transition table: every state change of a connection happens here. Events that do not
   * apply to the current state are ignored (end() twice, endWrite() after end(), anything once closed).
   */
  private step(event: ConnEvent): void {
    switch (this.state) {
      case ConnState.CONNECTING: {
        // The application may end before the connection is made: remember it, act once connected.
        if (event == ConnEvent.END) this.afterConnect = ConnState.ENDING;
        else if (event == ConnEvent.END_WRITE && this.afterConnect == ConnState.OPEN) this.afterConnect = ConnState.WRITE_ENDING;
        else if (event == ConnEvent.CONNECTED) { this.state = this.afterConnect; this.updateInterest(); }
        return;
      }
      case ConnState.OPEN: {
        if (event == ConnEvent.END_WRITE) this.flushThen(ConnState.WRITE_ENDING);
        else if (event == ConnEvent.END) this.flushThen(ConnState.ENDING);
        else if (event == ConnEvent.PEER_EOF) this.peerEof();
        return;
      }
      case ConnState.WRITE_ENDING: {
        if (event == ConnEvent.FLUSHED) { if (this.shutWrite()) { this.state = ConnState.WRITE_ENDED; this.updateInterest(); } }
        else if (event == ConnEvent.END) this.flushThen(ConnState.ENDING);
        else if (event == ConnEvent.PEER_EOF) this.peerEof();
        return;
      }
      case ConnState.WRITE_ENDED: {
        // The write side is already shut: end() has nothing left to send.
        if (event == ConnEvent.END) this.lingerOrClose();
        else if (event == ConnEvent.PEER_EOF) this.peerEof();
        return;
      }
      case ConnState.ENDING: {
        if (event == ConnEvent.FLUSHED && (this.eof || this.shutWrite())) this.lingerOrClose();
        return;
      }
      case ConnState.LINGERING: {
        if (event == ConnEvent.PEER_EOF || event == ConnEvent.LINGER_OVER) this.close(0);
        return;
      }
      case ConnState.CLOSED: return;
    }
  }

  /** Enters a flushing state, and its FLUSHED step at once when nothing is queued (which sets the interest). */
  private flushThen(next: ConnState): void {
    this.state = next;
    if (this.out.isEmpty) this.step(ConnEvent.FLUSHED);
    else this.updateInterest();
  }

  /** After end() with the write side shut: close when the peer has ended too, else linger for its EOF. */
  private lingerOrClose(): void {
    if (this.eof) { this.close(0); return; }
    this.state = ConnState.LINGERING;
    this.lingerTimer = this.loop.setTimeout(this.lingerMs, new LingerTimeout(this));
    this.updateInterest();
  }

  /** The peer half-closed while we still read: stop reading and tell the handler (which may end()). */
  private peerEof(): void {
    this.eof = true;
    this.updateInterest();
    this.handler.onEnd(this);
  }

  /** Shuts the write side; false (and the connection closed with the errno) when the host refuses. */
  private shutWrite(): bool {
    const err = this.stream.shutdownWrite();
    if (err != Errno.SUCCESS) { this.close(err); return false; }
    return true;
  }

  /** write() takes data: open, or connecting with nothing but opening planned. */
  @inline private get acceptsOutput(): bool {
    return this.state == ConnState.OPEN || (this.state == ConnState.CONNECTING && this.afterConnect == ConnState.OPEN);
  }

  /** Nothing is queued and the connection is made: a send can go out now. */
  @inline private get canSendNow(): bool { return this.out.isEmpty && this.state != ConnState.CONNECTING; }

  /** Data from the peer is delivered to the handler in these states (unless paused or at EOF). */
  @inline private get delivering(): bool {
    const s = this.state;
    return (s == ConnState.OPEN || s == ConnState.WRITE_ENDING || s == ConnState.WRITE_ENDED) && !this.paused && !this.eof;
  }

  private finishConnecting(check: ConnectCheck): bool {
    const err = check.finish(this.stream);
    if (err != Errno.SUCCESS) { this.close(err); return false; }
    this.connected();
    return this.state != ConnState.CLOSED;
  }

  onReadable(): void {
    if (this.state == ConnState.LINGERING) { this.discard(); return; }
    const loop = this.loop;
    const bufPtr = loop.readPtr, bufLen = loop.readLen;
    let budget = READ_BUDGET;
    // Once we have read what the host said was there, stop: the next poll reports anything newer
    // (level-triggered), and the read that would only answer AGAIN is saved — one host call per message.
    let expected = this.readHint;
    while (this.delivering && budget > 0) {
      const r = this.stream.recvInto(bufPtr, bufLen);
      if (r.wouldBlock) break;
      if (!r.ok) { this.close(r.errno); return; }
      if (r.n == 0) { this.step(ConnEvent.PEER_EOF); return; }
      budget -= r.n;
      this.handler.onData(this, bufPtr, r.n);
      if (expected > 0) {
        if (<u64>r.n >= expected) break;
        expected -= <u64>r.n;
      }
    }
  }

  /** While lingering: reads and drops what the peer still sends, closes at its EOF. */
  private discard(): void {
    const buf = this.loop.readBuffer;
    for (let budget = READ_BUDGET; budget > 0 && this.state == ConnState.LINGERING; ) {
      const r = this.stream.recvInto(buf.dataStart, buf.length);
      if (r.wouldBlock) return;
      if (!r.ok) { this.close(r.errno); return; }
      if (r.n == 0) { this.step(ConnEvent.PEER_EOF); return; }
      budget -= r.n;
    }
  }

  onWritable(): void {
    if (this.state == ConnState.CLOSED) return;
    const check = this.connectCheck;
    if (check != null && !this.finishConnecting(check)) return;
    const out = this.out;
    while (!out.isEmpty) {
      const r = this.stream.sendFrom(out.frontPtr(), out.frontLen());
      if (r.wouldBlock) break;
      if (!r.ok) { this.close(r.errno); return; }
      out.consume(r.n);
    }
    if (out.isEmpty) this.step(ConnEvent.FLUSHED);
    // A failed shutdown or an end() closes the connection: no onDrain then.
    if (this.state == ConnState.CLOSED || this.state == ConnState.LINGERING) return;
    this.updateInterest();
    if (this.drainOwed && out.drained) {
      this.drainOwed = false;
      this.handler.onDrain(this);
    }
  }

  onError(errno: u16): void { this.close(errno); }

  private updateInterest(): void {
    if (this.state == ConnState.CLOSED) return;
    const s = this.state;
    const read = s == ConnState.LINGERING || this.delivering;
    const want: u8 = s == ConnState.CONNECTING ? Ready.WRITE
      : (read ? Ready.READ : 0) | (this.out.isEmpty ? 0 : Ready.WRITE);
    if (want == this.interest) return;
    const sel = this.loop.selector;
    if (this.interest == 0) sel.register(this.fd, want, this);
    else if (want == 0) sel.unregister(this.fd);
    else sel.modify(this.fd, want, this);
    this.interest = want;
  }
}

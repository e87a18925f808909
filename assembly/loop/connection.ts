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

/** Closes a lingering connection whose peer did not close in time. */
class LingerTimeout extends TimerCallback {
  constructor(private conn: Connection) { super(); }
  fire(id: i32): void { this.conn.close(0); }
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
  private reading: bool = true;
  private eof: bool = false;
  private ending: bool = false;
  private closed: bool = false;
  private wasFull: bool = false;
  private interest: u8 = 0;
  /** Id of the linger timer while lingering (timer ids start at 1), else 0. */
  private lingerTimer: i32 = 0;
  private connectCheck: ConnectCheck | null = null;
  private writeEnding: bool = false;
  private writeShut: bool = false;

  constructor(public readonly loop: EventLoop, public readonly stream: Stream) { super(); }

  get fd(): u32 { return this.stream.fd; }
  /** True while an outgoing connection is being made. */
  get isConnecting(): bool { return this.connectCheck != null; }
  /** True once endWrite() has sent everything and shut the write side. */
  get writeEnded(): bool { return this.writeShut; }
  get isClosed(): bool { return this.closed; }
  /** True once the peer half-closed. */
  get peerEnded(): bool { return this.eof; }

  /**
   * Queues `len` bytes from `data` and sends what the host takes at once. Returns false when the
   * output is past its high watermark (the data is still queued: nothing is lost): stop producing
   * until onDrain. Returns false and drops the data once the connection is closed, ending, or after
   * endWrite().
   */
  write(data: usize, len: i32): bool {
    if (this.closed || this.ending || this.writeEnding) return false;
    if (len <= 0) return !this.out.full;
    let sent = 0;
    if (this.canSendNow) {
      // Optimistic write: most sends succeed whole, which saves a select round trip.
      const r = this.stream.sendFrom(data, len);
      if (r.ok) sent = r.n;
      else if (!r.wouldBlock) { this.close(r.errno); return false; }
    }
    if (sent < len) this.out.pushCopy(data + <usize>sent, len - sent);
    if (this.out.full) this.wasFull = true;
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
  endWrite(): void {
    if (this.closed || this.writeEnding || this.ending) return;
    this.writeEnding = true;
    if (this.canSendNow) this.shutWrite();
    else this.updateInterest();
  }

  /** Nothing is queued and the connection is made: a send can go out now. */
  private get canSendNow(): bool { return this.out.isEmpty && this.connectCheck == null; }

  /** Shuts the write side once; false (and the connection closed with the errno) when the host refuses. */
  private shutWrite(): bool {
    if (this.writeShut) return true;
    this.writeShut = true;
    const err = this.stream.shutdownWrite();
    if (err != Errno.SUCCESS) { this.close(err); return false; }
    return true;
  }

  private get lingering(): bool { return this.lingerTimer != 0; }

  /** Stops reading (backpressure): the host then stops taking data from the peer. */
  pauseReading(): void { this.reading = false; this.updateInterest(); }
  /** Reads again after pauseReading. */
  resumeReading(): void { this.reading = true; this.updateInterest(); }

  /**
   * Sends everything pending, then closes. Incoming data is no longer delivered. When the peer has
   * not closed its side yet, the connection half-closes and discards what the peer still sends until
   * it closes (at most `lingerMs`): closing with unread data would make the kernel answer with a
   * reset, which can destroy the response just sent (a 400 before the request was read, say).
   */
  end(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    this.reading = false;
    // Still connecting: finishing waits for the connection (onWritable), like any queued output.
    if (this.canSendNow) this.finishEnd();
    else this.updateInterest();
  }

  private finishEnd(): void {
    if (this.lingering) return;
    if (this.eof) { this.close(0); return; }
    if (!this.shutWrite()) return;
    this.reading = true;
    this.lingerTimer = this.loop.setTimeout(this.lingerMs, new LingerTimeout(this));
    this.updateInterest();
  }

  /** Closes now, dropping pending output. `errno` is passed on to onClose (0: by choice). */
  close(errno: u16 = 0): void {
    if (this.closed) return;
    this.closed = true;
    this.finished = true;
    if (this.lingerTimer != 0) this.loop.cancel(this.lingerTimer);
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
    this.connectCheck = check;
    this.updateInterest();
  }

  /** The outgoing connection is made: normal interest from now on, then the handler hears of it. */
  connected(): void {
    this.connectCheck = null;
    this.updateInterest();
    this.handler.onConnect(this);
  }

  private finishConnecting(check: ConnectCheck): bool {
    const err = check.finish(this.stream);
    if (err != Errno.SUCCESS) { this.close(err); return false; }
    this.connected();
    return !this.closed;
  }

  onReadable(): void {
    if (this.lingering) { this.discard(); return; }
    const buf = this.loop.readBuffer;
    let budget = READ_BUDGET;
    // Once we have read what the host said was there, stop: the next poll reports anything newer
    // (level-triggered), and the read that would only answer AGAIN is saved — one host call per message.
    let expected = this.readHint;
    while (this.reading && !this.closed && budget > 0) {
      const r = this.stream.recvInto(buf.dataStart, buf.length);
      if (r.wouldBlock) break;
      if (!r.ok) { this.close(r.errno); return; }
      if (r.n == 0) {
        this.eof = true;
        this.reading = false;
        this.updateInterest();
        this.handler.onEnd(this);
        return;
      }
      budget -= r.n;
      this.handler.onData(this, buf.dataStart, r.n);
      if (expected > 0) {
        if (<u64>r.n >= expected) break;
        expected -= <u64>r.n;
      }
    }
  }

  /** While lingering: reads and drops what the peer still sends, closes at its EOF. */
  private discard(): void {
    const buf = this.loop.readBuffer;
    for (let budget = READ_BUDGET; budget > 0 && !this.closed; ) {
      const r = this.stream.recvInto(buf.dataStart, buf.length);
      if (r.wouldBlock) return;
      if (!r.ok || r.n == 0) { this.close(r.ok ? 0 : r.errno); return; }
      budget -= r.n;
    }
  }

  onWritable(): void {
    if (this.closed) return;
    const check = this.connectCheck;
    if (check != null && !this.finishConnecting(check)) return;
    const out = this.out;
    while (!out.isEmpty) {
      const r = this.stream.sendFrom(out.frontPtr(), out.frontLen());
      if (r.wouldBlock) break;
      if (!r.ok) { this.close(r.errno); return; }
      out.consume(r.n);
    }
    if (out.isEmpty && this.ending) { this.finishEnd(); return; }
    if (out.isEmpty && this.writeEnding && !this.shutWrite()) return;
    this.updateInterest();
    if (this.wasFull && out.drained) {
      this.wasFull = false;
      this.handler.onDrain(this);
    }
  }

  onError(errno: u16): void { this.close(errno); }

  private updateInterest(): void {
    if (this.closed) return;
    const want: u8 = this.connectCheck != null ? Ready.WRITE
      : (this.reading && !this.eof ? Ready.READ : 0) | (this.out.isEmpty ? 0 : Ready.WRITE);
    if (want == this.interest) return;
    const sel = this.loop.selector;
    if (this.interest == 0) sel.register(this.fd, want, this);
    else if (want == 0) sel.unregister(this.fd);
    else sel.modify(this.fd, want, this);
    this.interest = want;
  }
}

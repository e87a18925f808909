// A connected TCP socket as the guest sees it: a bounded receive buffer filled by Node's 'data' events and a
// write side bounded by the Node socket's writableLength. Both bounds keep memory per connection constant even
// when the guest or the peer is slow (backpressure both ways).
import type { Socket } from 'node:net';
import { Errno } from '../wasi/abi.js';
import { Watchable, type ChangeHub } from './watchable.js';

/** High-water marks: receive buffer pauses the socket past this; sends answer AGAIN past this. */
export const RECV_HIGH_WATER = 256 * 1024;
export const SEND_HIGH_WATER = 256 * 1024;
/** After the guest closes, unsent data gets this long to flush before the socket is destroyed. */
const CLOSE_LINGER_MS = 30_000;

export class TcpStream extends Watchable {
  /** NONBLOCK fdflag as set by sock_accept or fd_fdstat_set_flags. */
  nonblock: boolean;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private eof = false; // peer sent FIN
  private error = 0; // errno of a socket error (CONNRESET), sticky
  private readShut = false;
  private writeShut = false;
  private closed = false; // destroyed by Node or closed by the guest
  private paused = false;

  constructor(readonly socket: Socket, nonblock: boolean, hub: ChangeHub) {
    super();
    this.attach(hub);
    this.nonblock = nonblock;
    socket.setNoDelay(true); // the guest cannot set TCP_NODELAY; request/response latency matters more here
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => { this.eof = true; this.changed(); });
    socket.on('error', () => {
      // EPIPE/ECONNRESET/ETIMEDOUT all mean the connection is gone; the guest sees CONNRESET on recv.
      if (!this.error) this.error = Errno.CONNRESET;
      this.changed();
    });
    socket.on('close', () => { this.closed = true; this.changed(); });
    socket.on('drain', () => this.changed());
    if (socket.errored) this.error = Errno.CONNRESET; // reset while waiting in the accept queue
    if (socket.destroyed) this.closed = true;
    socket.resume(); // listeners use pauseOnConnect so no byte arrives before the guest owns the socket
  }

  private onData(chunk: Buffer): void {
    if (this.readShut) return; // shut down for reading: discard, as Linux does
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered >= RECV_HIGH_WATER && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    this.changed();
  }

  /** Bytes waiting in the receive buffer. */
  get available(): number {
    return this.buffered;
  }

  /** True when a read would not block: data, EOF, error or read side shut down. */
  get readable(): boolean {
    return this.buffered > 0 || this.eof || this.error !== 0 || this.readShut || this.closed;
  }

  /** True when the peer is gone (FIN received, reset, or socket closed): the HANGUP flag. */
  get hangup(): boolean {
    return this.eof || this.error !== 0 || this.closed;
  }

  /** Bytes a send may queue now without passing the high-water mark. */
  get writeRoom(): number {
    return Math.max(0, SEND_HIGH_WATER - this.socket.writableLength);
  }

  /** True when a send would not block: room to queue, or the send would fail at once. */
  get writable(): boolean {
    return this.writeRoom > 0 || this.writeShut || this.error !== 0 || this.closed || this.socket.destroyed;
  }

  /**
   * Moves (or with peek copies) buffered bytes straight into `dst` (the guest's iovec buffers, in order; no
   * intermediate Buffer). Returns the byte count, 0 at EOF, or -errno (AGAIN when nothing is there yet).
   * Buffered data is delivered before EOF or a reset is reported. `waitAll` asks for every byte of `dst`
   * unless EOF/error comes first.
   */
  readInto(dst: Uint8Array[], peek: boolean, waitAll = false): number {
    let max = 0;
    for (const d of dst) max += d.length;
    if (this.buffered === 0 || (waitAll && this.buffered < max && !this.eof && !this.error && !this.closed)) {
      if (this.readShut || this.eof) return 0;
      if (this.error) return -this.error;
      if (this.closed) return 0;
      if (this.buffered === 0 || waitAll) return -Errno.AGAIN;
    }
    const n = Math.min(max, this.buffered);
    let ci = 0; // current chunk and offset in it
    let co = 0;
    let left = n;
    for (const d of dst) {
      let off = 0;
      while (off < d.length && left > 0) {
        const c = this.chunks[ci];
        const take = Math.min(c.length - co, d.length - off, left);
        d.set(c.subarray(co, co + take), off);
        off += take;
        left -= take;
        co += take;
        if (co === c.length) { ci++; co = 0; }
      }
      if (left === 0) break;
    }
    if (!peek) {
      if (co > 0) this.chunks[ci] = this.chunks[ci].subarray(co);
      if (ci > 0) this.chunks.splice(0, ci);
      this.buffered -= n;
      if (this.paused && this.buffered < RECV_HIGH_WATER / 2) {
        this.paused = false;
        this.socket.resume();
      }
    }
    return n;
  }

  /** Queues up to writeRoom bytes; returns bytes accepted or -errno (AGAIN when full, PIPE when shut/closed). */
  write(data: Buffer): number {
    if (this.writeShut || this.closed || this.socket.destroyed || !this.socket.writable) return -Errno.PIPE;
    if (this.error) return -Errno.PIPE;
    if (data.length === 0) return 0;
    const room = this.writeRoom;
    if (room === 0) return -Errno.AGAIN;
    const chunk = data.length <= room ? data : data.subarray(0, room);
    this.socket.write(chunk);
    return chunk.length;
  }

  /** sock_shutdown: RD discards what is buffered and what still comes; WR sends FIN after queued data. */
  shutdown(rd: boolean, wr: boolean): number {
    if (this.closed && !this.socket.writable && !this.readShut) return Errno.NOTCONN;
    if (rd) {
      this.readShut = true;
      this.chunks = [];
      this.buffered = 0;
      if (this.paused) { this.paused = false; this.socket.resume(); }
    }
    if (wr && !this.writeShut) {
      this.writeShut = true;
      this.socket.end();
    }
    this.changed();
    return Errno.SUCCESS;
  }

  /** fd_close: flush queued data, send FIN, then destroy (or destroy after a linger timeout if the peer stalls). */
  close(): void {
    this.readShut = true;
    this.chunks = [];
    this.buffered = 0;
    this.socket.resume(); // keep draining so the peer's FIN is seen and the socket can finish closing
    if (this.socket.destroyed) return;
    const timer = setTimeout(() => this.socket.destroy(), CLOSE_LINGER_MS);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
    this.socket.end(() => this.socket.destroy());
  }

  /** Host shutdown: drop the connection at once. */
  destroy(): void {
    this.socket.destroy();
  }
}

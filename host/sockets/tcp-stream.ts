// A TCP socket as the guest sees it: a bounded receive buffer filled by Node's 'data' events and a write side
// bounded by the Node socket's writableLength. Both bounds keep memory per connection constant even when the
// guest or the peer is slow (backpressure both ways).
//
// Accepted sockets start connected. A socket from WASIX sock_open starts 'unconnected' (a Node Socket with no
// handle yet), becomes 'connecting' at sock_connect, then 'connected' (from then on exactly like an accepted one)
// or 'failed'. A failed connect keeps its errno pending (SO_ERROR): poll reports it on the socket's events until
// one sock_* call takes it.
import { Buffer } from 'node:buffer';
import type { Socket } from 'node:net';
import { Errno } from '../wasi/abi.js';
import { ChunkQueue } from './chunk-queue.js';
import { socketFd } from './direct-write.js';
import { copyIntoBlock, fitsBlock } from './receive-blocks.js';
import { readsIntoSharedBuffer, setReceiver, type Receiver } from './shared-read-buffer.js';
import { Watchable, type ChangeHub } from './watchable.js';

/** High-water marks: receive buffer pauses the socket past this; sends answer AGAIN past this (a sendRoom() of
 *  exactly SEND_HIGH_WATER means nothing is queued). */
const RECV_HIGH_WATER = 256 * 1024;
export const SEND_HIGH_WATER = 256 * 1024;
/** After the guest closes, unsent data gets this long to flush before the socket is destroyed. */
const CLOSE_LINGER_MS = 30_000;

/** Where an outgoing socket is in its life; accepted sockets are 'connected' from the start. */
export type StreamPhase = 'unconnected' | 'connecting' | 'connected' | 'failed';

/** An address as the guest sees it: family 4 or 6, the address text, the port. */
export interface SockName {
  family: 4 | 6;
  address: string;
  port: number;
}

/** errno of a failed connect, from Node's error code. */
function connectErrno(code: string | undefined): number {
  switch (code) {
    case 'ECONNREFUSED': return Errno.CONNREFUSED;
    case 'ETIMEDOUT': return Errno.TIMEDOUT;
    case 'EHOSTUNREACH': case 'EHOSTDOWN': return Errno.HOSTUNREACH;
    case 'ENETUNREACH': return Errno.NETUNREACH;
    case 'ENETDOWN': return Errno.NETDOWN;
    case 'EADDRNOTAVAIL': return Errno.ADDRNOTAVAIL;
    case 'EADDRINUSE': return Errno.ADDRINUSE;
    case 'ECONNRESET': return Errno.CONNRESET;
    case 'ECONNABORTED': return Errno.CONNABORTED;
    case 'EACCES': return Errno.ACCES;
    case 'EPERM': return Errno.PERM;
    case 'EAFNOSUPPORT': return Errno.AFNOSUPPORT;
    default: return Errno.IO;
  }
}

/** The name of one end of a Node socket, or null when Node does not know it (not connected). */
function sockName(family: string | undefined, address: string | undefined, port: number | undefined): SockName | null {
  if (!address || port === undefined) return null;
  return { family: family === 'IPv6' ? 6 : 4, address, port };
}

/** A TCP connection as the guest sees it (accepted, or opened with WASIX sock_open): bounded both ways. */
export class TcpStream extends Watchable implements Receiver {
  /** NONBLOCK fdflag as set by sock_accept or fd_fdstat_set_flags. */
  nonblock: boolean;
  private chunks = new ChunkQueue();
  private buffered = 0;
  private eof = false; // peer sent FIN
  private error = 0; // errno of a socket error (CONNRESET), sticky
  private readShut = false;
  private writeShut = false;
  private closed = false; // destroyed by Node or closed by the guest
  private paused = false;
  /** Receive buffer size at which the socket is paused: RECV_HIGH_WATER, or more while a WAITALL read asks for more
   *  (a paused socket would never deliver the rest, nor the peer's FIN). */
  private highWater = RECV_HIGH_WATER;
  /** Outgoing sockets: where the connection stands; accepted ones are always 'connected'. */
  private phaseNow: StreamPhase;
  /** errno of a failed connect not yet taken by a sock_* call (SO_ERROR); 0 when none. */
  private pendingError = 0;
  /** Address family asked for at sock_open (outgoing sockets); 0 for accepted ones (never asked). */
  readonly family: 0 | 4 | 6;

  constructor(readonly socket: Socket, nonblock: boolean, hub: ChangeHub, opts: { phase?: 'unconnected'; family?: 4 | 6 } = {}) {
    super();
    this.attach(hub);
    this.nonblock = nonblock;
    this.phaseNow = opts.phase ?? 'connected';
    this.family = opts.family ?? 0;
    if (readsIntoSharedBuffer(socket)) setReceiver(socket, this);
    else socket.on('data', (chunk: Buffer) => this.onData(chunk, false));
    socket.on('end', () => { this.eof = true; this.changed(); });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (this.phaseNow === 'connecting') {
        this.phaseNow = 'failed';
        this.pendingError = connectErrno(err.code);
      } else if (!this.error) {
        // EPIPE/ECONNRESET/ETIMEDOUT all mean the connection is gone; the guest sees CONNRESET on recv.
        this.error = Errno.CONNRESET;
      }
      this.changed();
    });
    socket.on('close', () => {
      this.closed = true;
      if (this.phaseNow === 'connecting') { this.phaseNow = 'failed'; this.pendingError = Errno.CONNABORTED; }
      this.changed();
    });
    socket.on('drain', () => this.changed());
    if (this.phaseNow === 'connected') {
      this.onConnected();
      if (socket.errored) this.error = Errno.CONNRESET; // reset while waiting in the accept queue
      if (socket.destroyed) this.closed = true;
      socket.resume(); // listeners use pauseOnConnect so no byte arrives before the guest owns the socket
    }
  }

  private onConnected(): void {
    this.socket.setNoDelay(true); // the guest cannot set TCP_NODELAY; request/response latency matters more here
  }

  /** Where an outgoing connection stands ('connected' for accepted sockets). */
  get phase(): StreamPhase {
    return this.phaseNow;
  }

  /** The errno of a failed connect until a sock_* call takes it (SO_ERROR); 0 when none is pending. */
  get connectError(): number {
    return this.pendingError;
  }

  /** Takes the pending connect error (returns it once, then 0). */
  takeConnectError(): number {
    const e = this.pendingError;
    this.pendingError = 0;
    if (e) this.changed(); // poll stops reporting it on the events
    return e;
  }

  /**
   * Starts connecting to a literal address (no DNS). Only from 'unconnected'; the outcome arrives as a change
   * (phase 'connected' or 'failed' with connectError set).
   */
  connect(address: string, port: number): void {
    this.phaseNow = 'connecting';
    this.socket.once('connect', () => {
      if (this.phaseNow !== 'connecting') return; // closed by the guest meanwhile
      this.phaseNow = 'connected';
      this.onConnected();
      this.changed();
    });
    this.socket.connect({ host: address, port });
    this.changed();
  }

  /** The local end's name once connected, looked up on request (not per accept) and then kept by Node; null
   *  before, for a failed socket, or when the socket was destroyed before anyone asked (Node cannot look it up
   *  then; Linux answers NOTCONN for a reset socket's peer too). */
  get localName(): SockName | null {
    if (this.phaseNow !== 'connected') return null;
    const s = this.socket;
    return sockName(s.localFamily, s.localAddress, s.localPort);
  }

  /** The peer's name once connected (null as for localName). */
  get peerName(): SockName | null {
    if (this.phaseNow !== 'connected') return null;
    const s = this.socket;
    return sockName(s.remoteFamily, s.remoteAddress, s.remotePort);
  }

  /**
   * A read into the shared buffer (see shared-read-buffer.ts): keeps a copy of its bytes, in a reusable block when
   * nothing is waiting in the queue (the guest takes what came before it first, so a stream holds at most one
   * block, and a reader that falls behind does not hold whole blocks for a few bytes each), else in a Buffer of
   * its own.
   */
  received(bytes: Buffer): void {
    if (this.readShut) return;
    if (this.buffered === 0 && fitsBlock(bytes.length)) {
      this.onData(copyIntoBlock(bytes), true);
      return;
    }
    const chunk = Buffer.allocUnsafe(bytes.length);
    chunk.set(bytes);
    this.onData(chunk, false);
  }

  private onData(chunk: Buffer, inBlock: boolean): void {
    if (this.readShut) return; // shut down for reading: discard, as Linux does
    this.chunks.push(chunk, inBlock);
    this.buffered += chunk.length;
    if (this.buffered >= this.highWater && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    this.changed();
  }

  /** Bytes waiting in the receive buffer. */
  get available(): number {
    return this.buffered;
  }

  /** True when a read would not block: data, EOF, error or read side shut down. Not before a connection
   *  (unconnected or connecting sockets are never ready); a failed one is (every call fails at once). */
  get readable(): boolean {
    if (this.phaseNow !== 'connected') return this.phaseNow === 'failed';
    return this.buffered > 0 || this.eof || this.error !== 0 || this.readShut || this.closed;
  }

  /** True when the peer is gone (FIN received, reset, or socket closed): the HANGUP flag. */
  get hangup(): boolean {
    if (this.phaseNow !== 'connected') return this.phaseNow === 'failed';
    return this.eof || this.error !== 0 || this.closed;
  }

  /** Bytes a send may queue now without passing the high-water mark. */
  get writeRoom(): number {
    return Math.max(0, SEND_HIGH_WATER - this.socket.writableLength);
  }

  /** True when a send would not block: room to queue, or the send would fail at once. */
  get writable(): boolean {
    if (this.phaseNow !== 'connected') return this.phaseNow === 'failed';
    return this.writeRoom > 0 || this.writeShut || this.error !== 0 || this.closed || this.socket.destroyed;
  }

  /**
   * Moves (or with peek copies) buffered bytes straight into guest memory `u8`, into the `n` (ptr, len) ranges of
   * `iov` in order (no intermediate Buffer). Returns the byte count, 0 at EOF, or -errno (AGAIN when nothing is
   * there yet). Buffered data is delivered before EOF or a reset is reported. `waitAll` asks for every byte of the
   * ranges unless EOF/error comes first.
   */
  readInto(u8: Uint8Array, iov: Uint32Array, n: number, peek: boolean, waitAll = false): number {
    if (this.phaseNow !== 'connected') return -this.notConnected(Errno.NOTCONN);
    let max = 0;
    for (let i = 0; i < n; i++) max += iov[2 * i + 1];
    if (this.buffered === 0 || (waitAll && this.buffered < max && !this.eof && !this.error && !this.closed)) {
      if (this.readShut || this.eof) return 0;
      if (this.error) return -this.error;
      if (this.closed) return 0;
      if (waitAll) this.expect(max);
      return -Errno.AGAIN;
    }
    const total = Math.min(max, this.buffered);
    let ci = 0; // current chunk and offset in it
    let co = 0;
    let left = total;
    for (let i = 0; i < n && left > 0; i++) {
      const ptr = iov[2 * i];
      const len = iov[2 * i + 1];
      let off = 0;
      while (off < len && left > 0) {
        const c = this.chunks.at(ci);
        const take = Math.min(c.length - co, len - off, left);
        u8.set(take === c.length ? c : c.subarray(co, co + take), ptr + off);
        off += take;
        left -= take;
        co += take;
        if (co === c.length) { ci++; co = 0; }
      }
    }
    if (!peek) {
      this.chunks.take(ci, co);
      this.buffered -= total;
      this.highWater = RECV_HIGH_WATER;
      if (this.paused && this.buffered < RECV_HIGH_WATER / 2) {
        this.paused = false;
        this.socket.resume();
      }
    }
    return total;
  }

  /** A WAITALL read waits for `n` bytes: lets the buffer grow to `n` (the guest's own buffer bounds it). */
  private expect(n: number): void {
    this.highWater = Math.max(RECV_HIGH_WATER, n);
    if (this.paused && this.buffered < this.highWater) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /**
   * What a send may do now: the bytes it may queue (> 0), or -errno: PIPE when shut, closed or failed, AGAIN when
   * the queue is at its high-water mark. Reads the Node socket's queue once; the send then calls queue().
   */
  sendRoom(): number {
    if (this.phaseNow !== 'connected') return -this.notConnected(Errno.PIPE);
    const s = this.socket;
    if (this.writeShut || this.closed || this.error !== 0 || s.destroyed || !s.writable) return -Errno.PIPE;
    const room = this.writeRoom;
    return room > 0 ? room : -Errno.AGAIN;
  }

  /** The socket's OS fd for a send written straight from guest memory (direct-write.ts), or -1; read at every
   *  call, never kept. */
  get fd(): number {
    return socketFd(this.socket);
  }

  /**
   * Queues bytes a send sized with sendRoom(). True when Node wrote them to the kernel at once and kept no
   * reference to `data` (nothing is queued after the call), so the caller may reuse the buffer.
   */
  queue(data: Buffer): boolean {
    const s = this.socket;
    s.write(data);
    return s.writableLength === 0;
  }

  /** sock_shutdown: RD discards what is buffered and what still comes; WR sends FIN after queued data. */
  shutdown(rd: boolean, wr: boolean): number {
    if (this.phaseNow !== 'connected') {
      const e = this.takeConnectError();
      return e || Errno.NOTCONN;
    }
    if (this.closed && !this.socket.writable && !this.readShut) return Errno.NOTCONN;
    if (rd) {
      this.readShut = true;
      this.chunks.clear();
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
    if (this.phaseNow !== 'connected') {
      // nothing was ever sent: drop the attempt (a connect still in flight is abandoned)
      this.phaseNow = 'failed';
      this.pendingError = 0;
      this.socket.destroy();
      return;
    }
    this.readShut = true;
    this.chunks.clear();
    this.buffered = 0;
    this.socket.resume(); // keep draining so the peer's FIN is seen and the socket can finish closing
    if (this.socket.destroyed) return;
    const timer = setTimeout(() => this.socket.destroy(), CLOSE_LINGER_MS);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
    this.socket.end(() => this.socket.destroy());
  }

  /**
   * recv/send on a socket that is not connected: AGAIN while connecting (the call waits if blocking, as on
   * Linux), the pending connect error once after a failure, then `after` (NOTCONN for recv, PIPE for send);
   * NOTCONN before any connect.
   */
  private notConnected(after: number): number {
    if (this.phaseNow === 'connecting') return Errno.AGAIN;
    if (this.phaseNow === 'unconnected') return Errno.NOTCONN;
    return this.takeConnectError() || after;
  }

  /** Host shutdown: drop the connection at once. */
  destroy(): void {
    this.socket.destroy();
  }
}

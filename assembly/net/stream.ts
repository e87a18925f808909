import { Errno } from "../wasi/errno";
import { fd_close, fd_fdstat_set_flags, sock_recv, sock_send, sock_shutdown } from "../wasi/imports";
import { FDFLAGS_NONBLOCK, SHUT_RD, SHUT_WR, writeIovec } from "../wasi/layout";
import { iovecCell, outA } from "../wasi/scratch";
import { sock_open, sock_connect, sock_addr_peer, sock_addr_local, resolve, SOCK_STREAM, PROTO_TCP, ADDR_PORT_SIZE, ADDR_IP_SIZE } from "../wasi/wasix";
import { HostPort, SocketAddress, literalAddress } from "./socket-address";

/** Addresses asked of resolve() for a name; the first usable one is used. */
const RESOLVE_MAX: u32 = 4;
/** Scratch for addr_port / addr_ip structs (single-threaded, never re-entered). */
const ADDR_CELL: usize = heap.alloc(ADDR_PORT_SIZE);
const RESOLVED_CELLS: usize = heap.alloc(ADDR_IP_SIZE * RESOLVE_MAX);

/** Outcome of Stream.connect: a stream (connected, or still connecting), or why there is none. */
export class ConnectResult {
  constructor(public stream: Stream | null, public errno: Errno, public address: SocketAddress | null) {}
  /** True while the connection is being made: wait until the stream is writable, then call finishConnect(). */
  get inProgress(): bool { return this.stream != null && this.errno == Errno.INPROGRESS; }
}

/** Result of one recv or send: a byte count, or an errno (AGAIN: not now, try after select). */
export class IoResult {
  n: i32 = 0;
  errno: Errno = Errno.SUCCESS;
  /** True when the call moved data or hit EOF; false when errno says why not. */
  @inline get ok(): bool { return this.errno == Errno.SUCCESS; }
  /** True when the socket is not ready: wait for readiness and try again. */
  @inline get wouldBlock(): bool { return this.errno == Errno.AGAIN; }
}

/** A connected TCP stream, non-blocking when it came from Listener.accept or Stream.connect. */
export class Stream {
  private result: IoResult = new IoResult();
  private closed: bool = false;

  constructor(public readonly fd: u32) {}

  /**
   * Starts a non-blocking TCP connection to "HOST:PORT" ("[V6]:PORT" for IPv6; a name is resolved by
   * the host first, see lookup). errno SUCCESS: connected at once; INPROGRESS: put the stream in your
   * writers and call finishConnect() once it is writable; anything else: no stream (INVAL for a
   * malformed address, NOTCAPABLE when the host's policy denies it, NOSYS when the host has no WASIX
   * sockets). Uses the WASIX calls (module wasix_32v1): modules that call it do not run under wasmtime.
   */
  static connect(address: string): ConnectResult {
    const found = Stream.lookup(address);
    const target = found.address;
    return target == null ? found : Stream.connectTo(target);
  }

  /**
   * The address "HOST:PORT" names: a literal as is, a name through the host's resolve (a blocking call:
   * do it once, not per connection). On failure `address` is null and `errno` says why.
   */
  static lookup(address: string): ConnectResult {
    const hp = HostPort.parse(address);
    if (hp == null) return new ConnectResult(null, Errno.INVAL, null);
    let addr = literalAddress(hp);
    if (addr != null) return new ConnectResult(null, Errno.SUCCESS, addr);
    const host = String.UTF8.encode(hp.host);
    const err = resolve(changetype<usize>(host), <u32>host.byteLength, hp.port, RESOLVED_CELLS, RESOLVE_MAX, outA());
    if (err != Errno.SUCCESS) return new ConnectResult(null, err, null);
    const n = min(load<u32>(outA()), RESOLVE_MAX);
    for (let i: u32 = 0; i < n && addr == null; i++) addr = SocketAddress.readIp(RESOLVED_CELLS + <usize>i * ADDR_IP_SIZE, hp.port);
    return addr == null ? new ConnectResult(null, Errno.NOENT, null) : new ConnectResult(null, Errno.SUCCESS, addr);
  }

  /** Starts a non-blocking TCP connection to `target`; the result reads as for connect(). */
  static connectTo(target: SocketAddress): ConnectResult {
    const open = sock_open(target.family, SOCK_STREAM, PROTO_TCP, outA());
    if (open != Errno.SUCCESS) return new ConnectResult(null, open, target);
    const stream = new Stream(load<u32>(outA()));
    let err = fd_fdstat_set_flags(stream.fd, FDFLAGS_NONBLOCK);
    if (err == Errno.SUCCESS) {
      target.writeTo(ADDR_CELL);
      err = sock_connect(stream.fd, ADDR_CELL);
    }
    if (err == Errno.SUCCESS || err == Errno.INPROGRESS) return new ConnectResult(stream, err, target);
    stream.close();
    return new ConnectResult(null, err, target);
  }

  /**
   * After a connecting stream became writable (or its poll event carried an error): SUCCESS when it
   * is connected, else why the connection failed (CONNREFUSED, TIMEDOUT, ...).
   */
  finishConnect(): Errno {
    return sock_addr_peer(this.fd, ADDR_CELL);
  }

  /** The peer's address, or null (not connected, or a host without WASIX sockets). */
  peerAddress(): SocketAddress | null {
    return sock_addr_peer(this.fd, ADDR_CELL) == Errno.SUCCESS ? SocketAddress.readFrom(ADDR_CELL) : null;
  }

  /** The local address, or null. */
  localAddress(): SocketAddress | null {
    return sock_addr_local(this.fd, ADDR_CELL) == Errno.SUCCESS ? SocketAddress.readFrom(ADDR_CELL) : null;
  }

  /**
   * Reads up to `len` bytes into `buf`. n > 0: bytes read; n == 0 with SUCCESS: the peer closed its
   * side (EOF); AGAIN: nothing to read now. The result object is reused by the next call.
   */
  recvInto(buf: usize, len: i32): IoResult {
    const r = this.result;
    writeIovec(iovecCell(), buf, <u32>len);
    r.errno = sock_recv(this.fd, iovecCell(), 1, 0, outA(), outA() + 4);
    r.n = r.errno == Errno.SUCCESS ? <i32>load<u32>(outA()) : 0;
    return r;
  }

  /** Reads into `buf` (all of it at most). See recvInto. */
  recv(buf: Uint8Array): IoResult {
    return this.recvInto(buf.dataStart, buf.length);
  }

  /** Sends up to `len` bytes from `buf`; n may be less than len (a partial write). AGAIN: buffer full. */
  sendFrom(buf: usize, len: i32): IoResult {
    const r = this.result;
    writeIovec(iovecCell(), buf, <u32>len);
    r.errno = sock_send(this.fd, iovecCell(), 1, 0, outA());
    r.n = r.errno == Errno.SUCCESS ? <i32>load<u32>(outA()) : 0;
    return r;
  }

  /** Sends what it can of `buf`. See sendFrom. */
  send(buf: Uint8Array): IoResult {
    return this.sendFrom(buf.dataStart, buf.length);
  }

  /** Half-closes the stream: no more sends (the peer reads EOF) once pending data is sent. */
  shutdownWrite(): Errno { return sock_shutdown(this.fd, SHUT_WR); }

  /** Stops reading: later recvs return EOF. */
  shutdownRead(): Errno { return sock_shutdown(this.fd, SHUT_RD); }

  /** Closes the fd; a second close is a no-op that answers BADF. */
  close(): Errno {
    if (this.closed) return Errno.BADF;
    this.closed = true;
    return fd_close(this.fd);
  }

  /** True once close() was called. */
  get isClosed(): bool { return this.closed; }
}

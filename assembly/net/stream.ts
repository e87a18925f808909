import { Errno } from "../wasi/errno";
import { fd_close, sock_recv, sock_send, sock_shutdown } from "../wasi/imports";
import { SHUT_RD, SHUT_WR, writeIovec } from "../wasi/layout";
import { iovecCell, outA } from "../wasi/scratch";

/** Result of one recv or send: a byte count, or an errno (AGAIN: not now, try after select). */
export class IoResult {
  n: i32 = 0;
  errno: Errno = Errno.SUCCESS;
  /** True when the call moved data or hit EOF; false when errno says why not. */
  get ok(): bool { return this.errno == Errno.SUCCESS; }
  /** True when the socket is not ready: wait for readiness and try again. */
  get wouldBlock(): bool { return this.errno == Errno.AGAIN; }
}

/** A connected TCP stream, non-blocking when it came from Listener.accept. */
export class Stream {
  private result: IoResult = new IoResult();
  private closed: bool = false;

  constructor(public readonly fd: u32) {}

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

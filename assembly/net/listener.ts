import { Errno } from "../wasi/errno";
import { fd_close, sock_accept } from "../wasi/imports";
import { FDFLAGS_NONBLOCK } from "../wasi/layout";
import { outA } from "../wasi/scratch";
import { Stream } from "./stream";

/** A listening TCP socket handed in by the host (preview1 cannot create one). */
export class Listener {
  /** errno of the last accept that returned null: AGAIN means nobody is waiting. */
  lastErrno: Errno = Errno.SUCCESS;

  constructor(public readonly fd: u32) {}

  /** Accepts one connection as a non-blocking Stream, or returns null (see lastErrno; AGAIN: none waiting). */
  accept(): Stream | null {
    const err = sock_accept(this.fd, FDFLAGS_NONBLOCK, outA());
    this.lastErrno = err;
    if (err != Errno.SUCCESS) return null;
    return new Stream(load<u32>(outA()));
  }

  /** Closes the listening fd. */
  close(): Errno { return fd_close(this.fd); }
}

// The preview1 socket calls the core makes, carried out on wasi:sockets and wasi:io streams, for the fds
// of the component backend's own table. Same signatures, same errnos as a preview1 host, so the layers
// above (readiness set, poller, select, net, loop) run unchanged:
//   read: the list arrives in the caller's buffer; nothing yet is AGAIN, a closed stream is EOF (0 bytes);
//   write: at most what check-write allows, nothing allowed is AGAIN; a peek is not possible (NOTSUP:
//   readiness here is exact, so nothing needs one).
import { Errno } from "../wasi/errno";
import { FDFLAGS_NONBLOCK, FILETYPE_SOCKET_STREAM, IOVEC_SIZE, RIFLAGS_PEEK, SHUT_RD, SHUT_WR, writeFdstat } from "../wasi/layout";
import {
  RET, SHUTDOWN_BOTH, SHUTDOWN_RECEIVE, SHUTDOWN_SEND, errorCodeAt1, errorCodeAt4, handleAt, input_read, isErr,
  output_check_write, output_write, streamErrorIsClosed, tcp_accept, tcp_shutdown,
} from "./bindings";
import { ErrorCode, errnoOf } from "./errors";
import { ensureListening } from "./listen";
import { placeNextList } from "./realloc";
import { Socket, SocketState, sockets } from "./socket-table";

/** True when `fd` is one of this backend's sockets (the others belong to the preview1 adapter). */
export function ownsFd(fd: u32): bool {
  return socketOf(fd) != null;
}

/** The socket of `fd`, or null; the listeners are created first, whichever call comes first. */
function socketOf(fd: u32): Socket | null {
  ensureListening();
  return sockets.get(fd);
}

/** sock_accept: the next connection as a new fd (always non-blocking), or AGAIN. */
export function accept(fd: u32, newFdOut: usize): Errno {
  const s = socketOf(fd);
  if (s == null) return Errno.BADF;
  if (s.state != SocketState.LISTENER) return Errno.INVAL;
  tcp_accept(s.socket, RET);
  if (isErr(RET)) {
    // wasmtime reports running out of fds (EMFILE/ENFILE) as `unknown`: say NFILE, so that the core stops
    // watching the listener for a while instead of spinning on it (right for any failure that persists).
    const code = errorCodeAt4(RET);
    return code == ErrorCode.UNKNOWN ? Errno.NFILE : errnoOf(code);
  }
  const conn = sockets.add(SocketState.STREAM, handleAt(RET, 0), handleAt(RET, 1), handleAt(RET, 2));
  store<u32>(newFdOut, conn.fd);
  return Errno.SUCCESS;
}

/** sock_recv into the first non-empty iovec. */
export function recv(fd: u32, iovs: usize, iovsLen: u32, riflags: u16, nreadOut: usize, roflagsOut: usize): Errno {
  const s = socketOf(fd);
  if (s == null) return Errno.BADF;
  if (s.state != SocketState.STREAM) return Errno.NOTCONN;
  if (riflags & RIFLAGS_PEEK) return Errno.NOTSUP;
  store<u16>(roflagsOut, 0);
  const iov = firstIovec(iovs, iovsLen);
  const len = iov == 0 ? 0 : load<u32>(iov, 4);
  store<u32>(nreadOut, 0);
  if (len == 0) return Errno.SUCCESS;
  const buf = <usize>load<u32>(iov);
  placeNextList(buf, len);
  input_read(s.input, len, RET);
  if (isErr(RET)) return streamErrorIsClosed(RET, 4) ? Errno.SUCCESS : Errno.CONNRESET;
  const ptr = load<usize>(RET, 4);
  const n = load<u32>(RET, 8);
  if (ptr != buf) {
    // Not placed (never expected): copy it over and give the block back.
    memory.copy(buf, ptr, <usize>min(n, len));
    if (ptr != 0 && n > 0) heap.free(ptr);
  }
  if (n == 0) return Errno.AGAIN;
  store<u32>(nreadOut, min(n, len));
  return Errno.SUCCESS;
}

/** sock_send of the first non-empty iovec, as much as the stream takes now. */
export function send(fd: u32, iovs: usize, iovsLen: u32, nsentOut: usize): Errno {
  const s = socketOf(fd);
  if (s == null) return Errno.BADF;
  if (s.state != SocketState.STREAM) return Errno.NOTCONN;
  store<u32>(nsentOut, 0);
  const iov = firstIovec(iovs, iovsLen);
  if (iov == 0) return Errno.SUCCESS;
  output_check_write(s.output, RET);
  if (isErr(RET)) return streamErrorIsClosed(RET, 8) ? Errno.PIPE : Errno.CONNRESET;
  const allowed = load<u64>(RET, 8);
  const n = <u32>min(<u64>load<u32>(iov, 4), allowed);
  if (n == 0) return Errno.AGAIN;
  output_write(s.output, <usize>load<u32>(iov), n, RET);
  if (isErr(RET)) return streamErrorIsClosed(RET, 4) ? Errno.PIPE : Errno.CONNRESET;
  store<u32>(nsentOut, n);
  return Errno.SUCCESS;
}

/** sock_shutdown with preview1's sdflags (RD, WR or both). */
export function shutdown(fd: u32, how: u8): Errno {
  const s = socketOf(fd);
  if (s == null) return Errno.BADF;
  if (s.state != SocketState.STREAM) return Errno.NOTCONN;
  const both = SHUT_RD | SHUT_WR;
  if (how == 0 || (how & ~both) != 0) return Errno.INVAL;
  tcp_shutdown(s.socket, how == both ? SHUTDOWN_BOTH : how == SHUT_RD ? SHUTDOWN_RECEIVE : SHUTDOWN_SEND, RET);
  return isErr(RET) ? errnoOf(errorCodeAt1(RET)) : Errno.SUCCESS;
}

/** fd_close: drops the socket's handles. */
export function close(fd: u32): Errno {
  return sockets.close(fd) ? Errno.SUCCESS : Errno.BADF;
}

/** fd_fdstat_get: a stream socket, always non-blocking. */
export function fdstat(fd: u32, statOut: usize): Errno {
  if (socketOf(fd) == null) return Errno.BADF;
  writeFdstat(statOut, FILETYPE_SOCKET_STREAM, FDFLAGS_NONBLOCK);
  return Errno.SUCCESS;
}

/** fd_fdstat_set_flags: these sockets are non-blocking and stay so. */
export function setFlags(fd: u32, flags: u16): Errno {
  if (socketOf(fd) == null) return Errno.BADF;
  return flags == FDFLAGS_NONBLOCK ? Errno.SUCCESS : Errno.NOTSUP;
}

/** Address of the first iovec with a non-zero length, or 0. */
function firstIovec(iovs: usize, n: u32): usize {
  for (let i: u32 = 0; i < n; i++) {
    const p = iovs + <usize>i * IOVEC_SIZE;
    if (load<u32>(p, 4) != 0) return p;
  }
  return 0;
}

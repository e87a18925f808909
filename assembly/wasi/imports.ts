// The WASI preview1 imports the core calls: the WASI shim's declarations, plus sock_accept, the one
// socket call the shim does not declare. The core imports them from here only, so that the unit tests'
// fake host and the real hosts see one list. Pointers are guest addresses; results are errnos.
//
// This file is also the seam between the core and its socket backend, chosen at compile time. Built
// with `--use WASMUX_SOCKETS_P2=1` (the component build), the socket calls below go to ../wasi-p2/, which
// carries them out on wasi:sockets for its own fds; without it (every preview1 build) the branch is not
// compiled at all and the module imports exactly the preview1 functions.
import {
  fd_close as preview1_fd_close,
  fd_fdstat_get as preview1_fd_fdstat_get,
  fd_fdstat_set_flags as preview1_fd_fdstat_set_flags,
  fdstat,
  poll_oneoff as preview1_poll_oneoff,
  sock_recv as preview1_sock_recv,
  sock_send as preview1_sock_send,
  sock_shutdown as preview1_sock_shutdown,
} from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";
import * as p2 from "../wasi-p2/calls";
import { pollOneoff as p2PollOneoff } from "../wasi-p2/poll";

export { fd_write, clock_time_get, environ_sizes_get, environ_get } from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";

/** preview1 poll_oneoff, or the component backend's for its fds. */
// @ts-ignore: decorator
@inline export function poll_oneoff(subs: usize, events: usize, nsubs: u32, neventsOut: usize): u16 {
  if (isDefined(WASMUX_SOCKETS_P2)) return p2PollOneoff(subs, events, nsubs, neventsOut);
  return preview1_poll_oneoff(subs, events, nsubs, neventsOut);
}

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "sock_accept")
declare function preview1_sock_accept(fd: u32, fdflags: u16, newFdOut: usize): u16;
/** preview1 sock_accept, or the component backend's for its fds. */
// @ts-ignore: decorator
@inline export function sock_accept(fd: u32, fdflags: u16, newFdOut: usize): u16 {
  if (isDefined(WASMUX_SOCKETS_P2)) return p2.accept(fd, newFdOut);
  return preview1_sock_accept(fd, fdflags, newFdOut);
}

/** preview1 sock_recv, or the component backend's for its fds. */
// @ts-ignore: decorator
@inline export function sock_recv(fd: u32, iovs: usize, iovsLen: u32, riflags: u16, nreadOut: usize, roflagsOut: usize): u16 {
  if (isDefined(WASMUX_SOCKETS_P2)) return p2.recv(fd, iovs, iovsLen, riflags, nreadOut, roflagsOut);
  return preview1_sock_recv(fd, iovs, iovsLen, riflags, nreadOut, roflagsOut);
}

/** preview1 sock_send, or the component backend's for its fds. */
// @ts-ignore: decorator
@inline export function sock_send(fd: u32, iovs: usize, iovsLen: u32, siflags: u16, nsentOut: usize): u16 {
  if (isDefined(WASMUX_SOCKETS_P2)) return p2.send(fd, iovs, iovsLen, nsentOut);
  return preview1_sock_send(fd, iovs, iovsLen, siflags, nsentOut);
}

/** preview1 sock_shutdown, or the component backend's for its fds. */
// @ts-ignore: decorator
@inline export function sock_shutdown(fd: u32, how: u8): u16 {
  if (isDefined(WASMUX_SOCKETS_P2)) return p2.shutdown(fd, how);
  return preview1_sock_shutdown(fd, how);
}

/** preview1 fd_close, or the component backend's for its fds. */
// @ts-ignore: decorator
@inline export function fd_close(fd: u32): u16 {
  if (isDefined(WASMUX_SOCKETS_P2)) { if (p2.ownsFd(fd)) return p2.close(fd); }
  return preview1_fd_close(fd);
}

/** fd_fdstat_get into the fdstat at `statOut`, or the component backend's for its fds. */
// @ts-ignore: decorator
@inline export function fd_fdstat_get(fd: u32, statOut: usize): u16 {
  if (isDefined(WASMUX_SOCKETS_P2)) { if (p2.ownsFd(fd)) return p2.fdstat(fd, statOut); }
  return preview1_fd_fdstat_get(fd, changetype<fdstat>(statOut));
}

/** preview1 fd_fdstat_set_flags, or the component backend's for its fds. */
// @ts-ignore: decorator
@inline export function fd_fdstat_set_flags(fd: u32, flags: u16): u16 {
  if (isDefined(WASMUX_SOCKETS_P2)) { if (p2.ownsFd(fd)) return p2.setFlags(fd, flags); }
  return preview1_fd_fdstat_set_flags(fd, flags);
}

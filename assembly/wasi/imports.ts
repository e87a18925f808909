// The WASI preview1 imports the core calls: the WASI shim's declarations, plus sock_accept, the one
// socket call the shim does not declare. The core imports them from here only, so that the unit tests'
// fake host and the real hosts see one list. Pointers are guest addresses; results are errnos.
import { fd_fdstat_get as shimFdstatGet, fdstat } from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";

export {
  poll_oneoff, sock_recv, sock_send, sock_shutdown, fd_close, fd_fdstat_set_flags, fd_write, clock_time_get,
  environ_sizes_get, environ_get,
} from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "sock_accept")
export declare function sock_accept(fd: u32, fdflags: u16, newFdOut: usize): u16;

/** fd_fdstat_get into the fdstat at `statOut` (the shim types it as its struct class). */
// @ts-ignore: decorator
@inline export function fd_fdstat_get(fd: u32, statOut: usize): u16 {
  return shimFdstatGet(fd, changetype<fdstat>(statOut));
}

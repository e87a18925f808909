// The WASI preview1 imports the core calls. Declared here, and only here, so that the fake hosts of
// the unit tests and the real hosts see one list. Pointers are guest addresses; results are errnos.

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "poll_oneoff")
export declare function poll_oneoff(subs: usize, events: usize, nsubs: u32, neventsOut: usize): u16;

// Not declared by @assemblyscript/wasi-shim, hence our own list.
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "sock_accept")
export declare function sock_accept(fd: u32, fdflags: u16, newFdOut: usize): u16;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "sock_recv")
export declare function sock_recv(fd: u32, iovs: usize, iovsLen: u32, riflags: u16, nreadOut: usize, roflagsOut: usize): u16;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "sock_send")
export declare function sock_send(fd: u32, iovs: usize, iovsLen: u32, siflags: u16, nsentOut: usize): u16;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "sock_shutdown")
export declare function sock_shutdown(fd: u32, how: u8): u16;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_close")
export declare function fd_close(fd: u32): u16;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_fdstat_get")
export declare function fd_fdstat_get(fd: u32, statOut: usize): u16;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_fdstat_set_flags")
export declare function fd_fdstat_set_flags(fd: u32, flags: u16): u16;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_write")
export declare function fd_write(fd: u32, iovs: usize, iovsLen: u32, nwrittenOut: usize): u16;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "clock_time_get")
export declare function clock_time_get(clockId: u32, precision: u64, timeOut: usize): u16;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "environ_sizes_get")
export declare function environ_sizes_get(countOut: usize, bufSizeOut: usize): u16;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "environ_get")
export declare function environ_get(environ: usize, environBuf: usize): u16;

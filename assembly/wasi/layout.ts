// Byte layouts of the preview1 structs the core exchanges with the host. No other file touches raw
// offsets: they read and write through these helpers.

/** Subscription tags (`eventtype`). */
export namespace EventType {
  export const CLOCK: u8 = 0;
  export const FD_READ: u8 = 1;
  export const FD_WRITE: u8 = 2;
}

export const CLOCK_REALTIME: u32 = 0;
export const CLOCK_MONOTONIC: u32 = 1;
/** `event.flags` bit: the peer hung up. */
export const EVENT_HANGUP: u16 = 1;
/** `fdflags` bit: non-blocking I/O. */
export const FDFLAGS_NONBLOCK: u16 = 4;
/** `riflags` bit: look at the data without consuming it. */
export const RIFLAGS_PEEK: u16 = 1;
/** `sdflags` bits. */
export const SHUT_RD: u8 = 1;
export const SHUT_WR: u8 = 2;
/** `filetype` values the core tells apart. */
export const FILETYPE_SOCKET_DGRAM: u8 = 5;
export const FILETYPE_SOCKET_STREAM: u8 = 6;

/** subscription: 48 bytes, align 8. */
export const SUBSCRIPTION_SIZE: usize = 48;
/** event: 32 bytes, align 8. */
export const EVENT_SIZE: usize = 32;
/** iovec / ciovec: 8 bytes. */
export const IOVEC_SIZE: usize = 8;
/** fdstat: 24 bytes. */
export const FDSTAT_SIZE: usize = 24;

/** Writes an fd_read / fd_write subscription at `p`. */
// @ts-ignore: decorator
@inline export function writeFdSubscription(p: usize, userdata: u64, type: u8, fd: u32): void {
  store<u64>(p, userdata);
  store<u8>(p, type, 8);
  store<u32>(p, fd, 16);
}

/** Writes a relative clock subscription of `timeoutNs` at `p`. */
// @ts-ignore: decorator
@inline export function writeClockSubscription(p: usize, userdata: u64, clockId: u32, timeoutNs: u64): void {
  store<u64>(p, userdata);
  store<u8>(p, EventType.CLOCK, 8);
  store<u32>(p, clockId, 16);
  store<u64>(p, timeoutNs, 24);
  store<u64>(p, 0, 32); // precision
  store<u16>(p, 0, 40); // flags: relative
}

/** Copies one 48-byte subscription (used when the dense array moves an entry into a hole). */
// @ts-ignore: decorator
@inline export function copySubscription(dst: usize, src: usize): void {
  memory.copy(dst, src, SUBSCRIPTION_SIZE);
}

// @ts-ignore: decorator
@inline export function subscriptionFd(p: usize): u32 { return load<u32>(p, 16); }
// @ts-ignore: decorator
@inline export function subscriptionUserdata(p: usize): u64 { return load<u64>(p); }

// @ts-ignore: decorator
@inline export function eventUserdata(p: usize): u64 { return load<u64>(p); }
// @ts-ignore: decorator
@inline export function eventError(p: usize): u16 { return load<u16>(p, 8); }
// @ts-ignore: decorator
@inline export function eventType(p: usize): u8 { return load<u8>(p, 10); }
// @ts-ignore: decorator
@inline export function eventNbytes(p: usize): u64 { return load<u64>(p, 16); }
// @ts-ignore: decorator
@inline export function eventFlags(p: usize): u16 { return load<u16>(p, 24); }

/** Fills the iovec at `p` with one buffer. */
// @ts-ignore: decorator
@inline export function writeIovec(p: usize, buf: usize, len: u32): void {
  store<u32>(p, <u32>buf);
  store<u32>(p, len, 4);
}

// @ts-ignore: decorator
@inline export function fdstatFiletype(p: usize): u8 { return load<u8>(p); }
// @ts-ignore: decorator
@inline export function fdstatFlags(p: usize): u16 { return load<u16>(p, 2); }

// Read and written by a host-side implementation of these structs (the component backend's poll_oneoff).
// @ts-ignore: decorator
@inline export function subscriptionType(p: usize): u8 { return load<u8>(p, 8); }
// @ts-ignore: decorator
@inline export function subscriptionClockId(p: usize): u32 { return load<u32>(p, 16); }
// @ts-ignore: decorator
@inline export function subscriptionClockTimeout(p: usize): u64 { return load<u64>(p, 24); }
// @ts-ignore: decorator
@inline export function subscriptionClockFlags(p: usize): u16 { return load<u16>(p, 40); }
/** `subclockflags` bit: the timeout is an absolute time. */
export const SUBCLOCK_ABSTIME: u16 = 1;

/** Writes a whole event at `p`. */
// @ts-ignore: decorator
@inline export function writeEvent(p: usize, userdata: u64, error: u16, type: u8, nbytes: u64): void {
  store<u64>(p, userdata);
  store<u16>(p, error, 8);
  store<u8>(p, type, 10);
  store<u64>(p, nbytes, 16);
  store<u16>(p, 0, 24); // flags
}

/** Writes an fdstat at `p` with no rights restrictions a guest could learn from. */
// @ts-ignore: decorator
@inline export function writeFdstat(p: usize, filetype: u8, flags: u16): void {
  memory.fill(p, 0, FDSTAT_SIZE);
  store<u8>(p, filetype);
  store<u16>(p, flags, 2);
  store<u64>(p, u64.MAX_VALUE, 8);
  store<u64>(p, u64.MAX_VALUE, 16);
}

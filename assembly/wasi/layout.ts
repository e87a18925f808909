// The preview1 structs and flag values the core exchanges with the host, taken from the WASI shim's
// declarations (its @unmanaged struct classes give the field offsets; nothing here repeats a number).
// The poll, socket and fdstat structs are read and written only through these helpers. Two other
// layouts are outside preview1 and live with their users: the environ pointer array (environ.ts) and
// WASIX's addr_port (net/socket-address.ts, described in wasix.ts).
import {
  clockid, eventrwflags, eventtype, fdflags, filetype, riflags, sdflags, subclockflags,
  event, event_fd_readwrite, fdstat, iovec, subscription, subscription_clock, subscription_fd_readwrite,
} from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";

/** Subscription tags (`eventtype`). */
export { eventtype as EventType };

export const CLOCK_MONOTONIC: u32 = clockid.MONOTONIC;
/** `event.flags` bit: the peer hung up. */
export const EVENT_HANGUP: u16 = eventrwflags.HANGUP;
/** `fdflags` bit: non-blocking I/O. */
export const FDFLAGS_NONBLOCK: u16 = fdflags.NONBLOCK;
/** `riflags` bit: look at the data without consuming it. */
export const RIFLAGS_PEEK: u16 = riflags.PEEK;
/** `sdflags` bits. */
export const SHUT_RD: u8 = sdflags.RD;
export const SHUT_WR: u8 = sdflags.WR;
/** The `filetype` of a TCP socket. */
export const FILETYPE_SOCKET_STREAM: u8 = filetype.SOCKET_STREAM;

/** subscription: 48 bytes, align 8. */
export const SUBSCRIPTION_SIZE: usize = offsetof<subscription>();
/** event: 32 bytes, align 8. */
export const EVENT_SIZE: usize = offsetof<event>();
/** iovec / ciovec: 8 bytes on wasm32. */
export const IOVEC_SIZE: usize = offsetof<iovec>();

/** Writes an fd_read / fd_write subscription at `p`. */
// @ts-ignore: decorator
@inline export function writeFdSubscription(p: usize, userdata: u64, type: u8, fd: u32): void {
  const s = changetype<subscription_fd_readwrite>(p);
  s.userdata = userdata;
  s.type = type;
  s.file_descriptor = fd;
}

/** Writes a relative clock subscription of `timeoutNs` at `p`. */
// @ts-ignore: decorator
@inline export function writeClockSubscription(p: usize, userdata: u64, clockId: u32, timeoutNs: u64): void {
  const s = changetype<subscription_clock>(p);
  s.userdata = userdata;
  s.type = eventtype.CLOCK;
  s.clock_id = clockId;
  s.timeout = timeoutNs;
  s.precision = 0;
  s.flags = 0; // relative
}

/** Copies one subscription (used when the dense array moves an entry into a hole). */
// @ts-ignore: decorator
@inline export function copySubscription(dst: usize, src: usize): void {
  memory.copy(dst, src, SUBSCRIPTION_SIZE);
}

// @ts-ignore: decorator
@inline export function eventUserdata(p: usize): u64 { return changetype<event_fd_readwrite>(p).userdata; }
// @ts-ignore: decorator
@inline export function eventError(p: usize): u16 { return changetype<event_fd_readwrite>(p).error; }
// @ts-ignore: decorator
@inline export function eventType(p: usize): u8 { return changetype<event_fd_readwrite>(p).type; }
// @ts-ignore: decorator
@inline export function eventNbytes(p: usize): u64 { return changetype<event_fd_readwrite>(p).nbytes; }
// @ts-ignore: decorator
@inline export function eventFlags(p: usize): u16 { return changetype<event_fd_readwrite>(p).flags; }

/** Fills the iovec at `p` with one buffer. */
// @ts-ignore: decorator
@inline export function writeIovec(p: usize, buf: usize, len: u32): void {
  const v = changetype<iovec>(p);
  v.buf = buf;
  v.buf_len = len;
}

// @ts-ignore: decorator
@inline export function fdstatFiletype(p: usize): u8 { return changetype<fdstat>(p).filetype; }
// @ts-ignore: decorator
@inline export function fdstatFlags(p: usize): u16 { return changetype<fdstat>(p).flags; }

// Read and written by a host-side implementation of these structs (the component backend's poll_oneoff).
// @ts-ignore: decorator
@inline export function subscriptionUserdata(p: usize): u64 { return changetype<subscription_fd_readwrite>(p).userdata; }
// @ts-ignore: decorator
@inline export function subscriptionFd(p: usize): u32 { return changetype<subscription_fd_readwrite>(p).file_descriptor; }
// @ts-ignore: decorator
@inline export function subscriptionType(p: usize): u8 { return changetype<subscription_clock>(p).type; }
// @ts-ignore: decorator
@inline export function subscriptionClockId(p: usize): u32 { return changetype<subscription_clock>(p).clock_id; }
// @ts-ignore: decorator
@inline export function subscriptionClockTimeout(p: usize): u64 { return changetype<subscription_clock>(p).timeout; }
// @ts-ignore: decorator
@inline export function subscriptionClockFlags(p: usize): u16 { return changetype<subscription_clock>(p).flags; }
/** `subclockflags` bit: the timeout is an absolute time. */
export const SUBCLOCK_ABSTIME: u16 = subclockflags.ABSTIME;

/** Writes a whole event at `p`. */
// @ts-ignore: decorator
@inline export function writeEvent(p: usize, userdata: u64, error: u16, type: u8, nbytes: u64): void {
  const e = changetype<event_fd_readwrite>(p);
  e.userdata = userdata;
  e.error = error;
  e.type = type;
  e.nbytes = nbytes;
  e.flags = 0;
}

/** Writes an fdstat at `p` with no rights restrictions a guest could learn from. */
// @ts-ignore: decorator
@inline export function writeFdstat(p: usize, filetype: u8, flags: u16): void {
  memory.fill(p, 0, offsetof<fdstat>());
  const s = changetype<fdstat>(p);
  s.filetype = filetype;
  s.flags = flags;
  s.rights_base = u64.MAX_VALUE;
  s.rights_inheriting = u64.MAX_VALUE;
}

// Reading and writing a TCP stream for the guest: shared by sock_recv/sock_send and fd_read/fd_write.
// A blocking stream whose first attempt says AGAIN waits for the next change of the instance and tries again;
// the wait ends on data, EOF, a reset (the stream turns readable/writable) or the host stopping (GuestExit).
//
// These run once per guest read or write, so the common path allocates nothing of its own: the iovecs are parsed
// into one scratch array of (ptr, len) pairs and bytes are copied straight between guest memory and the stream.
import { Buffer } from 'node:buffer';
import { Errno, RIFLAGS_PEEK, RIFLAGS_WAITALL } from './abi.js';
import { iovecPairs, pairBytes, type GuestMemory } from './guest-memory.js';
import { SEND_HIGH_WATER, type TcpStream } from '../sockets/tcp-stream.js';
import { writeNow } from '../sockets/direct-write.js';
import { nowNsNumber, type Waker } from '../wait/waker.js';
import { profile, profNow } from '../wait/profile.js';

/** The validated iovecs of the call in progress as (ptr, len) pairs (GuestMemory.loadIovecs). A call that has to
 *  wait keeps its own copy (the scratch belongs to whichever call runs next). */
const SCRATCH = iovecPairs();

/** Retries `attempt` after each change of the instance until it answers something other than AGAIN; with
 *  `everyNs`, also that long after each try (for what raises no change, such as the process's own fds). */
export async function retry(waker: Waker, attempt: () => number, everyNs?: number): Promise<number> {
  for (;;) {
    // any change of the instance: cheap to retry, and blocking sockets are rare
    await waker.wait(everyNs === undefined ? null : nowNsNumber() + everyNs);
    const r = attempt();
    if (r !== Errno.AGAIN) return r;
  }
}

/** One recv attempt into validated iovecs: writes the results, returns the errno (AGAIN when nothing is there). */
function recvOnce(mem: GuestMemory, st: TcpStream, iov: Uint32Array, n: number, flags: number, nreadPtr: number, roflagsPtr: number | null): number {
  const t0 = profNow();
  // memory is looked up per attempt: it may have grown since the call started
  const r = st.readInto(mem.u8, iov, n, (flags & RIFLAGS_PEEK) !== 0, (flags & RIFLAGS_WAITALL) !== 0);
  if (profile) profile.io(false, t0, r);
  if (r < 0) return -r;
  mem.setU32(nreadPtr, r);
  if (roflagsPtr !== null) mem.setU16(roflagsPtr, 0);
  return Errno.SUCCESS;
}

/** recv on a stream (sock_recv, fd_read): validates everything, then reads or waits. */
export function streamRecv(
  mem: GuestMemory, waker: Waker, st: TcpStream, iovsPtr: number, iovsLen: number, flags: number,
  nreadPtr: number, roflagsPtr: number | null,
): number | Promise<number> {
  if ((flags & ~(RIFLAGS_PEEK | RIFLAGS_WAITALL)) !== 0) return Errno.INVAL;
  const n = mem.loadIovecs(iovsPtr, iovsLen, SCRATCH);
  if (n < 0) return -n;
  if (!mem.ok(nreadPtr, 4) || (roflagsPtr !== null && !mem.ok(roflagsPtr, 2))) return Errno.FAULT;
  const r = recvOnce(mem, st, SCRATCH, n, flags, nreadPtr, roflagsPtr);
  if (r !== Errno.AGAIN || st.nonblock) return r;
  const iov = SCRATCH.slice(0, 2 * n);
  return retry(waker, () => recvOnce(mem, st, iov, n, flags, nreadPtr, roflagsPtr));
}

/** Largest send gathered into the reused buffer below; larger ones get a buffer of their own. */
const SEND_SCRATCH_BYTES = 64 * 1024;
/**
 * Sends on a socket with nothing queued are gathered into this one buffer. Node writes such a send at once when the
 * kernel takes it all (the usual case) and keeps no reference, so the next send reuses the buffer: a send then
 * allocates nothing. When Node has to queue the write, it keeps the buffer until it is written, and a new one
 * replaces it here (at most one such buffer per connection with a pending write: later sends on it see the queue
 * and get their own). Without it, every send left a buffer of its size for V8 to collect, and the Node host's
 * RSS under load followed that garbage: its malloc heap and V8's young generation kept growing for minutes.
 */
let sendScratch = Buffer.allocUnsafeSlow(SEND_SCRATCH_BYTES);
/** The last view of sendScratch handed to Node (its first `length` bytes): a request/response peer sends the
 *  same size again and again, and a Buffer view per send cost more than the copy into it. */
let scratchView = sendScratch.subarray(0, 0);

/** sendScratch's first `len` bytes as a Buffer (the cached view when the length repeats). */
function scratchOf(len: number): Buffer {
  if (scratchView.length !== len) scratchView = sendScratch.subarray(0, len);
  return scratchView;
}

/** Smallest send written straight from guest memory (direct-write.ts). Below it the copy into the scratch buffer
 *  costs less than fs.writeSync's own work (at 1 KiB the direct write cost 0.3-0.5 µs more per message, at 10 KiB
 *  0.4-1.2 µs less, side by side on Node 20 and 26). */
const DIRECT_MIN = 4 * 1024;

/** One send attempt from validated iovecs: writes nsent, returns the errno (AGAIN when the queue is full). */
function sendOnce(mem: GuestMemory, st: TcpStream, iov: Uint32Array, n: number, nsentPtr: number): number {
  const t0 = profNow();
  const room = st.sendRoom();
  if (room < 0) {
    if (profile) profile.io(true, t0, room);
    return -room;
  }
  const len = Math.min(pairBytes(iov, n), room);
  if (len >= DIRECT_MIN && room === SEND_HIGH_WATER && n === 1) {
    // Nothing queued: write from guest memory at once, queue a copy of only what the kernel did not take.
    const fd = st.fd;
    if (fd >= 0) {
      const ptr = iov[0];
      const u8 = mem.u8;
      const took = writeNow(fd, u8, ptr, ptr + len);
      if (took < len) st.queue(Buffer.from(u8.subarray(ptr + took, ptr + len)));
      if (profile) profile.io(true, t0, len);
      mem.setU32(nsentPtr, len);
      return Errno.SUCCESS;
    }
  }
  if (len > 0) { // an empty send succeeds without handing Node a zero-length write
    // Nothing queued (full room): Node keeps no reference to a buffer it writes at once, so the scratch is safe.
    const data = room === SEND_HIGH_WATER && len <= SEND_SCRATCH_BYTES ? scratchOf(len) : Buffer.allocUnsafe(len);
    mem.gatherInto(iov, n, len, data);
    if (!st.queue(data) && data === scratchView) {
      sendScratch = Buffer.allocUnsafeSlow(SEND_SCRATCH_BYTES); // Node kept it queued
      scratchView = sendScratch.subarray(0, 0);
    }
  }
  if (profile) profile.io(true, t0, len);
  mem.setU32(nsentPtr, len);
  return Errno.SUCCESS;
}

/** send on a stream (sock_send, fd_write); may accept fewer bytes than offered. */
export function streamSend(
  mem: GuestMemory, waker: Waker, st: TcpStream, iovsPtr: number, iovsLen: number, nsentPtr: number,
): number | Promise<number> {
  const n = mem.loadIovecs(iovsPtr, iovsLen, SCRATCH);
  if (n < 0) return -n;
  if (!mem.ok(nsentPtr, 4)) return Errno.FAULT;
  if (n === 0) {
    mem.setU32(nsentPtr, 0);
    return Errno.SUCCESS;
  }
  const r = sendOnce(mem, st, SCRATCH, n, nsentPtr);
  if (r !== Errno.AGAIN || st.nonblock) return r;
  const iov = SCRATCH.slice(0, 2 * n);
  return retry(waker, () => sendOnce(mem, st, iov, n, nsentPtr));
}

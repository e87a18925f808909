// The guest's stdin, stdout and stderr: entries of the host's fd table, never the process's own fds 0-2.
// stdout/stderr write to the configured Writables, or by default straight to the process's fd 1 or 2 (written
// synchronously, as a terminal or file would be: a vanished reader is PIPE for the guest, not unbounded buffering
// in process.stdout; a full one makes the guest wait); stdin is always at EOF (the host never reads, or blocks on, the embedding process's stdin).
// The host's real fds never change, whatever the guest closes, renumbers or truncates: they are only written.
import { writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { Errno, FDFLAGS_NONBLOCK, FDSTAT_SIZE, Filetype } from './abi.js';
import type { ImportContext } from './context.js';
import { iovecPairs } from './guest-memory.js';
import { retry } from './stream-io.js';

/** The iovecs of the stdio attempt in progress (an attempt never waits, and a retry loads them again). */
const PAIRS = iovecPairs();

/** Rights reported for stdio: fd_read (stdin) or fd_write (stdout/stderr), plus fd_fdstat_set_flags,
 *  fd_filestat_get and poll_fd_readwrite. No seek or tell, so libc's isatty() says yes. */
const STDIO_RIGHTS = (1n << 3n) | (1n << 21n) | (1n << 27n);
const RIGHT_FD_READ = 1n << 1n;
const RIGHT_FD_WRITE = 1n << 6n;

/** fd_read on a stdio entry: stdin reads 0 bytes (EOF); stdout/stderr are not readable (BADF). */
export function stdioRead(ctx: ImportContext, which: number, iovsPtr: number, iovsLen: number, nreadPtr: number): number {
  if (which !== 0) return Errno.BADF;
  const n = ctx.mem.loadIovecs(iovsPtr, iovsLen, PAIRS);
  if (n < 0) return -n;
  return ctx.mem.writeU32(nreadPtr, 0);
}

/** Where a guest's stdout or stderr goes: a Writable, or the process's own fd (1 or 2), only ever written. */
export type StdioSink = Writable | 1 | 2;

/** Writes `data` to a process fd: the bytes written, or -errno when none could be (a partial write is a count). */
function writeFd(fd: number, data: Buffer): number {
  let off = 0;
  try {
    while (off < data.length) off += writeSync(fd, data, off);
    return off;
  } catch (e) {
    if (off > 0) return off;
    switch ((e as NodeJS.ErrnoException).code) {
      // Node gives a child's stdio a socket pair: a reader gone with bytes unread resets it (ECONNRESET) instead
      // of closing it; for a writer to stdout both mean the reader has gone.
      case 'EPIPE':
      case 'ECONNRESET': return -Errno.PIPE;
      case 'EAGAIN': return -Errno.AGAIN;
      case 'EBADF': return -Errno.BADF;
      default: return -Errno.IO;
    }
  }
}

/** How often a write to a full process fd is tried again (ns): the fd raises no change the host could wait for. */
const FULL_FD_RETRY_NS = 1e6;

/**
 * fd_write on a stdio entry: the bytes go to the configured sink; stdin is not writable (BADF). The guest's stdio
 * is blocking (its NONBLOCK flag is not kept), so a process fd that is full (AGAIN: Node may leave it non-blocking)
 * is written again until it takes bytes or fails, while Node's event loop runs.
 */
export function stdioWrite(ctx: ImportContext, which: number, iovsPtr: number, iovsLen: number, nwrittenPtr: number): number | Promise<number> {
  const r = stdioWriteOnce(ctx, which, iovsPtr, iovsLen, nwrittenPtr);
  if (r !== Errno.AGAIN) return r;
  return retry(ctx.waker, () => stdioWriteOnce(ctx, which, iovsPtr, iovsLen, nwrittenPtr), FULL_FD_RETRY_NS);
}

/** One attempt of stdioWrite: the errno, AGAIN when a process fd took nothing because it is full. */
function stdioWriteOnce(ctx: ImportContext, which: number, iovsPtr: number, iovsLen: number, nwrittenPtr: number): number {
  const sink = which === 1 ? ctx.stdout : which === 2 ? ctx.stderr : null;
  if (!sink) return Errno.BADF;
  const { mem } = ctx;
  const pairs = mem.loadIovecs(iovsPtr, iovsLen, PAIRS);
  if (pairs < 0) return -pairs;
  if (!mem.ok(nwrittenPtr, 4)) return Errno.FAULT;
  const data = mem.gather(PAIRS, pairs, Infinity);
  let n = data.length;
  if (typeof sink === 'number') {
    if (n > 0) n = writeFd(sink, data);
    if (n < 0) return -n;
  } else if (n > 0 && !sink.destroyed) sink.write(data);
  mem.setU32(nwrittenPtr, n);
  return Errno.SUCCESS;
}

/** fd_fdstat_get on a stdio entry: a character device. */
export function stdioFdstat(ctx: ImportContext, which: number, ptr: number): number {
  const { mem } = ctx;
  if (!mem.ok(ptr, FDSTAT_SIZE)) return Errno.FAULT;
  const rights = STDIO_RIGHTS | (which === 0 ? RIGHT_FD_READ : RIGHT_FD_WRITE);
  mem.bytes(ptr, FDSTAT_SIZE).fill(0);
  mem.setU8(ptr, Filetype.CHARACTER_DEVICE);
  mem.setU64(ptr + 8, rights);
  mem.setU64(ptr + 16, rights);
  return Errno.SUCCESS;
}

/** fd_fdstat_set_flags on a stdio entry: 0 or NONBLOCK are accepted, and not kept (the host never blocks on stdio:
 *  a full process fd suspends only the guest); others NOTSUP. */
export function stdioSetFlags(flags: number): number {
  flags &= 0xffff;
  return flags === 0 || flags === FDFLAGS_NONBLOCK ? Errno.SUCCESS : Errno.NOTSUP;
}

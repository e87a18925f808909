// Sending straight from guest memory: one write(2) on the socket's own fd while Node has nothing queued for it.
//
// A send handed to the Node socket must be a copy of the guest's bytes: Node keeps a reference to whatever it
// could not write at once, and the guest would change those bytes before they left. While nothing is queued the
// host can make Node's first attempt itself, the same write(2), straight from guest memory (fs.writeSync on the
// socket's fd). Only what the kernel did not take is copied and queued through the Node socket, behind nothing,
// so the bytes keep their order. At 10 KiB per message this saves the copy and 0.4-1.2 µs of user CPU per
// message; below a few KiB fs.writeSync's own work costs more than the copy (stream-io.ts: DIRECT_MIN).
//
// The fd is that of Node's handle, which is not public API: it is read at every send (a destroyed socket has no
// handle, and its fd number may already belong to another connection) and used only when it is a number >= 0.
// Where it is not (Windows, a Node that stops exposing it), every send goes through the Node socket.
import { writeSync } from 'node:fs';
import type { Socket } from 'node:net';

/** The OS fd under a Node socket that has a handle, or -1 (no handle, or this Node does not expose the fd). */
export function socketFd(s: Socket): number {
  const fd = (s as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

/**
 * Writes bytes [start, end) of `from` to `fd` with one write(2); returns how many the kernel took. 0 when it took
 * none: its buffer is full, or the connection failed, which the caller's write through the Node socket then
 * reports the way Node reports it (an 'error' on the socket).
 */
export function writeNow(fd: number, from: Uint8Array, start: number, end: number): number {
  try {
    return writeSync(fd, from, start, end - start);
  } catch {
    return 0;
  }
}

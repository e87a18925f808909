import { Errno } from "../wasi/errno";
import { fd_fdstat_get, sock_recv } from "../wasi/imports";
import { FDFLAGS_NONBLOCK, FILETYPE_SOCKET_STREAM, RIFLAGS_PEEK, fdstatFiletype, fdstatFlags, writeIovec } from "../wasi/layout";
import { fdstatCell, iovecCell, outA, outB } from "../wasi/scratch";
import { ReadinessSet } from "../readiness/readiness-set";
import { Registration } from "../readiness/registration";
import { Ready } from "../readiness/interest";
import { Poller } from "./poller";

/** What select() found: the ready subsets of its three lists, and why each error fd is there. */
export class SelectResult {
  readers: Array<u32> = [];
  writers: Array<u32> = [];
  /** fds the host reported an error for, or that are dead (closed, never opened, not pollable). */
  errors: Array<u32> = [];
  /** errnos[i] is the reason errors[i] is there. */
  errnos: Array<u16> = [];
  /** SUCCESS, or why nothing could be waited for (INVAL: empty lists and no timeout). */
  status: Errno = Errno.SUCCESS;
}

const ERRORS_ONLY: u8 = 0;

// One set, poller and ready list serve every call: select() is not re-entered (the core is
// single-threaded and calls no user code while it runs), and a caller that selects in a loop then
// allocates only its result. The set is cleared after each call, so no fd outlives its call.
const callSet = new ReadinessSet();
const callPoller = new Poller(callSet);
const callReady = new Array<Registration>();

/**
 * The classic list-based select (as Python's select.select): waits until some fd of `readers` is readable,
 * some of `writers` writable, or `timeoutMs` passes (< 0: no limit, 0: just look), and returns the ready subsets.
 *
 * - A listening socket is readable when accept will not answer AGAIN; a connecting one is writable
 *   once connected; a stream at EOF is readable (recv returns 0).
 * - A dead fd (closed, bad) lands in `errors` with its errno and never fails the call: the others
 *   are still answered in the same call.
 * - An fd that is only in `errors` is watched for errors alone.
 * - Read readiness of a non-blocking stream is confirmed with a 1-byte peek when the host's byte
 *   count leaves doubt, since some hosts (wasmtime) report every fd once one is ready. Write and
 *   listener readiness remain hints there: the operation may still answer AGAIN.
 */
export function select(readers: Array<u32>, writers: Array<u32>, errors: Array<u32>, timeoutMs: i64): SelectResult {
  const set = callSet;
  for (let i = 0; i < readers.length; i++) merge(set, readers[i], Ready.READ);
  for (let i = 0; i < writers.length; i++) merge(set, writers[i], Ready.WRITE);
  for (let i = 0; i < errors.length; i++) {
    // Watched with a read subscription, since a bare error subscription does not exist in preview1.
    const fd = errors[i];
    if (set.get(fd) == null) set.add(fd, Ready.READ, ERRORS_ONLY);
  }
  const result = new SelectResult();
  const ready = callReady;
  result.status = callPoller.wait(timeoutMs, ready);
  for (let i = 0; i < ready.length; i++) {
    const reg = ready[i];
    if (reg.ready & Ready.ERROR) {
      result.errors.push(reg.fd);
      result.errnos.push(reg.errno);
      continue;
    }
    const asked = <u8>reg.token;
    if ((asked & Ready.READ) && (reg.ready & (Ready.READ | Ready.HANGUP)) && confirmReadable(reg)) result.readers.push(reg.fd);
    if ((asked & Ready.WRITE) && (reg.ready & (Ready.WRITE | Ready.HANGUP))) result.writers.push(reg.fd);
  }
  ready.length = 0;
  set.clear();
  return result;
}

/** Adds `events` to fd's registration; the token keeps what the user asked for. */
function merge(set: ReadinessSet, fd: u32, events: u8): void {
  const reg = set.get(fd);
  if (reg == null) { set.add(fd, events, events); return; }
  set.modify(fd, reg.interest | events, reg.token | events);
}

/** False only when a peek proves a non-blocking stream has nothing to read (AGAIN). */
function confirmReadable(reg: Registration): bool {
  if (reg.nbytes > 1 || (reg.ready & Ready.HANGUP)) return true;
  if (fd_fdstat_get(reg.fd, fdstatCell()) != Errno.SUCCESS) return true;
  if (fdstatFiletype(fdstatCell()) != FILETYPE_SOCKET_STREAM) return true;
  if ((fdstatFlags(fdstatCell()) & FDFLAGS_NONBLOCK) == 0) return true; // a peek could block
  writeIovec(iovecCell(), outB(), 1);
  const err = sock_recv(reg.fd, iovecCell(), 1, RIFLAGS_PEEK, outA(), outA() + 4);
  return err != Errno.AGAIN;
}

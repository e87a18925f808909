// The wasi_snapshot_preview1 import object: node:wasi's functions, with every fd-taking function translated
// through the host's fd table and the socket-related ones (plus poll_oneoff and proc_exit) replaced.
// Rule: nothing here throws on guest input. Bad pointers are FAULT, bad counts INVAL, unknown fds BADF,
// sock_* on a non-socket NOTSOCK. sock_* are never forwarded to node:wasi (on stdio fds that crashes Node).
import type { Writable } from 'node:stream';
import { Errno, FDFLAGS_NONBLOCK, FDSTAT_SIZE, Filetype, RIFLAGS_PEEK, RIFLAGS_WAITALL, SDFLAGS_RD, SDFLAGS_WR } from './abi.js';
import { GuestMemory, iovTotal, type Iovecs } from './guest-memory.js';
import { FdTable, type FdEntry } from '../fd-table.js';
import { TcpStream } from '../sockets/tcp-stream.js';
import { makePollOneoff } from '../poll.js';
import { GuestExit } from '../wait/exit.js';
import type { Waker } from '../wait/waker.js';
import type { BlockingImport, WaitStrategy } from '../wait/strategy.js';

type Fn = (...args: any[]) => any;

/** Rights reported for sockets: fd_read, fd_fdstat_set_flags, fd_write, fd_filestat_get, poll, shutdown, accept. */
const SOCKET_RIGHTS = (1n << 1n) | (1n << 3n) | (1n << 6n) | (1n << 21n) | (1n << 27n) | (1n << 28n) | (1n << 29n);

/**
 * Positions of fd arguments of the node:wasi functions that are passed through with translation
 * (all other fd-taking functions are replaced below).
 */
const FD_ARGS: Record<string, number[]> = {
  fd_advise: [0], fd_allocate: [0], fd_datasync: [0], fd_fdstat_set_rights: [0], fd_filestat_get: [0],
  fd_filestat_set_size: [0], fd_filestat_set_times: [0], fd_pread: [0], fd_prestat_get: [0],
  fd_prestat_dir_name: [0], fd_pwrite: [0], fd_readdir: [0], fd_seek: [0], fd_sync: [0], fd_tell: [0],
  path_create_directory: [0], path_filestat_get: [0], path_filestat_set_times: [0], path_link: [0, 4],
  path_readlink: [0], path_remove_directory: [0], path_rename: [0, 3], path_symlink: [2], path_unlink_file: [0],
};

/** Everything the import functions need. */
export interface ImportContext {
  mem: GuestMemory;
  fds: FdTable;
  waker: Waker;
  strategy: WaitStrategy;
  /** node:wasi's own preview1 functions. */
  wasi: Record<string, Fn>;
  /** When set, guest writes to stdout/stderr go to these streams instead of the process's fds. */
  stdout?: Writable;
  stderr?: Writable;
}

/** Builds the full wasi_snapshot_preview1 import object. */
export function makeImports(ctx: ImportContext): Record<string, unknown> {
  const { mem, fds, waker, strategy, wasi } = ctx;
  const out: Record<string, unknown> = { ...wasi };

  // Pass-through functions: translate guest fds to uvwasi fds; sockets get BADF (prestat, like wasmtime) or
  // an errno saying the operation does not apply.
  for (const [name, positions] of Object.entries(FD_ARGS)) {
    const orig = wasi[name];
    if (typeof orig !== 'function') continue;
    out[name] = (...args: any[]) => {
      for (const i of positions) {
        const e = fds.get(args[i]);
        if (!e) return Errno.BADF;
        if (e.kind !== 'wasi') {
          if (name.startsWith('fd_prestat')) return Errno.BADF;
          if (name === 'fd_seek' || name === 'fd_tell') return Errno.SPIPE;
          if (name.startsWith('path_')) return Errno.NOTDIR;
          return Errno.NOTSUP;
        }
        args[i] = e.wasiFd;
      }
      return orig(...args);
    };
  }

  /** For a blocking socket whose first attempt said AGAIN: waits for a change and tries again until it does not. */
  const retry = async (attempt: () => number): Promise<number> => {
    for (;;) {
      await waker.wait(null); // any change of the instance: cheap to retry, and blocking sockets are rare
      const r = attempt();
      if (r !== Errno.AGAIN) return r;
    }
  };

  const sock = (fd: number) => fds.socket(fd);

  /** One recv attempt into validated iovecs: writes the results, returns the errno (AGAIN when nothing is there). */
  const recvOnce = (st: TcpStream, iovs: Iovecs, flags: number, nreadPtr: number, roflagsPtr: number | null): number => {
    const dst: Uint8Array[] = [];
    for (const v of iovs) dst.push(mem.bytes(v.ptr, v.len)); // views taken per attempt: memory may have grown
    const r = st.readInto(dst, (flags & RIFLAGS_PEEK) !== 0, (flags & RIFLAGS_WAITALL) !== 0);
    if (r < 0) return -r;
    mem.setU32(nreadPtr, r);
    if (roflagsPtr !== null) mem.setU16(roflagsPtr, 0);
    return Errno.SUCCESS;
  };

  /** recv on a stream, shared by sock_recv and fd_read. */
  const recv = (st: TcpStream, iovsPtr: number, iovsLen: number, flags: number, nreadPtr: number, roflagsPtr: number | null) => {
    if ((flags & ~(RIFLAGS_PEEK | RIFLAGS_WAITALL)) !== 0) return Errno.INVAL;
    const iovs = mem.iovecs(iovsPtr, iovsLen);
    if (typeof iovs === 'number') return iovs;
    if (!mem.ok(nreadPtr, 4) || (roflagsPtr !== null && !mem.ok(roflagsPtr, 2))) return Errno.FAULT;
    // No closure on the common path (data there, or a non-blocking AGAIN): this runs once per guest read.
    const r = recvOnce(st, iovs, flags, nreadPtr, roflagsPtr);
    if (r !== Errno.AGAIN || st.nonblock) return r;
    return retry(() => recvOnce(st, iovs, flags, nreadPtr, roflagsPtr));
  };

  /** One send attempt from validated iovecs: writes nsent, returns the errno (AGAIN when the queue is full). */
  const sendOnce = (st: TcpStream, iovs: Iovecs, nsentPtr: number): number => {
    const room = st.writeRoom;
    const r = st.write(mem.gather(iovs, room > 0 ? room : 1));
    if (r < 0) return -r;
    mem.setU32(nsentPtr, r);
    return Errno.SUCCESS;
  };

  /** send on a stream, shared by sock_send and fd_write; may accept fewer bytes than offered. */
  const send = (st: TcpStream, iovsPtr: number, iovsLen: number, nsentPtr: number) => {
    const iovs = mem.iovecs(iovsPtr, iovsLen);
    if (typeof iovs === 'number') return iovs;
    if (!mem.ok(nsentPtr, 4)) return Errno.FAULT;
    if (iovTotal(iovs) === 0) {
      mem.setU32(nsentPtr, 0);
      return Errno.SUCCESS;
    }
    const r = sendOnce(st, iovs, nsentPtr);
    if (r !== Errno.AGAIN || st.nonblock) return r;
    return retry(() => sendOnce(st, iovs, nsentPtr));
  };

  const wrap = (fn: BlockingImport) => strategy.wrap(fn);

  out.sock_accept = wrap((fd: number, flags: number, newfdPtr: number) => {
    const e = sock(fd);
    if (typeof e === 'number') return e;
    if (e.kind !== 'listener') return Errno.INVAL;
    if ((flags & 0xffff) !== 0 && (flags & 0xffff) !== FDFLAGS_NONBLOCK) return Errno.INVAL;
    if (!mem.ok(newfdPtr, 4)) return Errno.FAULT;
    const l = e.listener;
    const attempt = () => {
      const s = l.take();
      if (!s) return Errno.AGAIN;
      const newfd = fds.add({ kind: 'stream', stream: new TcpStream(s, (flags & FDFLAGS_NONBLOCK) !== 0, waker.hub) });
      mem.setU32(newfdPtr, newfd);
      return Errno.SUCCESS;
    };
    const r = attempt();
    return r !== Errno.AGAIN || l.nonblock ? r : retry(attempt);
  });

  out.sock_recv = wrap((fd: number, iovs: number, n: number, flags: number, nreadPtr: number, roflagsPtr: number) => {
    const e = sock(fd);
    if (typeof e === 'number') return e;
    if (e.kind !== 'stream') return Errno.NOTCONN;
    return recv(e.stream, iovs, n, flags & 0xffff, nreadPtr, roflagsPtr);
  });

  out.sock_send = wrap((fd: number, iovs: number, n: number, flags: number, nsentPtr: number) => {
    const e = sock(fd);
    if (typeof e === 'number') return e;
    if (e.kind !== 'stream') return Errno.NOTCONN;
    if ((flags & 0xffff) !== 0) return Errno.INVAL; // no siflags are defined
    return send(e.stream, iovs, n, nsentPtr);
  });

  out.sock_shutdown = (fd: number, how: number) => {
    const e = sock(fd);
    if (typeof e === 'number') return e;
    if (e.kind !== 'stream') return Errno.NOTCONN;
    how &= 0xff;
    if (how < 1 || how > 3) return Errno.INVAL;
    return e.stream.shutdown((how & SDFLAGS_RD) !== 0, (how & SDFLAGS_WR) !== 0);
  };

  out.fd_read = wrap((fd: number, iovs: number, n: number, nreadPtr: number) => {
    const e = fds.get(fd);
    if (!e) return Errno.BADF;
    if (e.kind === 'wasi') return wasi.fd_read(e.wasiFd, iovs, n, nreadPtr);
    if (e.kind === 'listener') return Errno.NOTCONN;
    return recv(e.stream, iovs, n, 0, nreadPtr, null);
  });

  out.fd_write = wrap((fd: number, iovs: number, n: number, nwrittenPtr: number) => {
    const e = fds.get(fd);
    if (!e) return Errno.BADF;
    if (e.kind === 'listener') return Errno.NOTCONN;
    if (e.kind === 'stream') return send(e.stream, iovs, n, nwrittenPtr);
    const sink = e.wasiFd === 1 ? ctx.stdout : e.wasiFd === 2 ? ctx.stderr : undefined;
    if (!sink) return wasi.fd_write(e.wasiFd, iovs, n, nwrittenPtr);
    const v = mem.iovecs(iovs, n);
    if (typeof v === 'number') return v;
    if (!mem.ok(nwrittenPtr, 4)) return Errno.FAULT;
    const data = mem.gather(v, Infinity);
    if (data.length > 0) sink.write(data);
    mem.setU32(nwrittenPtr, data.length);
    return Errno.SUCCESS;
  });

  out.fd_close = (fd: number) => {
    const e = fds.get(fd);
    if (!e) return Errno.BADF;
    const r = closeEntry(e);
    if (r === Errno.SUCCESS) fds.remove(fd);
    return r;
  };

  /** Closes what an entry refers to (the table slot is handled by the caller). */
  const closeEntry = (e: FdEntry): number => {
    if (e.kind === 'stream') e.stream.close();
    else if (e.kind === 'listener') e.listener.close();
    else return wasi.fd_close(e.wasiFd);
    return Errno.SUCCESS;
  };

  out.fd_renumber = (from: number, to: number) => {
    const a = fds.get(from);
    const b = fds.get(to);
    if (!a || !b) return Errno.BADF;
    if ((from >>> 0) === (to >>> 0)) return Errno.SUCCESS;
    const r = closeEntry(b);
    if (r !== Errno.SUCCESS) return r;
    fds.set(to, a);
    fds.remove(from);
    return Errno.SUCCESS;
  };

  out.fd_fdstat_get = (fd: number, ptr: number) => {
    const e = fds.get(fd);
    if (!e) return Errno.BADF;
    if (e.kind === 'wasi') return wasi.fd_fdstat_get(e.wasiFd, ptr);
    if (!mem.ok(ptr, FDSTAT_SIZE)) return Errno.FAULT;
    const nonblock = e.kind === 'stream' ? e.stream.nonblock : e.listener.nonblock;
    mem.bytes(ptr, FDSTAT_SIZE).fill(0);
    mem.setU8(ptr, Filetype.SOCKET_STREAM);
    mem.setU16(ptr + 2, nonblock ? FDFLAGS_NONBLOCK : 0);
    mem.setU64(ptr + 8, SOCKET_RIGHTS);
    mem.setU64(ptr + 16, SOCKET_RIGHTS);
    return Errno.SUCCESS;
  };

  out.fd_fdstat_set_flags = (fd: number, flags: number) => {
    const e = fds.get(fd);
    if (!e) return Errno.BADF;
    if (e.kind === 'wasi') return wasi.fd_fdstat_set_flags(e.wasiFd, flags);
    flags &= 0xffff;
    if (flags !== 0 && flags !== FDFLAGS_NONBLOCK) return Errno.INVAL;
    if (e.kind === 'stream') e.stream.nonblock = flags !== 0;
    else e.listener.nonblock = flags !== 0;
    return Errno.SUCCESS;
  };

  // path_open: uvwasi writes its own fd number; the guest gets a fresh number from the host's table.
  out.path_open = (dirfd: number, ...rest: any[]) => {
    const e = fds.get(dirfd);
    if (!e) return Errno.BADF;
    if (e.kind !== 'wasi') return Errno.NOTDIR;
    const fdPtr = rest[7];
    if (!mem.ok(fdPtr, 4)) return Errno.FAULT;
    const r = wasi.path_open(e.wasiFd, ...rest);
    if (r !== Errno.SUCCESS) return r;
    const wasiFd = mem.u32(fdPtr);
    mem.setU32(fdPtr, fds.add({ kind: 'wasi', wasiFd }));
    return Errno.SUCCESS;
  };

  out.poll_oneoff = wrap(makePollOneoff(mem, fds, waker));

  out.proc_exit = (code: number) => {
    throw new GuestExit(code >>> 0);
  };

  return out;
}

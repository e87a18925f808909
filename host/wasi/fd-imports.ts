// The fd calls the host implements for every kind of entry: fd_read, fd_write, fd_close, fd_renumber,
// fd_fdstat_get, fd_fdstat_set_flags, fd_filestat_get. Sockets and stdio are answered by the host; file entries
// (under a `--dir` preopen) are passed to node:wasi under their uvwasi fd.
import { Errno, FDFLAGS_NONBLOCK, FDSTAT_SIZE, FILESTAT_FILETYPE, FILESTAT_SIZE, Filetype } from './abi.js';
import type { ImportContext, ImportSpec } from './context.js';
import { stdioFdstat, stdioRead, stdioSetFlags, stdioWrite } from './stdio.js';
import { streamRecv, streamSend } from './stream-io.js';
import type { FdEntry } from '../fd-table.js';

type Spec = ImportSpec<ImportContext>;

/** Rights reported for sockets: fd_read, fd_fdstat_set_flags, fd_write, fd_filestat_get, poll, shutdown, accept. */
const SOCKET_RIGHTS = (1n << 1n) | (1n << 3n) | (1n << 6n) | (1n << 21n) | (1n << 27n) | (1n << 28n) | (1n << 29n);

/** fd_read(fd, iovs, n, *nread). */
function fdRead(ctx: ImportContext) {
  return ctx.strategy.wrap((fd: number, iovs: number, n: number, nreadPtr: number) => {
    const e = ctx.fds.get(fd);
    if (!e) return Errno.BADF;
    switch (e.kind) {
      case 'stdio': return stdioRead(ctx, e.which, iovs, n, nreadPtr);
      case 'file': return ctx.wasi.fd_read(e.wasiFd, iovs, n, nreadPtr);
      case 'listener': return Errno.NOTCONN;
      case 'stream': return streamRecv(ctx.mem, ctx.waker, e.stream, iovs, n, 0, nreadPtr, null);
    }
  });
}

/** fd_write(fd, iovs, n, *nwritten). */
function fdWrite(ctx: ImportContext) {
  return ctx.strategy.wrap((fd: number, iovs: number, n: number, nwrittenPtr: number) => {
    const e = ctx.fds.get(fd);
    if (!e) return Errno.BADF;
    switch (e.kind) {
      case 'stdio': return stdioWrite(ctx, e.which, iovs, n, nwrittenPtr);
      case 'file': return ctx.wasi.fd_write(e.wasiFd, iovs, n, nwrittenPtr);
      case 'listener': return Errno.NOTCONN;
      case 'stream': return streamSend(ctx.mem, ctx.waker, e.stream, iovs, n, nwrittenPtr);
    }
  });
}

/** Closes what an entry refers to (the table slot is the caller's); a stdio entry closes nothing of the host. */
function closeEntry(ctx: ImportContext, e: FdEntry): number {
  switch (e.kind) {
    case 'stdio': return Errno.SUCCESS;
    case 'file': return ctx.wasi.fd_close(e.wasiFd);
    case 'listener': e.listener.close(); return Errno.SUCCESS;
    case 'stream': e.stream.close(); return Errno.SUCCESS;
  }
}

/** fd_close(fd): any entry; closing stdio only drops the guest's entry. */
function fdClose(ctx: ImportContext) {
  return (fd: number) => {
    const e = ctx.fds.get(fd);
    if (!e) return Errno.BADF;
    const r = closeEntry(ctx, e);
    if (r === Errno.SUCCESS) ctx.fds.remove(fd);
    return r;
  };
}

/** fd_renumber(from, to): moves the entry, closing what `to` named (both must exist). */
function fdRenumber(ctx: ImportContext) {
  const { fds } = ctx;
  return (from: number, to: number) => {
    const a = fds.get(from);
    const b = fds.get(to);
    if (!a || !b) return Errno.BADF;
    if ((from >>> 0) === (to >>> 0)) return Errno.SUCCESS;
    const r = closeEntry(ctx, b);
    if (r !== Errno.SUCCESS) return r;
    fds.set(to, a);
    fds.remove(from);
    return Errno.SUCCESS;
  };
}

/** fd_fdstat_get(fd, *fdstat). */
function fdFdstatGet(ctx: ImportContext) {
  const { mem } = ctx;
  return (fd: number, ptr: number) => {
    const e = ctx.fds.get(fd);
    if (!e) return Errno.BADF;
    if (e.kind === 'stdio') return stdioFdstat(ctx, e.which, ptr);
    if (e.kind === 'file') return ctx.wasi.fd_fdstat_get(e.wasiFd, ptr);
    if (!mem.ok(ptr, FDSTAT_SIZE)) return Errno.FAULT;
    const nonblock = e.kind === 'stream' ? e.stream.nonblock : e.listener.nonblock;
    mem.bytes(ptr, FDSTAT_SIZE).fill(0);
    mem.setU8(ptr, Filetype.SOCKET_STREAM);
    mem.setU16(ptr + 2, nonblock ? FDFLAGS_NONBLOCK : 0);
    mem.setU64(ptr + 8, SOCKET_RIGHTS);
    mem.setU64(ptr + 16, SOCKET_RIGHTS);
    return Errno.SUCCESS;
  };
}

/** fd_fdstat_set_flags(fd, flags): sockets take 0 or NONBLOCK. */
function fdFdstatSetFlags(ctx: ImportContext) {
  return (fd: number, flags: number) => {
    const e = ctx.fds.get(fd);
    if (!e) return Errno.BADF;
    if (e.kind === 'stdio') return stdioSetFlags(flags);
    if (e.kind === 'file') return ctx.wasi.fd_fdstat_set_flags(e.wasiFd, flags);
    flags &= 0xffff;
    if (flags !== 0 && flags !== FDFLAGS_NONBLOCK) return Errno.INVAL;
    if (e.kind === 'stream') e.stream.nonblock = flags !== 0;
    else e.listener.nonblock = flags !== 0;
    return Errno.SUCCESS;
  };
}

/** fd_filestat_get(fd, *filestat): files from node:wasi; stdio and sockets a zeroed filestat with their type. */
function fdFilestatGet(ctx: ImportContext) {
  const { mem } = ctx;
  return (fd: number, ptr: number) => {
    const e = ctx.fds.get(fd);
    if (!e) return Errno.BADF;
    if (e.kind === 'file') return ctx.wasi.fd_filestat_get(e.wasiFd, ptr);
    if (!mem.ok(ptr, FILESTAT_SIZE)) return Errno.FAULT;
    mem.bytes(ptr, FILESTAT_SIZE).fill(0);
    mem.setU8(ptr + FILESTAT_FILETYPE, e.kind === 'stdio' ? Filetype.CHARACTER_DEVICE : Filetype.SOCKET_STREAM);
    return Errno.SUCCESS;
  };
}

/** The fd rows of the import table that the host implements for every kind of entry. */
export const FD_IMPORTS: Record<string, Spec> = {
  fd_read: { decision: 'ours', why: 'streams, stdin (EOF); files passed to node:wasi', make: fdRead },
  fd_write: { decision: 'ours', why: 'streams, stdout/stderr Writables; files passed to node:wasi', make: fdWrite },
  fd_close: { decision: 'ours', why: 'drops the guest entry; the host\'s own stdio is never closed', make: fdClose },
  fd_renumber: { decision: 'ours', why: 'moves guest entries only', make: fdRenumber },
  fd_fdstat_get: { decision: 'ours', why: 'stdio a character device, sockets SOCKET_STREAM; files from node:wasi', make: fdFdstatGet },
  fd_fdstat_set_flags: { decision: 'ours', why: 'sockets 0/NONBLOCK; stdio accepted as no-op; files node:wasi', make: fdFdstatSetFlags },
  fd_filestat_get: { decision: 'ours', why: 'stdio and sockets answered by the host; files from node:wasi', make: fdFilestatGet },
};

// The file and directory calls, passed to node:wasi only for file entries (a `--dir` preopen or something opened
// beneath it), with the fd translated to node:wasi's number and every path confined to the preopen (confine.ts).
// On stdio and sockets they answer an errno and never reach node:wasi: stdio is not the host's to truncate,
// sync or seek. Arguments that node:wasi mishandles are refused here before it sees them (see fstflagsErrno).
import { realpathSync } from 'node:fs';
import { Errno, FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW, FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW } from './abi.js';
import type { ImportContext, ImportSpec } from './context.js';
import { confine, readPath } from './confine.js';
import type { FileEntry } from '../fd-table.js';

type Spec = ImportSpec<ImportContext>;

/** A path argument: positions of its dir fd, pointer and length, and of its lookup flags (-1: never follows). */
interface PathArg { fd: number; ptr: number; flags: number }

/** The answer when a file call names a stdio entry or a socket. */
function notAFile(name: string): number {
  if (name.startsWith('fd_prestat')) return Errno.BADF; // as wasmtime: only preopens have a prestat
  if (name === 'fd_seek' || name === 'fd_tell' || name === 'fd_pread' || name === 'fd_pwrite' || name === 'fd_advise') {
    return Errno.SPIPE;
  }
  if (name.startsWith('path_') || name === 'fd_readdir') return Errno.NOTDIR;
  return Errno.NOTSUP; // set_size, allocate, sync, datasync, set_times, set_rights
}

/** The file entry named by guest fd `fd`, or the errno for anything else. */
function fileEntry(ctx: ImportContext, name: string, fd: number): FileEntry | number {
  const e = ctx.fds.get(fd);
  if (!e) return Errno.BADF;
  return e.kind === 'file' ? e : notAFile(name);
}

/** LOOKUPFLAGS_SYMLINK_FOLLOW. */
const FOLLOW = 1;

/**
 * INVAL for fstflags with an undefined bit or a time both given and "now", else SUCCESS (node:wasi takes the low
 * 16 bits, as here). node:wasi's path_filestat_set_times refuses such flags with INVAL but returns while still
 * holding the lock of its directory fd: the next call on that fd (any call, even closing it at exit) then waits
 * for that lock forever and freezes the host's main thread. So they never reach node:wasi.
 */
function fstflagsErrno(flags: number): number {
  const f = flags & 0xffff;
  const both = (a: number, b: number) => (f & (a | b)) === (a | b);
  const known = FSTFLAGS_ATIM | FSTFLAGS_ATIM_NOW | FSTFLAGS_MTIM | FSTFLAGS_MTIM_NOW;
  if ((f & ~known) !== 0 || both(FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW) || both(FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW)) {
    return Errno.INVAL;
  }
  return Errno.SUCCESS;
}

/** A check of one argument made after the fds and before the paths (node:wasi's order); non-zero refuses. */
interface ArgCheck { at: number; check: (v: number) => number }

/**
 * A call passed to node:wasi after its fd arguments (`fdArgs`) are checked to be file entries and translated,
 * its `checks` passed, and its paths (`paths`) confined to the entry's preopen.
 */
function delegate(name: string, fdArgs: number[], paths: PathArg[] = [], checks: ArgCheck[] = []) {
  return (ctx: ImportContext) => {
    const orig = ctx.wasi[name];
    return (...args: any[]) => {
      const entries: FileEntry[] = [];
      for (const i of fdArgs) {
        const e = fileEntry(ctx, name, args[i]);
        if (typeof e === 'number') return e;
        entries[i] = e;
      }
      for (const c of checks) {
        const r = c.check(args[c.at]);
        if (r !== Errno.SUCCESS) return r;
      }
      for (const p of paths) {
        const rel = readPath(ctx.mem, args[p.ptr], args[p.ptr + 1]);
        if (typeof rel === 'number') return rel;
        const follow = p.flags >= 0 && (args[p.flags] & FOLLOW) !== 0;
        const where = confine(entries[p.fd], rel, follow);
        if (typeof where === 'number') return where;
      }
      for (const i of fdArgs) args[i] = entries[i].wasiFd;
      return orig(...args);
    };
  };
}

/** path_open: confined like the others, but the last symlink is always checked (node:wasi follows it even
 *  without SYMLINK_FOLLOW); the guest gets a new number of the host's table for node:wasi's fd. */
function pathOpen(ctx: ImportContext) {
  const { mem, fds } = ctx;
  return (dirfd: number, dirflags: number, pathPtr: number, pathLen: number, ...rest: any[]) => {
    const dir = fileEntry(ctx, 'path_open', dirfd);
    if (typeof dir === 'number') return dir;
    const rel = readPath(mem, pathPtr, pathLen);
    if (typeof rel === 'number') return rel;
    const where = confine(dir, rel, true);
    if (typeof where === 'number') return where;
    const fdPtr = rest[4];
    if (!mem.ok(fdPtr, 4)) return Errno.FAULT;
    const r = ctx.wasi.path_open(dir.wasiFd, dirflags, pathPtr, pathLen, ...rest);
    if (r !== Errno.SUCCESS) return r;
    let hostPath = where;
    try { hostPath = realpathSync.native(where); } catch { /* created and gone again: keep the checked path */ }
    mem.setU32(fdPtr, fds.add({ kind: 'file', wasiFd: mem.u32(fdPtr), root: dir.root, hostPath }));
    return Errno.SUCCESS;
  };
}

const FD = 'file fds only (errno on stdio and sockets)';
const PATH = 'file fds only, path confined to the preopen';

/** The file rows of the import table. */
export const FILE_IMPORTS: Record<string, Spec> = {
  fd_advise: { decision: 'delegated', why: FD, make: delegate('fd_advise', [0]) },
  fd_allocate: { decision: 'delegated', why: FD, make: delegate('fd_allocate', [0]) },
  fd_datasync: { decision: 'delegated', why: FD, make: delegate('fd_datasync', [0]) },
  fd_fdstat_set_rights: { decision: 'delegated', why: FD, make: delegate('fd_fdstat_set_rights', [0]) },
  fd_filestat_set_size: { decision: 'delegated', why: FD, make: delegate('fd_filestat_set_size', [0]) },
  fd_filestat_set_times: {
    decision: 'delegated', why: `${FD}; fstflags checked`,
    make: delegate('fd_filestat_set_times', [0], [], [{ at: 3, check: fstflagsErrno }]),
  },
  fd_pread: { decision: 'delegated', why: FD, make: delegate('fd_pread', [0]) },
  fd_prestat_get: { decision: 'delegated', why: FD, make: delegate('fd_prestat_get', [0]) },
  fd_prestat_dir_name: { decision: 'delegated', why: FD, make: delegate('fd_prestat_dir_name', [0]) },
  fd_pwrite: { decision: 'delegated', why: FD, make: delegate('fd_pwrite', [0]) },
  fd_readdir: { decision: 'delegated', why: FD, make: delegate('fd_readdir', [0]) },
  fd_seek: { decision: 'delegated', why: FD, make: delegate('fd_seek', [0]) },
  fd_sync: { decision: 'delegated', why: FD, make: delegate('fd_sync', [0]) },
  fd_tell: { decision: 'delegated', why: FD, make: delegate('fd_tell', [0]) },
  path_create_directory: { decision: 'delegated', why: PATH, make: delegate('path_create_directory', [0], [{ fd: 0, ptr: 1, flags: -1 }]) },
  path_filestat_get: { decision: 'delegated', why: PATH, make: delegate('path_filestat_get', [0], [{ fd: 0, ptr: 2, flags: 1 }]) },
  path_filestat_set_times: {
    decision: 'delegated', why: `${PATH}; fstflags checked (node:wasi would keep the fd locked)`,
    make: delegate('path_filestat_set_times', [0], [{ fd: 0, ptr: 2, flags: 1 }], [{ at: 6, check: fstflagsErrno }]),
  },
  path_link: {
    decision: 'delegated', why: PATH,
    make: delegate('path_link', [0, 4], [{ fd: 0, ptr: 2, flags: 1 }, { fd: 4, ptr: 5, flags: -1 }]),
  },
  path_open: { decision: 'delegated', why: `${PATH}; a new number in the host's table`, make: pathOpen },
  path_readlink: { decision: 'delegated', why: PATH, make: delegate('path_readlink', [0], [{ fd: 0, ptr: 1, flags: -1 }]) },
  path_remove_directory: { decision: 'delegated', why: PATH, make: delegate('path_remove_directory', [0], [{ fd: 0, ptr: 1, flags: -1 }]) },
  path_rename: {
    decision: 'delegated', why: PATH,
    make: delegate('path_rename', [0, 3], [{ fd: 0, ptr: 1, flags: -1 }, { fd: 3, ptr: 4, flags: -1 }]),
  },
  path_symlink: {
    decision: 'delegated', why: `${PATH} (the link; following it is checked)`,
    make: (ctx: ImportContext) => {
      const link = delegate('path_symlink', [2], [{ fd: 2, ptr: 3, flags: -1 }])(ctx);
      return (oldPtr: number, oldLen: number, ...rest: any[]) => {
        const target = readPath(ctx.mem, oldPtr, oldLen); // the target is not confined, but node:wasi reads it too
        return typeof target === 'number' ? target : link(oldPtr, oldLen, ...rest);
      };
    },
  },
  path_unlink_file: { decision: 'delegated', why: PATH, make: delegate('path_unlink_file', [0], [{ fd: 0, ptr: 1, flags: -1 }]) },
};

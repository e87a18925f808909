// Keeps path calls inside their `--dir` preopen. node:wasi resolves `..` and absolute paths safely, but it
// follows symlinks in the middle of a path (and a last symlink even when asked not to) without checking where
// they lead, so `link-to-etc/passwd` would open a host file. Before a path call is passed on, the host resolves
// the path the way the kernel will (realpath(3) of the directory part; of the whole path when its last component
// is a symlink that would be followed) and refuses anything that lands outside the preopen's real path with
// NOTCAPABLE. A dangling or looping symlink is never followed. The guest cannot race these checks (it is single
// threaded and every check runs just before its call); another host process changing the tree between the check
// and the call can (see the README's Sandbox section).
import { Buffer } from 'node:buffer';
import { lstatSync, realpathSync } from 'node:fs';
import { Errno } from './abi.js';
import type { FileEntry } from '../fd-table.js';
import type { GuestMemory } from './guest-memory.js';

/** Longest path accepted from the guest (PATH_MAX). */
const MAX_PATH = 4096;

/** errno for a Node fs error code met while resolving. */
function fsErrno(e: unknown): number {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT': return Errno.NOENT;
    case 'ENOTDIR': return Errno.NOTDIR;
    case 'ELOOP': return Errno.LOOP;
    case 'EACCES': return Errno.ACCES;
    case 'ENAMETOOLONG': return Errno.NAMETOOLONG;
    default: return Errno.IO;
  }
}

/** True when `p` is `root` or lies beneath it (both real, absolute paths). */
function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/**
 * Reads a guest path (ptr, len) as UTF-8 text; an errno when out of bounds, empty, too long, not UTF-8, or not
 * followed by a NUL byte in guest memory.
 */
export function readPath(mem: GuestMemory, ptr: number, len: number): string | number {
  len >>>= 0;
  ptr >>>= 0;
  if (len > MAX_PATH) return Errno.NAMETOOLONG;
  if (!mem.ok(ptr, len)) return Errno.FAULT;
  // node:wasi refuses an empty path with INVAL, but only after scanning memory from `ptr` for a NUL byte, with no
  // bound: past the end of memory when none follows.
  if (len === 0) return Errno.INVAL;
  // node:wasi also reads a path as a C string: it formats it with "%s", reading on from `ptr + len` up to the next
  // NUL byte. When no NUL byte follows the path before the end of guest memory, that read runs off the end and
  // kills the host with SIGSEGV. Such a path is FAULT: node:wasi never sees it.
  if (mem.u8.indexOf(0, ptr + len) < 0) return Errno.FAULT;
  const bytes = Buffer.from(mem.bytes(ptr, len));
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) return Errno.ILSEQ; // our check must see the bytes the call uses
  if (text.includes('\0')) return Errno.INVAL;
  return text;
}

/**
 * Where `rel` (relative to the directory entry `dir`) resolves on the host, or an errno: NOTCAPABLE when that is
 * outside the preopen. `followLast`: the call follows a symlink in the last component.
 * Returns the real path of the target when it exists, else the real parent joined with the last component.
 */
export function confine(dir: FileEntry, rel: string, followLast: boolean): string | number {
  if (rel.startsWith('/')) return Errno.NOTCAPABLE;
  const trimmed = rel.replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  const parentRel = cut < 0 ? '.' : trimmed.slice(0, cut) || '.';
  const last = cut < 0 ? trimmed : trimmed.slice(cut + 1);
  let parent: string;
  try {
    parent = realpathSync.native(`${dir.hostPath}/${parentRel}`);
  } catch (e) {
    return fsErrno(e);
  }
  if (!inside(dir.root, parent)) return Errno.NOTCAPABLE;
  if (last === '' || last === '.') return parent;
  const target = parent === '/' ? `/${last}` : `${parent}/${last}`;
  let isLink = false;
  try {
    isLink = lstatSync(target).isSymbolicLink();
  } catch {
    return last === '..' ? Errno.NOENT : target; // does not exist (yet): created beneath a checked parent
  }
  if (last !== '..' && !(isLink && (followLast || rel.endsWith('/')))) return target;
  let real: string;
  try {
    real = realpathSync.native(target);
  } catch {
    return Errno.NOTCAPABLE; // a dangling or looping symlink: never followed
  }
  return inside(dir.root, real) ? real : Errno.NOTCAPABLE;
}

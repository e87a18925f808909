// The guest-visible fd table. The host owns the numbering: 0-2 stdio, then the pre-opened listeners (3, 4, ... in
// `listen` order, like wasmtime), then the `dirs` preopens, then everything opened later (accepted sockets and
// files opened by path_open) from a counter that never reuses a number (like wasmtime; avoids stale-fd mixups).
// Stdio are the host's own entries (never the process's fds 0-2): closing or renumbering them changes only this
// table. node:wasi (uvwasi) is reached only through `file` entries: a `--dir` preopen or something opened beneath
// one; the entry records the uvwasi fd behind the guest fd and the real paths the sandbox checks against.
import { Errno } from './wasi/abi.js';
import type { TcpListener } from './sockets/tcp-listener.js';
import type { TcpStream } from './sockets/tcp-stream.js';

/** What a guest fd refers to. */
export type FdEntry =
  | { kind: 'stdio'; which: 0 | 1 | 2 } // the guest's stdin (always EOF), stdout or stderr: the configured sinks
  | FileEntry
  | { kind: 'stream'; stream: TcpStream }
  | { kind: 'listener'; listener: TcpListener };

/** A preopened directory or a file/directory opened beneath one: handled by node:wasi under wasiFd. */
export interface FileEntry {
  kind: 'file';
  wasiFd: number;
  /** Real path (symlinks resolved) of the `--dir` preopen this entry lives under: nothing outside it is reachable. */
  root: string;
  /** Real path of this file or directory when it was opened (path_* calls relative to it are checked from here). */
  hostPath: string;
}

/** The socket kinds of entry. */
export type SocketEntry = Extract<FdEntry, { kind: 'stream' | 'listener' }>;

/** The guest-visible fd numbers and what each names; numbers come from a counter that never reuses one. */
export class FdTable {
  private readonly entries = new Map<number, FdEntry>();
  private next = 0;
  /** Called with the guest fd whenever what a number refers to changes (add, remove, set), so poll_oneoff can
   *  re-resolve just the subscriptions naming that fd instead of every subscription on every call. */
  onChange: (fd: number) => void = () => {};

  /** Adds an entry at the next number (used for the fixed layout at startup and for later opens). */
  add(entry: FdEntry): number {
    const fd = this.next++;
    this.entries.set(fd, entry);
    this.onChange(fd);
    return fd;
  }

  /** Looks up a guest fd; undefined means BADF. Accepts any JS number (guest passes u32). */
  get(fd: number): FdEntry | undefined {
    return this.entries.get(fd >>> 0);
  }

  /** The socket behind a guest fd (stream or listener), or the errno for anything else: BADF, NOTSOCK. */
  socket(fd: number): SocketEntry | number {
    const e = this.entries.get(fd >>> 0);
    if (!e) return Errno.BADF;
    if (e.kind !== 'stream' && e.kind !== 'listener') return Errno.NOTSOCK;
    return e;
  }

  /** Removes a guest fd and returns what it referred to. */
  remove(fd: number): FdEntry | undefined {
    const e = this.entries.get(fd >>> 0);
    this.entries.delete(fd >>> 0);
    this.onChange(fd >>> 0);
    return e;
  }

  /** Puts `entry` at a given number (fd_renumber); the caller has closed whatever was there. */
  set(fd: number, entry: FdEntry): void {
    this.entries.set(fd >>> 0, entry);
    this.onChange(fd >>> 0);
  }

  /** All entries, for shutdown. */
  all(): IterableIterator<[number, FdEntry]> {
    return this.entries.entries();
  }
}

import { Selector } from "../select/selector";

/** Something the event loop dispatches readiness to: a listener, a connection, or your own fd. */
export abstract class Watcher {
  /** The fd is readable (or at EOF, or in error: the next operation tells). */
  onReadable(): void {}
  /** The fd is writable (or connected, or in error). */
  onWritable(): void {}
  /**
   * The host reported an error for the fd itself (a dead fd, a failed connect). Default: stop watching
   * it, because a dead fd is reported on every poll and would keep the loop polling without ever waiting.
   * Override to close the fd or to handle the error another way.
   */
  onError(errno: u16): void { this.stopWatching(); }
  /** Bytes the host reported readable for this round's onReadable (0: unknown). */
  readHint: u64 = 0;
  /** Set once the watcher is done: the loop skips it for the rest of the round. */
  finished: bool = false;
  private watchedBy: Selector<Watcher> | null = null;
  private watchedFd: u32 = 0;

  /** @internal EventLoop.watch records where the watcher is registered, so that stopWatching can undo it. */
  watchedAt(selector: Selector<Watcher>, fd: u32): void {
    this.watchedBy = selector;
    this.watchedFd = fd;
    this.finished = false;
  }

  /** Stops watching the fd given to EventLoop.watch (it is not closed) and skips the rest of this round. */
  stopWatching(): void {
    this.finished = true;
    const sel = this.watchedBy;
    if (sel == null) return;
    this.watchedBy = null;
    const key = sel.getKey(this.watchedFd);
    if (key != null && key.data === this) sel.unregister(this.watchedFd);
  }
}

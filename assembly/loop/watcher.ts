/** Something the event loop dispatches readiness to: a listener, a connection, or your own fd. */
export abstract class Watcher {
  /** The fd is readable (or at EOF, or in error: the next operation tells). */
  onReadable(): void {}
  /** The fd is writable (or connected, or in error). */
  onWritable(): void {}
  /** The host reported an error for the fd itself (a dead fd, a failed connect). */
  onError(errno: u16): void {}
  /** Bytes the host reported readable for this round's onReadable (0: unknown). */
  readHint: u64 = 0;
  /** Set once the watcher is done: the loop skips it for the rest of the round. */
  finished: bool = false;
}

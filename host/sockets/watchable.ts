// The tiny change-notification mechanism shared by streams and listeners. The guest is single-threaded, so at
// most one wait (one poll_oneoff or blocking call) is pending at a time; a Set keeps the mechanism general anyway.

/** Something whose readiness can change; waiters register a callback and are told about any change. */
export class Watchable {
  private readonly watchers = new Set<() => void>();

  /** Registers `fn` to be called on the next change; returns a function that unregisters it. */
  watch(fn: () => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  /** Tells every registered waiter that readiness may have changed. */
  protected changed(): void {
    for (const fn of [...this.watchers]) fn();
  }
}

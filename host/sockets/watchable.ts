// Change notification shared by streams and listeners. Every socket of an instance raises one instance-wide
// ChangeHub instead of calling per-wait watchers: a wait then costs O(1) to arm however many sockets exist, and
// poll_oneoff learns *which* objects changed (so it re-checks only those, see poll.ts).

/** Past this many changed objects between two takes the list is dropped and take() says "everything": keeps the
 *  hub bounded when the guest never polls (e.g. it only uses blocking sockets). */
const MAX_DIRTY = 4096;

/** The instance-wide "something changed" signal: remembers which objects changed since the last take(). */
export class ChangeHub {
  private dirty: Watchable[] = [];
  private overflow = false;
  /** Called on every raise (the Waker's wake-up); set once by the owner of the hub. */
  onRaise: () => void = () => {};

  /** Records that `w`'s readiness may have changed and signals the waiter. */
  raise(w: Watchable): void {
    if (!w.dirty && !this.overflow) {
      if (this.dirty.length >= MAX_DIRTY) {
        this.overflow = true;
        this.clear();
      } else {
        w.dirty = true;
        this.dirty.push(w);
      }
    }
    this.onRaise();
  }

  /** Objects changed since the previous call (each once), or null when too many changed to list (assume all). */
  take(): Watchable[] | null {
    if (this.overflow) {
      this.overflow = false;
      return null;
    }
    return this.clear();
  }

  private clear(): Watchable[] {
    const d = this.dirty;
    if (d.length === 0) return d;
    this.dirty = [];
    for (const w of d) w.dirty = false;
    return d;
  }
}

/** Something whose readiness can change: streams and listeners. Reports changes to its instance's hub. */
export class Watchable {
  /** @internal set while queued in the hub (dedupes raises between two takes). */
  dirty = false;
  private hub: ChangeHub | null = null;

  /** Connects this object to its instance's hub; counts as a change (a poll must look at it once). */
  attach(hub: ChangeHub): void {
    this.hub = hub;
    hub.raise(this);
  }

  /** Tells the instance that this object's readiness may have changed. */
  protected changed(): void {
    this.hub?.raise(this);
  }
}

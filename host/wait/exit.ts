// The signal that ends the guest: thrown by proc_exit and by a pending wait when the host stops the guest.
// Node's own proc_exit throws a Symbol that only wasi.start() understands, so the host replaces it with this.

/** Thrown to unwind the guest with an exit code; caught by the runner, never seen by the embedder. */
export class GuestExit {
  constructor(readonly code: number) {}
}

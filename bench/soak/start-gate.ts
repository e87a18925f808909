// The moment the pairs that run at once start their traffic together. Servers take different times to start
// (wasmtime compiles the module first, more slowly on a busy machine), so pairs that began traffic as soon as
// their own server listened would also end at different times: the last pairs would then run their final
// minute alone, with more CPU and a higher request rate than the rest of their run, and their last RSS sample
// (the one growth is judged on) would not be taken under the load of the rest of the run.

/** Releases every waiter once `parties` pairs have arrived (a started server or one that failed to start). */
export class StartGate {
  private arrived = 0;
  private open: () => void = () => {};
  private readonly opened: Promise<void>;

  constructor(private readonly parties: number) {
    this.opened = new Promise((resolve) => { this.open = resolve; });
    if (parties <= 1) this.open();
  }

  /** Counts one pair as arrived; resolves when all have (at once for a gate of one). */
  arrive(): Promise<void> {
    if (++this.arrived >= this.parties) this.open();
    return this.opened;
  }
}

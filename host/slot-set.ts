// A set of small non-negative integers (subscription slot numbers) with O(1) add, delete and clear and no
// allocation once grown: poll_oneoff adds and drops slots on every call, and a Set<number> rehashes (allocates)
// as it churns.

/** Slot numbers in insertion order (order changes on delete); bounded by the largest slot ever added. */
export class SlotSet {
  /** The members, list[0..size). */
  private list = new Uint32Array(64);
  /** Where slot i sits in list, plus one (0 = not a member). */
  private pos = new Uint32Array(64);
  size = 0;

  /** Adds slot `i` (no-op when present). */
  add(i: number): void {
    if (i >= this.pos.length) this.pos = grown(this.pos, i + 1);
    if (this.pos[i] !== 0) return;
    if (this.size === this.list.length) this.list = grown(this.list, this.size + 1);
    this.list[this.size++] = i;
    this.pos[i] = this.size;
  }

  /** Removes slot `i` (no-op when absent): the last member takes its place. */
  delete(i: number): void {
    const at = i < this.pos.length ? this.pos[i] : 0;
    if (at === 0) return;
    const last = this.list[--this.size];
    this.list[at - 1] = last;
    this.pos[last] = at;
    this.pos[i] = 0;
  }

  /** Member number `k` (0 <= k < size). */
  at(k: number): number {
    return this.list[k];
  }

  /** Removes every member (O(size)). */
  clear(): void {
    for (let k = 0; k < this.size; k++) this.pos[this.list[k]] = 0;
    this.size = 0;
  }
}

/** A copy of `a` with room for at least `n` entries (doubling). */
function grown(a: Uint32Array<ArrayBuffer>, n: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

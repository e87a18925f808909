// The receive buffer of a stream: the Buffers Node delivered, oldest first, in a ring that is reused. A plain
// array emptied after every read (the usual case: the guest takes everything) would give up its backing store and
// allocate a new one at the next 'data' event, once per message. A chunk copied into a reusable block
// (receive-blocks.ts) goes back to the blocks when the queue drops it.
import { Buffer } from 'node:buffer';
import { giveBack } from './receive-blocks.js';

const EMPTY = Buffer.alloc(0);
/** Ring size a new queue starts with, and the size past which an emptied ring is given back (a burst of tiny
 *  chunks must not leave a large ring behind on every connection). */
const INITIAL = 8;
const KEEP_MAX = 64;

/** A FIFO of Buffers in a growable ring; taken slots are cleared so that no delivered Buffer is kept alive. */
export class ChunkQueue {
  private ring: Buffer[] = new Array<Buffer>(INITIAL).fill(EMPTY);
  /** Per ring slot: the view copyIntoBlock gave when its chunk is in a reusable block (what giveBack takes, even
   *  after a partial take has left only a part of it in the ring), else null. */
  private blocks: (Buffer | null)[] = new Array<Buffer | null>(INITIAL).fill(null);
  private head = 0;
  /** Number of chunks queued. */
  count = 0;

  /** Appends a chunk; `inBlock` when it is a view of a reusable block (given back once dropped). */
  push(c: Buffer, inBlock = false): void {
    if (this.count === this.ring.length) this.grow();
    const at = (this.head + this.count) & (this.ring.length - 1);
    this.ring[at] = c;
    this.blocks[at] = inBlock ? c : null;
    this.count++;
  }

  /** Chunk number `k` from the oldest (0 <= k < count). */
  at(k: number): Buffer {
    return this.ring[(this.head + k) & (this.ring.length - 1)];
  }

  /** Drops the `k` oldest chunks, then keeps only the bytes from `offset` on of the (new) oldest one. */
  take(k: number, offset: number): void {
    const mask = this.ring.length - 1;
    for (let i = 0; i < k; i++) this.drop((this.head + i) & mask);
    this.head = (this.head + k) & mask;
    this.count -= k;
    if (offset > 0) this.ring[this.head] = this.ring[this.head].subarray(offset);
    else if (this.count === 0 && this.ring.length > KEEP_MAX) this.clear();
  }

  /** Drops every chunk. */
  clear(): void {
    for (let k = 0; k < this.count; k++) this.drop((this.head + k) & (this.ring.length - 1));
    if (this.ring.length > KEEP_MAX) {
      this.ring = new Array<Buffer>(INITIAL).fill(EMPTY);
      this.blocks = new Array<Buffer | null>(INITIAL).fill(null);
    }
    this.head = 0;
    this.count = 0;
  }

  /** Empties ring slot `at`, giving its chunk's block back when it has one. */
  private drop(at: number): void {
    const block = this.blocks[at];
    if (block !== null) {
      giveBack(block);
      this.blocks[at] = null;
    }
    this.ring[at] = EMPTY;
  }

  /** Doubles the ring (its length stays a power of two), oldest chunk first. */
  private grow(): void {
    const next = new Array<Buffer>(this.ring.length * 2).fill(EMPTY);
    const blocks = new Array<Buffer | null>(next.length).fill(null);
    const mask = this.ring.length - 1;
    for (let k = 0; k < this.count; k++) {
      next[k] = this.ring[(this.head + k) & mask];
      blocks[k] = this.blocks[(this.head + k) & mask];
    }
    this.ring = next;
    this.blocks = blocks;
    this.head = 0;
  }
}

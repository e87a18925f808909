// Blocks that hold the bytes of each read until the guest takes them, reused instead of allocated per read.
//
// A read into the shared buffer (shared-read-buffer.ts) is copied out before the next read. A copy of its own
// would be an allocation per read: a slice of Node's Buffer pool up to 4 KiB (a new 8 KiB pool every few reads,
// and the scavenges that collect them), a malloc of its own above that (at 10 KiB per message about a third of
// the host's CPU per message, freed only at one of V8's next scavenges). So copies go into blocks of a few
// fixed sizes, which come back here as soon as the guest has taken every byte of them and go out again for the
// next read. The free blocks kept are bounded (KEEP_BYTES); past that a returned block is left for V8 to collect.

import { Buffer } from 'node:buffer';

/** Block sizes (bytes), smallest first; the largest is the most one read delivers (the shared buffer's size). */
const SIZES = [1024, 2 * 1024, 4 * 1024, 8 * 1024, 16 * 1024, 32 * 1024, 64 * 1024];
/** Most bytes of free blocks kept for reuse, over all sizes. */
const KEEP_BYTES = 2 * 1024 * 1024;

/** Free blocks by size class, each as the view last handed out of it: a copy of the same length (the usual case:
 *  a client sending messages of one size) hands that view out again, and so allocates nothing. */
const free: Buffer[][] = SIZES.map(() => []);
let keptBytes = 0;

/** Index into SIZES of the smallest block that holds `n` bytes, or -1 when none does. */
function sizeClass(n: number): number {
  for (let c = 0; c < SIZES.length; c++) if (n <= SIZES[c]) return c;
  return -1;
}

/** True when `n` bytes fit a block (every read into the shared buffer does). */
export function fitsBlock(n: number): boolean {
  return n <= SIZES[SIZES.length - 1];
}

/** A copy of `bytes` (fitsBlock(bytes.length)) in a block: a view of its first bytes. Give that view back with
 *  giveBack() once nothing reads it, or any other view of the same block, again. */
export function copyIntoBlock(bytes: Uint8Array): Buffer {
  const n = bytes.length;
  const c = sizeClass(n);
  let view = free[c].pop();
  if (view !== undefined) {
    keptBytes -= SIZES[c];
    if (view.length !== n) view = Buffer.from(view.buffer, 0, n);
  } else {
    view = Buffer.from(Buffer.allocUnsafeSlow(SIZES[c]).buffer, 0, n);
  }
  view.set(bytes);
  return view;
}

/** Returns a block for reuse, given as the view copyIntoBlock returned (not a part of it: its length names the
 *  block's size class). */
export function giveBack(view: Buffer): void {
  const c = sizeClass(view.length);
  const size = SIZES[c];
  if (keptBytes + size > KEEP_BYTES) return;
  keptBytes += size;
  free[c].push(view);
}

/** Bytes of free blocks held for reuse (for tests). */
export function freeBlockBytes(): number {
  return keptBytes;
}

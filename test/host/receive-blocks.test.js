// The reusable blocks that hold large reads (host/sockets/receive-blocks.ts) and the receive queue that gives
// them back (host/sockets/chunk-queue.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyIntoBlock, fitsBlock, freeBlockBytes, giveBack } from '../../dist/host/sockets/receive-blocks.js';
import { ChunkQueue } from '../../dist/host/sockets/chunk-queue.js';

const KiB = 1024;

/** Takes every free block out of the list (blocks are shared by the whole process): exact counts from here on. */
function drainFreeBlocks() {
  for (const n of [60 * KiB, 30 * KiB, 15 * KiB, 6 * KiB, 3 * KiB, 1500, 1]) {
    for (let before = -1; before !== freeBlockBytes();) {
      before = freeBlockBytes();
      copyIntoBlock(Buffer.alloc(n));
    }
  }
  assert.is(freeBlockBytes(), 0);
}

test('every read the shared buffer delivers (1 byte to 64 KiB) fits a block; more does not', () => {
  assert.ok(fitsBlock(1));
  assert.ok(fitsBlock(64 * KiB));
  assert.not.ok(fitsBlock(64 * KiB + 1));
});

test('a copy holds the bytes, in the smallest block that fits them', () => {
  for (const [n, block] of [[1, KiB], [KiB, KiB], [KiB + 1, 2 * KiB], [10 * KiB, 16 * KiB], [64 * KiB, 64 * KiB]]) {
    const bytes = Buffer.alloc(n, n & 0xff);
    const view = copyIntoBlock(bytes);
    assert.ok(view.equals(bytes), `${n} bytes`);
    assert.is(view.buffer.byteLength, block, `${n} bytes go into a ${block}-byte block`);
  }
});

test('a block given back is the one the next copy of its size uses', () => {
  drainFreeBlocks();
  const first = copyIntoBlock(Buffer.alloc(20 * KiB, 1));
  const kept = freeBlockBytes();
  giveBack(first);
  assert.is(freeBlockBytes(), kept + 32 * KiB);
  const second = copyIntoBlock(Buffer.alloc(30 * KiB, 2));
  assert.is(second.buffer, first.buffer);
  assert.is(freeBlockBytes(), kept);
  assert.ok(second.equals(Buffer.alloc(30 * KiB, 2)));
});

test('a copy the length of the view given back last is that same view, refilled', () => {
  drainFreeBlocks();
  const first = copyIntoBlock(Buffer.alloc(KiB, 5));
  giveBack(first);
  const second = copyIntoBlock(Buffer.alloc(KiB, 6));
  assert.ok(second === first, 'the same Buffer object');
  assert.ok(second.equals(Buffer.alloc(KiB, 6)));
});

test('free blocks kept for reuse stay at or under 2 MiB however many come back', () => {
  const views = Array.from({ length: 64 }, () => copyIntoBlock(Buffer.alloc(40 * KiB)));
  for (const v of views) giveBack(v);
  assert.ok(freeBlockBytes() <= 2 * 1024 * KiB, `${freeBlockBytes()} bytes kept`);
  assert.ok(freeBlockBytes() > 2 * 1024 * KiB - 64 * KiB, 'and close to it');
});

test('the queue gives a block back when the block\'s chunk is taken whole, not while part of it is left', () => {
  drainFreeBlocks();
  const q = new ChunkQueue();
  q.push(copyIntoBlock(Buffer.alloc(12 * KiB, 3)), true);
  q.take(0, 100); // part of it read
  assert.is(freeBlockBytes(), 0);
  assert.is(q.at(0).length, 12 * KiB - 100);
  q.take(1, 0);
  assert.is(freeBlockBytes(), 16 * KiB);
});

test('a chunk taken in parts gives back its whole block, not a block the size of what was left', () => {
  drainFreeBlocks();
  const q = new ChunkQueue();
  q.push(copyIntoBlock(Buffer.alloc(1500, 7)), true); // a 2 KiB block
  q.take(0, 1000); // 500 bytes left: the size of a 1 KiB block's chunk
  q.take(1, 0);
  assert.is(freeBlockBytes(), 2 * KiB);
  assert.is(copyIntoBlock(Buffer.alloc(2 * KiB, 8)).buffer.byteLength, 2 * KiB);
});

test('clearing the queue gives its blocks back; chunks not in blocks are only dropped', () => {
  drainFreeBlocks();
  const q = new ChunkQueue();
  q.push(Buffer.from('plain'));
  q.push(copyIntoBlock(Buffer.alloc(5 * KiB, 4)), true);
  q.clear();
  assert.is(q.count, 0);
  assert.is(freeBlockBytes(), 8 * KiB);
});

test.run();

// The stream's receive buffer (host/sockets/chunk-queue.ts): a reused ring of Buffers, oldest first.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChunkQueue } from '../../dist/host/sockets/chunk-queue.js';

/** The queue's chunks as strings, oldest first. */
const contents = (q) => Array.from({ length: q.count }, (_, k) => q.at(k).toString());

test('chunks come out in the order they were pushed, across wrap-around and growth', () => {
  const q = new ChunkQueue();
  const want = [];
  for (let i = 0; i < 6; i++) { q.push(Buffer.from(`a${i}`)); want.push(`a${i}`); }
  q.take(5, 0); // the ring's head is now near its end
  want.splice(0, 5);
  for (let i = 0; i < 40; i++) { q.push(Buffer.from(`b${i}`)); want.push(`b${i}`); }
  assert.is(q.count, 41);
  assert.equal(contents(q), want);
});

test('take with an offset keeps the rest of the new oldest chunk', () => {
  const q = new ChunkQueue();
  for (const s of ['hello', 'world', '!']) q.push(Buffer.from(s));
  q.take(1, 2);
  assert.equal(contents(q), ['rld', '!']);
});

test('a randomized run of pushes and takes matches a plain array', () => {
  const q = new ChunkQueue();
  const ref = [];
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let it = 0; it < 20000; it++) {
    if (rnd() % 3) {
      const b = Buffer.alloc(1 + (rnd() % 5), it & 255);
      q.push(b);
      ref.push(b);
    } else if (ref.length) {
      const k = rnd() % (ref.length + 1);
      const off = k < ref.length && rnd() % 2 ? rnd() % ref[k].length : 0;
      q.take(k, off);
      ref.splice(0, k);
      if (off) ref[0] = ref[0].subarray(off);
    }
    assert.is(q.count, ref.length);
  }
  q.push(Buffer.from('end')); // so that the final comparison has something to compare
  ref.push(Buffer.from('end'));
  assert.equal(contents(q), ref.map(String));
});

test('clear empties the queue and it is usable again', () => {
  const q = new ChunkQueue();
  for (let i = 0; i < 100; i++) q.push(Buffer.from('x'));
  q.clear();
  assert.is(q.count, 0);
  q.push(Buffer.from('y'));
  assert.equal(contents(q), ['y']);
});

test.run();

// poll_oneoff with several subscription arrays: the host keeps one parsed copy per array address (a few of them),
// so a guest alternating between two arrays (a selector's hot fds and all its fds) is answered correctly for both,
// a change seen while the other array was in use is reported when the first comes back, and the copies are bounded.
// Driven directly (fake streams, a memory of our own), without a guest.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_CACHES, SubscriptionCaches } from '../../dist/host/subscription-cache.js';
import { Waker } from '../../dist/host/wait/waker.js';
import { FdTable } from '../../dist/host/fd-table.js';
import { CLOCK_UD, OUT, answered, pollHost } from './poll-host.js';

const SUB = 48;
const READ = 1;

/** A host with `n` streams (fds 3..n+2) and a poll_oneoff over its own memory. */
function host(n) {
  const ph = pollHost(n);
  const { memory, dv, fds, streams } = ph;
  /** Writes read subscriptions for `fdList` at `addr` (userdata = fd) plus a zero clock (userdata CLOCK_UD). */
  const array = (addr, fdList) => {
    new Uint8Array(memory.buffer, addr, (fdList.length + 1) * SUB).fill(0);
    fdList.forEach((fd, j) => {
      const p = addr + j * SUB;
      dv.setBigUint64(p, BigInt(fd), true);
      dv.setUint8(p + 8, READ);
      dv.setUint32(p + 16, fd, true);
    });
    const c = addr + fdList.length * SUB;
    dv.setBigUint64(c, BigInt(CLOCK_UD), true);
    dv.setUint8(c + 8, 0);
    dv.setUint32(c + 16, 1, true);
    return fdList.length + 1;
  };
  /** Polls the array at `addr` of `nsubs` subscriptions; the userdata of the fd events, sorted. */
  const call = (addr, nsubs) => answered(ph, addr, nsubs);
  return { streams, fds, array, call, dv };
}

test('alternating between two subscription arrays gives the right events for each', async () => {
  const h = host(6);
  const all = h.array(0, [3, 4, 5, 6, 7, 8]);
  const some = h.array(20000, [4, 7]);
  for (let round = 0; round < 3; round++) {
    h.streams[1].rise(); // fd 4
    h.streams[3].rise(); // fd 6
    assert.equal(await h.call(0, all), [4, 6]);
    assert.equal(await h.call(20000, some), [4]);
    h.streams[1].fall();
    h.streams[3].fall();
    assert.equal(await h.call(0, all), []);
    assert.equal(await h.call(20000, some), []);
  }
});

test('a stream that became ready while the other array was in use is reported when its array is polled again', async () => {
  const h = host(6);
  const all = h.array(0, [3, 4, 5, 6, 7, 8]);
  const some = h.array(20000, [4]);
  assert.equal(await h.call(0, all), []);
  assert.equal(await h.call(20000, some), []);
  h.streams[4].rise(); // fd 7: not in the hot array, its change is taken by the hot array's call
  assert.equal(await h.call(20000, some), []);
  assert.equal(await h.call(0, all), [7]);
});

test('an fd closed while the other array was in use is reported as BADF when its array is polled again', async () => {
  const h = host(4);
  const all = h.array(0, [3, 4, 5, 6]);
  const some = h.array(20000, [3]);
  assert.equal(await h.call(0, all), []);
  assert.equal(await h.call(20000, some), []);
  h.fds.remove(5);
  assert.equal(await h.call(20000, some), []);
  assert.equal(await h.call(0, all), [5]);
  assert.is(h.dv.getUint16(OUT + 8, true), 8, 'its event carries BADF');
});

test('the parsed copies are bounded: arrays beyond the limit evict the least recently used, and stay correct', async () => {
  assert.ok(MAX_CACHES >= 2 && MAX_CACHES <= 8, `${MAX_CACHES} caches`);
  const h = host(4);
  const addrs = [];
  for (let k = 0; k < MAX_CACHES + 3; k++) addrs.push(k * 2000);
  const n = addrs.map((a, k) => h.array(a, [3 + (k % 4), 3 + ((k + 1) % 4)]));
  h.streams[2].rise(); // fd 5
  for (let pass = 0; pass < 2; pass++) {
    for (let k = 0; k < addrs.length; k++) {
      const want = [3 + (k % 4), 3 + ((k + 1) % 4)].filter((fd) => fd === 5);
      assert.equal(await h.call(addrs[k], n[k]), want, `array ${k}`);
    }
  }
});

test('no more than MAX_CACHES copies are held however many array addresses are used', () => {
  const caches = new SubscriptionCaches(new FdTable(), new Waker().hub);
  for (let a = 0; a <= MAX_CACHES * 3; a++) caches.at(a * SUB);
  assert.is(caches.size, MAX_CACHES);
  const last = caches.at(MAX_CACHES * 3 * SUB);
  assert.ok(caches.at(MAX_CACHES * 3 * SUB) === last, 'an address in use keeps its copy');
});

test.run();

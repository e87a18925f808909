// poll_oneoff and the subscription journal (host/subscription-journal.ts): for a module that declares it, the host
// re-reads only the slots the header before the array lists, and takes the list in; a header it cannot trust (no
// magic, "any slot", an array whose copy it does not hold, a module without the section) means a whole compare.
// A guest that leaves a write out gets events for what its array held before, and nothing worse.
// Driven directly (fake streams, a memory of our own), without a guest.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_CACHES, SubscriptionCaches } from '../../dist/host/subscription-cache.js';
import { FdTable } from '../../dist/host/fd-table.js';
import { Waker } from '../../dist/host/wait/waker.js';
import {
  JOURNAL_MAGIC, JOURNAL_SIZE, SUBSCRIPTION_JOURNAL_SECTION, declaresSubscriptionJournal,
} from '../../dist/host/subscription-journal.js';
import { CLOCK_UD, answered, pollHost } from './poll-host.js';
import { customSection } from '../../scripts/lib/custom-section.js';
import { ROOT, wat } from './helpers.js';

const SUB = 48;
const READ = 1;
const ANY = 0xffffffff;
/** The array under test, right after its header. */
const A = 1024;

/** A host with `n` streams (fds 3..n+2) and a poll_oneoff over its own memory, journaled or not. */
function host(n, journaled = true) {
  const ph = pollHost(n, journaled);
  const { memory, dv, streams } = ph;
  /** Writes read subscription `j` of the array at `addr` for `fd` (userdata = fd). */
  const slot = (addr, j, fd) => {
    const p = addr + j * SUB;
    new Uint8Array(memory.buffer, p, SUB).fill(0);
    dv.setBigUint64(p, BigInt(fd), true);
    dv.setUint8(p + 8, READ);
    dv.setUint32(p + 16, fd, true);
  };
  /** Writes the header before `addr`: magic and count, then the listed slots. */
  const header = (addr, count, slots = [], magic = JOURNAL_MAGIC) => {
    const at = addr - JOURNAL_SIZE;
    dv.setUint32(at, magic, true);
    dv.setUint32(at + 4, count, true);
    slots.forEach((s, i) => dv.setUint32(at + 8 + 4 * i, s, true));
  };
  /** Writes a zero-timeout clock (userdata CLOCK_UD, left out of call()'s answer) at slot `j` of the array at `addr`. */
  const clock = (addr, j) => {
    const p = addr + j * SUB;
    new Uint8Array(memory.buffer, p, SUB).fill(0);
    dv.setBigUint64(p, BigInt(CLOCK_UD), true);
    dv.setUint32(p + 16, 1, true); // monotonic
  };
  /** Writes read subscriptions for `fdList` and a clock at `addr` under a fresh header; returns nsubs. */
  const array = (addr, fdList) => {
    fdList.forEach((fd, j) => slot(addr, j, fd));
    clock(addr, fdList.length);
    header(addr, ANY);
    return fdList.length + 1;
  };
  /** The header's count now. */
  const count = (addr) => dv.getUint32(addr - JOURNAL_SIZE + 4, true);
  /** Polls the array at `addr` of `nsubs` subscriptions; the userdata of the fd events, sorted. */
  const call = (addr, nsubs) => answered(ph, addr, nsubs);
  /** Makes fd `fd` readable. */
  const rise = (fd) => streams[fd - 3].rise();
  return { slot, clock, header, array, count, call, rise };
}

test('a slot the journal lists is read again', async () => {
  const h = host(4);
  const n = h.array(A, [3, 4, 5]);
  assert.equal(await h.call(A, n), []);
  h.slot(A, 1, 6);
  h.header(A, 1, [1]);
  h.rise(6);
  assert.equal(await h.call(A, n), [6]);
});

test('the host takes the list in: after the call the header lists nothing', async () => {
  const h = host(4);
  const n = h.array(A, [3, 4, 5]);
  await h.call(A, n);
  assert.is(h.count(A), 0);
  h.slot(A, 2, 6);
  h.header(A, 1, [2]);
  await h.call(A, n);
  assert.is(h.count(A), 0);
});

test('a slot written and left out of the journal is answered from the copy (the guest\'s own loss)', async () => {
  const h = host(4);
  const n = h.array(A, [3, 4, 5]);
  await h.call(A, n);
  h.slot(A, 1, 6); // fd 4 -> fd 6, not listed
  h.rise(4);
  h.rise(6);
  assert.equal(await h.call(A, n), [4]);
});

test('a header saying any slot may have changed means a whole compare', async () => {
  const h = host(4);
  const n = h.array(A, [3, 4, 5]);
  await h.call(A, n);
  h.slot(A, 1, 6);
  h.header(A, ANY);
  h.rise(6);
  assert.equal(await h.call(A, n), [6]);
  assert.is(h.count(A), 0);
});

test('a header without the magic is not trusted, and left as it is', async () => {
  const h = host(4);
  const n = h.array(A, [3, 4, 5]);
  await h.call(A, n);
  h.slot(A, 1, 6);
  h.header(A, 0, [], 0x12345678);
  h.rise(6);
  assert.equal(await h.call(A, n), [6]);
  assert.is(h.count(A), 0, 'count untouched (it was 0)');
  h.header(A, 3, [], 0x12345678);
  await h.call(A, n);
  assert.is(h.count(A), 3, 'a header without the magic is never written');
});

test('a module that does not declare the journal has its whole array compared', async () => {
  const h = host(4, false);
  const n = h.array(A, [3, 4, 5]);
  await h.call(A, n);
  h.slot(A, 1, 6);
  h.header(A, 0);
  h.rise(6);
  assert.equal(await h.call(A, n), [6]);
  h.header(A, 2);
  await h.call(A, n);
  assert.is(h.count(A), 2, 'its memory is never written');
});

test('slots grown past the previous count are read without being listed', async () => {
  const h = host(4);
  let n = h.array(A, [3, 4]);
  await h.call(A, n);
  h.slot(A, 2, 6); // where the clock was: listed
  h.clock(A, 3); // past the previous count: not listed
  n = 4;
  h.header(A, 1, [2]);
  h.rise(6);
  assert.equal(await h.call(A, n), [6]);
});

test('listed slots past the array or absurd are ignored', async () => {
  const h = host(4);
  const n = h.array(A, [3, 4, 5]);
  await h.call(A, n);
  h.header(A, 4, [4, 1000, 0x7fffffff, ANY]);
  h.rise(5);
  assert.equal(await h.call(A, n), [5]);
});

test('an array whose copy was evicted is compared whole when it comes back, whatever its header says', async () => {
  const h = host(6);
  const n = h.array(A, [3, 4, 5]);
  await h.call(A, n);
  for (let k = 1; k <= MAX_CACHES; k++) {
    const addr = A + k * 4096;
    await h.call(addr, h.array(addr, [6, 6, 6]));
  }
  h.slot(A, 0, 7);
  h.header(A, 0);
  h.rise(7);
  assert.equal(await h.call(A, n), [7]);
});

test('a copy reused for another address no longer claims its old array (even if that array then fails to parse)', () => {
  const caches = new SubscriptionCaches(new FdTable(), new Waker().hub);
  const first = caches.at(SUB);
  assert.ok(first.update(SUB, new Uint8Array(SUB), 1), 'a zero clock parses');
  assert.is(first.heldFor, SUB);
  let reused = null;
  for (let k = 2; reused === null; k++) {
    const c = caches.at(k * SUB);
    if (c === first) reused = c;
  }
  assert.is(reused.heldFor, -1);
});

test('an array with no room for a header before it is compared whole', async () => {
  const h = host(4);
  const n = 4;
  [3, 4, 5].forEach((fd, j) => h.slot(16, j, fd));
  h.clock(16, 3);
  assert.equal(await h.call(16, n), []);
  h.slot(16, 1, 6);
  h.rise(6);
  assert.equal(await h.call(16, n), [6]);
});

test('our example builds declare the journal; a module without the section, or of another version, does not', () => {
  assert.ok(declaresSubscriptionJournal(new WebAssembly.Module(readFileSync(join(ROOT, 'build', 'echo.wasm')))));
  const bare = wat('unwind-sentinel');
  assert.not.ok(declaresSubscriptionJournal(new WebAssembly.Module(bare)));
  const v2 = Buffer.concat([Buffer.from(bare), customSection(SUBSCRIPTION_JOURNAL_SECTION, Uint8Array.of(2, 0, 0, 0))]);
  assert.not.ok(declaresSubscriptionJournal(new WebAssembly.Module(v2)));
  const v1 = Buffer.concat([Buffer.from(bare), customSection(SUBSCRIPTION_JOURNAL_SECTION, Uint8Array.of(1, 0, 0, 0))]);
  assert.ok(declaresSubscriptionJournal(new WebAssembly.Module(v1)));
  const twice = Buffer.concat([v1, customSection(SUBSCRIPTION_JOURNAL_SECTION, Uint8Array.of(1, 0, 0, 0))]);
  assert.not.ok(declaresSubscriptionJournal(new WebAssembly.Module(twice)));
});

const DECLARE = join(ROOT, 'scripts', 'declare-journal.js');

test('declare-journal adds the section to a module once', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'wasmux-journal-')), 'app.wasm');
  writeFileSync(path, wat('unwind-sentinel'));
  execFileSync(process.execPath, [DECLARE, path]);
  execFileSync(process.execPath, [DECLARE, path]);
  const module = new WebAssembly.Module(readFileSync(path));
  assert.is(WebAssembly.Module.customSections(module, SUBSCRIPTION_JOURNAL_SECTION).length, 1);
  assert.ok(declaresSubscriptionJournal(module));
});

test('declare-journal refuses what is not a module in one line', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'wasmux-journal-')), 'not.wasm');
  writeFileSync(path, 'hello');
  const r = spawnSync(process.execPath, [DECLARE, path], { encoding: 'utf8' });
  assert.is(r.status, 1);
  assert.match(r.stderr, /^declare-journal: .*not\.wasm: .+\n$/);
  assert.is(readFileSync(path, 'utf8'), 'hello', 'the file is left as it was');
});

test.run();

// The bytes of the events poll_oneoff writes (host/poll.ts): whole events at any address of the event array (an
// aligned array is written a word at a time, any other byte by byte), padding zeroed, userdata and a 64-bit
// nbytes exact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pollHost } from './poll-host.js';

const SUBS = 1024;
const NEVENTS = 2048;
const UD_READ = 0x0123456789abcdefn;
const UD_WRITE = 0xfedcba9876543210n;
/** A read subscription on a stream with 2^33 + 5 bytes and the peer gone, a write one with send room. */
function twoReadyStreams() {
  const h = pollHost(2);
  const [r, w] = h.streams;
  r.readable = true; r.available = 2 ** 33 + 5; r.hangup = true;
  w.writeRoom = 4096;
  const sub = (i, ud, tag, fd) => {
    const p = SUBS + i * 48;
    h.dv.setBigUint64(p, ud, true);
    h.dv.setUint8(p + 8, tag);
    h.dv.setUint32(p + 16, fd, true);
  };
  sub(0, UD_READ, 1, 3);
  sub(1, UD_WRITE, 2, 4);
  return h;
}

/** Polls the two subscriptions with the event array at `out` (its bytes first set to 0xee); returns the 64 event
 *  bytes. */
function eventsAt(out) {
  const h = twoReadyStreams();
  new Uint8Array(h.memory.buffer, out, 64).fill(0xee);
  assert.is(h.poll(SUBS, out, 2, NEVENTS), 0);
  assert.is(h.dv.getUint32(NEVENTS, true), 2);
  return Buffer.from(new Uint8Array(h.memory.buffer, out, 64));
}

/** The two events as WASI lays them out, byte for byte. */
function expected() {
  const b = Buffer.alloc(64);
  b.writeBigUInt64LE(UD_READ, 0);
  b.writeUInt16LE(0, 8); // errno
  b[10] = 1; // FD_READ
  b.writeBigUInt64LE(BigInt(2 ** 33 + 5), 16);
  b.writeUInt16LE(1, 24); // HANGUP
  b.writeBigUInt64LE(UD_WRITE, 32);
  b[42] = 2; // FD_WRITE
  b.writeBigUInt64LE(4096n, 48);
  return b;
}

test('events in an aligned array: userdata, type, 64-bit nbytes and flags exact, padding zero', () => {
  assert.equal([...eventsAt(4096)], [...expected()]);
});

test('events in an array at an odd address: the same bytes', () => {
  assert.equal([...eventsAt(4097)], [...expected()]);
});

test('events in an array at an address of 2 mod 4: the same bytes', () => {
  assert.equal([...eventsAt(4098)], [...expected()]);
});

test.run();

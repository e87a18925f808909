// poll_oneoff semantics, driven by test/fixtures/poll-probe.wat: exact readiness, per-event BADF, clocks
// (relative, ABSTIME monotonic and realtime), nbytes for streams and listeners, HANGUP.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startGuest, wat, connect, withTimeout } from './helpers.js';

/** Parses the records the probe wrote so far. */
function records(buf) {
  const out = [];
  let off = 0;
  while (off + 16 <= buf.length) {
    const errno = buf.readUInt32LE(off);
    const n = buf.readUInt32LE(off + 4);
    const elapsedMs = Number(buf.readBigUInt64LE(off + 8)) / 1e6;
    if (off + 16 + n * 32 > buf.length) break;
    const events = [];
    for (let i = 0; i < n; i++) {
      const e = off + 16 + i * 32;
      events.push({
        userdata: Number(buf.readBigUInt64LE(e)), error: buf.readUInt16LE(e + 8), type: buf[e + 10],
        nbytes: Number(buf.readBigUInt64LE(e + 16)), flags: buf.readUInt16LE(e + 24),
      });
    }
    out.push({ errno, events, elapsedMs });
    off += 16 + n * 32;
  }
  return out;
}

// The probe runs one script, so these tests run in order and share the guest and the peer socket.
const chunks = [];
let g, c, extra = [];
let r;
const upTo = (n) => withTimeout(new Promise((resolve) => {
  const check = () => { const x = records(Buffer.concat(chunks)); if (x.length >= n) resolve(x); else setTimeout(check, 5); };
  check();
}), 10000, `poll record ${n}`);

test.before(async () => {
  g = await startGuest({ module: wat('poll-probe'), listen: ['127.0.0.1:0'] });
  g.stdout.on('data', (d) => chunks.push(d));
  c = await connect(g.port);
});
test.after(async () => {
  for (const s of [c, ...extra]) s?.destroy();
  await g?.stop();
});

test('a bad fd is reported as its own BADF event, at once, while nothing else is ready', async () => {
  r = await upTo(1);
  assert.is(r[0].errno, 0);
  assert.equal(r[0].events, [{ userdata: 2, error: 8, type: 1, nbytes: 0, flags: 0 }]);
  assert.ok(r[0].elapsedMs < 1000, 'returned at once');
});

test('waits while nothing is ready, then reports only the readable stream with nbytes', async () => {
  await new Promise((res) => setTimeout(res, 100));
  assert.is(records(Buffer.concat(chunks)).length, 1, 'poll 2 must wait: nothing is ready yet');
  c.write('hello');
  r = await upTo(2);
  assert.equal(r[1].events, [{ userdata: 1, error: 0, type: 1, nbytes: 5, flags: 0 }]);
});

test('write readiness reports the send room as nbytes', async () => {
  r = await upTo(3);
  assert.is(r[2].events.length, 1);
  assert.is(r[2].events[0].userdata, 5);
  assert.is(r[2].events[0].type, 2);
  assert.ok(r[2].events[0].nbytes > 0);
});

test('a relative monotonic clock fires after its timeout', async () => {
  r = await upTo(4);
  assert.equal(r[3].events, [{ userdata: 4, error: 0, type: 0, nbytes: 0, flags: 0 }]);
  assert.ok(r[3].elapsedMs >= 49 && r[3].elapsedMs < 1000, `relative timeout took ${r[3].elapsedMs} ms`);
});

test('an ABSTIME monotonic clock uses the clock_time_get base', async () => {
  r = await upTo(5);
  assert.equal(r[4].events.map((e) => e.userdata), [6]);
  assert.ok(r[4].elapsedMs >= 29 && r[4].elapsedMs < 1000, `monotonic ABSTIME took ${r[4].elapsedMs} ms`);
});

test('peer half-close: readable with HANGUP and nbytes 0', async () => {
  c.end();
  r = await upTo(6);
  assert.equal(r[5].events, [{ userdata: 1, error: 0, type: 1, nbytes: 0, flags: 1 }]);
});

test('a listener reports pending connections as nbytes', async () => {
  extra = [await connect(g.port), await connect(g.port)];
  r = await upTo(8);
  assert.equal(r[7].events, [{ userdata: 7, error: 0, type: 1, nbytes: 2, flags: 0 }]);
});

test('an ABSTIME realtime clock works', async () => {
  r = await upTo(9);
  assert.equal(r[8].events.map((e) => e.userdata), [9]);
  assert.ok(r[8].elapsedMs >= 25 && r[8].elapsedMs < 1000, `realtime ABSTIME took ${r[8].elapsedMs} ms`);
});

test('a zero timeout and a ready fd are both reported', async () => {
  r = await upTo(10);
  assert.equal(r[9].events.map((e) => e.userdata).sort(), [10, 7].sort());
});

test('stdout is write-ready; the guest then exits 0', async () => {
  r = await upTo(11);
  assert.equal(r[10].events.map((e) => [e.userdata, e.type]), [[11, 2]]);
  assert.is(await withTimeout(g.exited, 5000, 'exit'), 0);
});

test.run();

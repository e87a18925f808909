// poll_oneoff semantics, driven by test/fixtures/poll-probe.wat: exact readiness, per-event BADF, clocks
// (relative, ABSTIME monotonic and realtime), nbytes for streams and listeners, HANGUP. Each test runs its own
// guest with its own script of polls.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, startGuest, wat, connect, withTimeout } from './helpers.js';

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

const PROBE = readFileSync(join(FIXTURES, 'poll-probe.wat'), 'utf8');
const READ = 1;
const WRITE = 2;
const MONOTONIC = 1;
const REALTIME = 0;
const ABSTIME = 1;
const fdsub = (i, ud, tag, fd) => `(call $fdsub (i32.const ${i}) (i64.const ${ud}) (i32.const ${tag}) ${fd})`;
const clocksub = (i, ud, id, timeout, flags = 0) => `(call $clocksub (i32.const ${i}) (i64.const ${ud}) (i32.const ${id}) ${timeout} (i32.const ${flags}))`;
const poll = (n) => `(call $poll (i32.const ${n}))`;
const S = '(global.get $s)';
const ms = (n) => `(i64.const ${n * 1000000})`;
const fromNow = (id, n) => `(i64.add (call $now (i32.const ${id})) ${ms(n)})`;

/**
 * Starts the probe with `script` (its polls, after it accepted the peer `c`), lets `drive(c, another)` act as the
 * peer (`another()` connects one more client), and resolves the `n` records once the guest has exited 0.
 * @param {string} script
 * @param {number} n
 * @param {(c: import('node:net').Socket, another: () => Promise<import('node:net').Socket>) => Promise<void>} [drive]
 */
async function probe(script, n, drive = async () => {}) {
  const g = await startGuest({ module: wat(PROBE.replace('@SCRIPT@', () => script)), listen: ['127.0.0.1:0'] });
  const chunks = [];
  g.stdout.on('data', (d) => chunks.push(d));
  const peers = [];
  try {
    const c = await connect(g.port);
    peers.push(c);
    await drive(c, async () => { const x = await connect(g.port); peers.push(x); return x; });
    assert.is(await withTimeout(g.exited, 10000, 'poll probe'), 0, g.stderr.text());
    const r = records(Buffer.concat(chunks));
    assert.is(r.length, n, `${n} poll records`);
    return r;
  } finally {
    for (const s of peers) s.destroy();
    await g.stop();
  }
}

test('a bad fd is reported as its own BADF event, at once, while nothing else is ready', async () => {
  const [r] = await probe([fdsub(0, 1, READ, S), fdsub(1, 2, READ, '(i32.const 999)'), fdsub(2, 3, WRITE, '(i32.const 3)'),
    clocksub(3, 4, MONOTONIC, '(i64.const 5000000000)'), poll(4)].join('\n'), 1);
  assert.is(r.errno, 0);
  assert.equal(r.events, [{ userdata: 2, error: 8, type: 1, nbytes: 0, flags: 0 }]);
  assert.ok(r.elapsedMs < 1000, 'returned at once');
});

test('once the peer sends, only the readable stream is reported, with nbytes', async () => {
  const [r] = await probe([fdsub(0, 1, READ, S), fdsub(1, 3, WRITE, '(i32.const 3)'),
    clocksub(2, 4, MONOTONIC, '(i64.const 5000000000)'), poll(3)].join('\n'), 1, async (c) => { c.write('hello'); });
  assert.equal(r.events, [{ userdata: 1, error: 0, type: 1, nbytes: 5, flags: 0 }]);
});

test('write readiness reports the send room as nbytes', async () => {
  const [r] = await probe([fdsub(0, 5, WRITE, S), poll(1)].join('\n'), 1);
  assert.is(r.events.length, 1);
  assert.is(r.events[0].userdata, 5);
  assert.is(r.events[0].type, 2);
  assert.ok(r.events[0].nbytes > 0);
});

test('a relative monotonic clock fires after its timeout while the stream stays idle', async () => {
  const [r] = await probe([fdsub(0, 1, READ, S), clocksub(1, 4, MONOTONIC, ms(50)), poll(2)].join('\n'), 1);
  assert.equal(r.events, [{ userdata: 4, error: 0, type: 0, nbytes: 0, flags: 0 }]);
  assert.ok(r.elapsedMs >= 49 && r.elapsedMs < 1000, `relative timeout took ${r.elapsedMs} ms`);
});

test('an ABSTIME monotonic clock uses the clock_time_get base', async () => {
  const [r] = await probe([clocksub(0, 6, MONOTONIC, fromNow(MONOTONIC, 30), ABSTIME), poll(1)].join('\n'), 1);
  assert.equal(r.events.map((e) => e.userdata), [6]);
  // The deadline is read before the subscriptions are written and the clock starts around the call, so a busy
  // machine shortens the wait a little; a wrong base would fire at once or never.
  assert.ok(r.elapsedMs >= 25 && r.elapsedMs < 1000, `monotonic ABSTIME took ${r.elapsedMs} ms`);
});

test('an ABSTIME realtime clock works', async () => {
  const [r] = await probe([clocksub(0, 9, REALTIME, fromNow(REALTIME, 30), ABSTIME), poll(1)].join('\n'), 1);
  assert.equal(r.events.map((e) => e.userdata), [9]);
  assert.ok(r.elapsedMs >= 25 && r.elapsedMs < 1000, `realtime ABSTIME took ${r.elapsedMs} ms`);
});

test('peer half-close: readable with HANGUP and nbytes 0', async () => {
  const [r] = await probe([fdsub(0, 1, READ, S), poll(1)].join('\n'), 1, async (c) => { c.end(); });
  assert.equal(r.events, [{ userdata: 1, error: 0, type: 1, nbytes: 0, flags: 1 }]);
});

// The guest first waits for "go" on its stream; the peer sends it only once both extra clients are connected.
const afterGo = [fdsub(0, 1, READ, S), poll(1)];
const twoClientsThenGo = async (c, another) => { await another(); await another(); c.write('go'); };

test('a listener reports pending connections as nbytes', async () => {
  const r = await probe([...afterGo, fdsub(0, 7, READ, '(i32.const 3)'), poll(1)].join('\n'), 2, twoClientsThenGo);
  assert.equal(r[1].events, [{ userdata: 7, error: 0, type: 1, nbytes: 2, flags: 0 }]);
});

test('a zero timeout and a ready fd are both reported', async () => {
  const r = await probe([...afterGo, fdsub(0, 7, READ, '(i32.const 3)'), clocksub(1, 10, MONOTONIC, '(i64.const 0)'), poll(2)].join('\n'), 2, twoClientsThenGo);
  assert.equal(r[1].events.map((e) => e.userdata).sort((a, b) => a - b), [7, 10]);
});

test('stdout is write-ready', async () => {
  const [r] = await probe([fdsub(0, 11, WRITE, '(i32.const 1)'), poll(1)].join('\n'), 1);
  assert.equal(r.events.map((e) => [e.userdata, e.type]), [[11, 2]]);
});

test.run();

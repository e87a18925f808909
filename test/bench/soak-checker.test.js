// The soak's checkers must be able to fail: wrong, missing, extra and cut-short bytes are each caught, by the
// byte checker, the HTTP response parser and the chat piece check, and end to end by the echo traffic against
// servers that corrupt or drop bytes. Also: the RSS goal and the option parser.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import { ByteChecker, CheckError, ExactBytes } from '../../dist/bench/soak/byte-checker.js';
import { HttpResponse } from '../../dist/bench/soak/http-response.js';
import { ChatReader, checkPiece, piece, pieceLengths, MAX_LINE } from '../../dist/bench/soak/chat-wire.js';
import { Room } from '../../dist/bench/soak/chat-room.js';
import { echoTraffic } from '../../dist/bench/soak/echo-traffic.js';
import { makeContext } from '../../dist/bench/soak/traffic.js';
import { misses, summariseRss } from '../../dist/bench/soak/goals.js';
import { parseSoakArgs, parseDuration, SoakUsage } from '../../dist/bench/soak/options.js';
import { NODE_HOST_V8_FLAGS } from '../../dist/host/cli/node-flags.js';
import { bytePool, Rng } from '../../dist/bench/soak/rng.js';
import { StartGate } from '../../dist/bench/soak/start-gate.js';

const OK_RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: keep-alive\r\n\r\nhello\n';

function checker() {
  let checked = 0;
  const c = new ByteChecker((n) => { checked += n; });
  return { c, checked: () => checked };
}

test('the byte checker accepts the expected bytes in any split and counts them', () => {
  const { c, checked } = checker();
  let done = 0;
  c.expect(new ExactBytes(Buffer.from('hello world')), () => done++);
  for (const part of ['hel', 'lo w', 'orld']) c.feed(Buffer.from(part));
  assert.is(done, 1);
  assert.is(checked(), 11);
  assert.ok(c.idle);
});

test('the byte checker throws on one corrupted byte and says where', () => {
  const { c } = checker();
  c.expect(new ExactBytes(Buffer.from('hello world')), () => {});
  assert.throws(() => c.feed(Buffer.from('hello wOrld')), (e) => e instanceof CheckError && /byte 7 of 11/.test(e.message));
});

test('the byte checker throws on bytes nothing expected', () => {
  const { c } = checker();
  c.expect(new ExactBytes(Buffer.from('ab')), () => {});
  assert.throws(() => c.feed(Buffer.from('abc')), (e) => e instanceof CheckError && e.wrongBytes === 1);
});

test('the byte checker reports bytes still missing as lost when abandoned', () => {
  const { c } = checker();
  c.expect(new ExactBytes(Buffer.alloc(100)), () => {});
  c.expect(new ExactBytes(Buffer.alloc(50)), () => {});
  c.feed(Buffer.alloc(30));
  assert.is(c.missing, 120);
  assert.is(c.abandon(), 120);
  assert.ok(c.idle);
});

test('an HTTP response is accepted whole and byte by byte', () => {
  for (const step of [OK_RESPONSE.length, 1]) {
    const r = new HttpResponse(false, true);
    const b = Buffer.from(OK_RESPONSE);
    let at = 0;
    while (at < b.length) at = r.consume(b.subarray(0, Math.min(b.length, at + step)), at);
    assert.ok(r.complete, `step ${step}`);
  }
});

test('an HTTP response with a wrong status, length, connection or body is rejected', () => {
  const bad = [
    OK_RESPONSE.replace('200 OK', '500 Internal Server Error'),
    OK_RESPONSE.replace('Content-Length: 6', 'Content-Length: 7'),
    OK_RESPONSE.replace('keep-alive', 'close'),
    OK_RESPONSE.replace('hello', 'HELLO'),
    OK_RESPONSE.replace('Content-Type: text/plain', 'Content-Type text/plain'),
  ];
  assert.is(bad.length, 5);
  for (const text of bad) {
    const r = new HttpResponse(false, true);
    assert.throws(() => r.consume(Buffer.from(text), 0), (e) => e instanceof CheckError, text);
  }
});

test('an HTTP response cut short is incomplete and counts missing bytes', () => {
  const r = new HttpResponse(false, true);
  r.consume(Buffer.from(OK_RESPONSE.slice(0, -3)), 0);
  assert.not.ok(r.complete);
  assert.is(r.missing, 3);
});

test('a chat piece is checked byte for byte, and a corrupted one is rejected', () => {
  const text = bytePool(new Rng(1), 1 << 16, true);
  const p = piece(text, 7, 3, 500, true);
  assert.is(p.length, 500);
  assert.is(checkPiece(text, p, () => false).seq, 3);
  const bad = Buffer.from(p);
  bad[200] ^= 1;
  assert.throws(() => checkPiece(text, bad, () => false), (e) => e instanceof CheckError && /differs/.test(e.message));
});

test('a chat piece cut short is accepted only from a sender allowed to cut it', () => {
  const text = bytePool(new Rng(2), 1 << 16, true);
  const full = piece(text, 9, 0, 300, true);
  const cut = Buffer.concat([full.subarray(0, 120), Buffer.from('\n')]);
  assert.throws(() => checkPiece(text, cut, () => false), (e) => e instanceof CheckError);
  assert.ok(checkPiece(text, cut, (sender) => sender === 9).truncated);
});

test('a chat piece cut short says whether its sender could not cut it or its bytes differ', () => {
  const text = bytePool(new Rng(2), 1 << 16, true);
  const full = piece(text, 9, 0, 300, true);
  const cut = Buffer.concat([full.subarray(0, 120), Buffer.from('\n')]);
  assert.throws(() => checkPiece(text, cut, () => false), (e) => /is 121 bytes, its tag says 300 \(its sender neither closed nor reset\)/.test(e.message));
  cut[100] ^= 1;
  assert.throws(() => checkPiece(text, cut, () => true), (e) => /differs from what was sent at byte 100/.test(e.message));
});

/** A room whose member `sender` sent one 300-byte piece and left `how`; returns the receiver, and that piece cut at 120 bytes. */
function roomWithCutLine(how) {
  const ctx = makeContext(0, 'test', 7, 1 << 16, 1000, () => true);
  const room = new Room(ctx);
  const receiver = room.join();
  const sender = room.join();
  sender.pieceLens.push(300);
  sender.sentSeq = 1;
  room.leave(sender, how);
  const cut = Buffer.concat([piece(ctx.text, sender.id, 0, 300, true).subarray(0, 120), Buffer.from('\n')]);
  return { ctx, room, receiver, sender, cut };
}

test('a chat line cut short is accepted from a member that closed while lines kept arriving (Linux resets such a close)', () => {
  const { ctx, room, receiver, sender, cut } = roomWithCutLine('close');
  room.receive(receiver, sender.id, cut);
  assert.is(ctx.counters.expectedErrors, 1);
  assert.is(ctx.counters.unexpectedErrors, 0);
});

test('a chat line cut short is rejected from a member that only half-closed (its FIN follows every byte)', () => {
  const { room, receiver, sender, cut } = roomWithCutLine('half-close');
  assert.throws(() => room.receive(receiver, sender.id, cut), (e) => e instanceof CheckError && /neither closed nor reset/.test(e.message));
});

test('long chat lines are cut into pieces the way the server relays them', () => {
  const lens = pieceLengths(3 * MAX_LINE + 5);
  assert.equal(lens, [MAX_LINE, MAX_LINE, MAX_LINE, 40]);
});

test('the chat reader splits relayed messages and rejects a malformed prefix', () => {
  const got = [];
  const r = new ChatReader((id, payload) => got.push([id, payload.toString()]));
  r.feed(Buffer.from('[12] one\n[3'));
  r.feed(Buffer.from('] two\n'));
  assert.equal(got, [[12, 'one\n'], [3, 'two\n']]);
  assert.throws(() => new ChatReader(() => {}).feed(Buffer.from('12] x\n')), (e) => e instanceof CheckError);
});

/** A TCP server on a free port that answers each connection with `reply(data)`; resolves with its port. */
function fakeServer(onData) {
  const srv = createServer((s) => {
    s.on('data', (d) => onData(s, d));
    s.on('error', () => {});
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({ port: /** @type {import('node:net').AddressInfo} */ (srv.address()).port, close: () => srv.close() })));
}

async function echoAgainst(onData) {
  const srv = await fakeServer(onData);
  let running = true;
  const ctx = makeContext(srv.port, 'fake echo', 5, 4096, 2000, () => running);
  const traffic = echoTraffic(ctx, 4);
  while (ctx.counters.unexpectedErrors === 0 && ctx.counters.ops < 2000) await new Promise((r) => setTimeout(r, 20));
  running = false;
  await traffic;
  srv.close();
  return ctx.counters;
}

test('echo traffic against a server that flips a byte counts wrong bytes and an unexpected error', async () => {
  let seen = 0;
  const c = await echoAgainst((s, d) => {
    seen += d.length;
    if (seen > 20000) { d = Buffer.from(d); d[0] ^= 0x55; seen = 0; }
    s.write(d);
  });
  assert.ok(c.bytesWrong > 0, JSON.stringify(c));
  assert.ok(c.unexpectedErrors > 0);
  assert.match(c.errorSamples[0], /differs/);
});

test('echo traffic against a server that drops bytes and closes counts them lost', async () => {
  const c = await echoAgainst((s, d) => {
    if (d.length > 1) s.end(d.subarray(0, d.length - 1)); else s.write(d);
  });
  assert.ok(c.bytesLost > 0, JSON.stringify(c));
  assert.ok(c.unexpectedErrors > 0);
});

const judgedBase = { host: 'node', server: 'kv', error: null, ops: 10, bytes_lost: 0, bytes_wrong: 0, unexpected_errors: 0, error_samples: [] };

test('RSS growth of 5 % or more from the first sample at or after a minute to the last is a miss', () => {
  const samples = [0, 30, 61, 90, 120].map((t, i) => ({ t_s: t, rss_kib: [50000, 90000, 100000, 103000, 105000][i], ops: t }));
  const rss = summariseRss(samples);
  assert.is(rss.minute_t_s, 61);
  assert.is(rss.minute_kib, 100000);
  assert.is(rss.last_kib, 105000);
  assert.is(rss.growth_pct, 5);
  const m = misses({ ...judgedBase, rss });
  assert.is(m.length, 1);
  assert.match(m[0], /^node kv: RSS grew 5 % after the first minute \(97.7 MiB at 61 s, 102.5 MiB at the end\), goal < 5 %$/);
});

test('RSS growth under 5 % after the first minute meets the goal, whatever it grew before', () => {
  const samples = [0, 30, 60, 90, 120].map((t, i) => ({ t_s: t, rss_kib: [20000, 90000, 100000, 108000, 104900][i], ops: t }));
  const rss = summariseRss(samples);
  assert.is(rss.growth_pct, 4.9);
  assert.equal(misses({ ...judgedBase, rss }), []);
});

test('a run without a sample after the first minute is not judged on RSS', () => {
  const samples = [0, 30, 60].map((t, i) => ({ t_s: t, rss_kib: [50000, 90000, 100000][i], ops: t }));
  const rss = summariseRss(samples);
  assert.is(rss.growth_pct, null);
  assert.equal(misses({ ...judgedBase, rss }), []);
});

test('a level that rose once in the first half shows in the halves figure too, but the goal measures from the first minute', () => {
  const times = [0, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600];
  const levelled = times.map((t) => ({ t_s: t, rss_kib: t < 150 ? 100000 + t * 100 : 116000, ops: t }));
  const rss = summariseRss(levelled);
  assert.is(rss.halves_growth_pct, 0); // 116000 is the peak of both halves
  assert.is(rss.growth_pct, 9.4); // 106000 at 60 s -> 116000
  assert.is(misses({ ...judgedBase, rss }).length, 1);
});

test('--node-flags replaces the node flags of the bin for the servers, and refuses anything that is not a flag', () => {
  const flags = (argv) => {
    const o = parseSoakArgs(argv);
    if (o === 'help') throw new Error(`${argv.join(' ')} must not ask for help`);
    return o.nodeFlags;
  };
  assert.equal(flags([]), [...NODE_HOST_V8_FLAGS]);
  assert.equal(flags(['--node-flags', '']), []);
  assert.equal(flags(['--node-flags', ' --a=1  --b ']), ['--a=1', '--b']);
  assert.throws(() => parseSoakArgs(['--node-flags', '--a 16']), (e) => e instanceof SoakUsage && /not '16'/.test(e.message));
});

test('the start gate opens only once every pair arrived, a gate of one at once', async () => {
  const gate = new StartGate(3);
  const opened = [];
  const a = gate.arrive().then(() => opened.push('a'));
  const b = gate.arrive().then(() => opened.push('b'));
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(opened, []);
  await Promise.all([a, b, gate.arrive()]);
  assert.equal(opened.sort(), ['a', 'b']);
  await new StartGate(1).arrive();
});

test('soak durations accept seconds, minutes and hours, and nothing else', () => {
  assert.is(parseDuration('90', 'x'), 90);
  assert.is(parseDuration('30s', 'x'), 30);
  assert.is(parseDuration('10m', 'x'), 600);
  assert.is(parseDuration('1h', 'x'), 3600);
  for (const bad of ['', '0', '10 minutes', '-5s', '5d']) assert.throws(() => parseDuration(bad, 'x'), bad);
  const o = parseSoakArgs([]);
  if (o === 'help') throw new Error('no arguments must not ask for help');
  assert.is(o.durationS, 600);
  assert.is(o.connections, 100);
  assert.is(o.parallel, 8);
});

test.run();

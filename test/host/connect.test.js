// Outgoing connections (WASIX sock_open/sock_connect/sock_addr_*/resolve) and the --allow-connect policy, over
// real TCP on loopback: the connect probe (test/fixtures/connect-probe.wat) for the exact call semantics,
// build/fetch.wasm for success, refusal and denial, build/proxy.wasm in front of kv (redis-benchmark) and echo
// (50 concurrent clients, random payloads up to 1 MiB, half-close), and the CLI's rule checking.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { lookup } from 'node:dns/promises';
import { ROOT, FIXTURES, startGuest, wat, withTimeout, echoOnce, randomBytes, runCli } from './helpers.js';
import { start } from '../../dist/host/index.js';
import { parseRule, ConnectPolicy } from '../../dist/host/policy.js';
import { parseIp } from '../../dist/host/wasix/address.js';

const FETCH = join(ROOT, 'build', 'fetch.wasm');
const PROXY = join(ROOT, 'build', 'proxy.wasm');
const KV = join(ROOT, 'build', 'kv.wasm');
const ECHO = join(ROOT, 'build', 'echo.wasm');

/** A TCP server on a free loopback port that counts connections and keeps what each sends. */
async function countingServer(onConn = (s) => s.resume()) {
  const srv = net.createServer((s) => { srv.count++; s.on('data', (d) => { srv.got += d; }); onConn(s); });
  srv.count = 0;
  srv.got = '';
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  srv.port = srv.address().port;
  return srv;
}

/** A port nothing listens on (bound once, then closed). */
async function closedPort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

const close = (srv) => new Promise((r) => srv.close(() => r()));
const portBytes = (p) => `\\${(p & 0xff).toString(16).padStart(2, '0')}\\${(p >> 8).toString(16).padStart(2, '0')}`;

/** Sequential reader over the probe's output. */
function reader(buf) {
  let off = 0;
  return {
    u32() { const v = buf.readUInt32LE(off); off += 4; return v; },
    bytes(n) { const b = buf.subarray(off, off + n); off += n; return b; },
    poll() {
      const errno = this.u32();
      const n = this.u32();
      const events = [];
      for (let i = 0; i < n; i++) {
        const e = this.bytes(32);
        events.push({ userdata: Number(e.readBigUInt64LE(0)), error: e.readUInt16LE(8), type: e[10], flags: e.readUInt16LE(24) });
      }
      return { errno, events };
    },
    get left() { return buf.length - off; },
  };
}

test('the probe: sock_open, INPROGRESS then writable, errors on the poll event and once on the next call', async () => {
  const ok = await countingServer();
  const denied = await countingServer();
  const refused = await closedPort();
  const text = readFileSync(join(FIXTURES, 'connect-probe.wat'), 'utf8')
    .replaceAll('@OK@', portBytes(ok.port)).replaceAll('@REFUSED@', portBytes(refused)).replaceAll('@DENIED@', portBytes(denied.port));
  const g = await startGuest({ module: wat(text), allowConnect: [`127.0.0.1:${ok.port}`, `127.0.0.1:${refused}`] });
  const chunks = [];
  g.stdout.on('data', (d) => chunks.push(d));
  try {
    const code = await withTimeout(g.exited, 20000, 'connect probe');
    const r = reader(Buffer.concat(chunks));
    assert.is(code, 0, g.stderr.text());
    assert.is(r.u32(), 0, 'sock_open');
    assert.is(r.u32(), 53, 'recv on an unconnected socket: NOTCONN');
    assert.is(r.u32(), 53, 'send on an unconnected socket: NOTCONN');
    assert.is(r.u32(), 53, 'addr_peer on an unconnected socket: NOTCONN');
    let p = r.poll();
    assert.equal(p.events.map((e) => e.userdata), [9], 'an unconnected socket is not ready: only the clock fires');
    assert.is(r.u32(), 26, 'non-blocking connect: INPROGRESS');
    assert.is(r.u32(), 7, 'second connect while connecting: ALREADY');
    p = r.poll();
    assert.equal(p.events, [{ userdata: 1, error: 0, type: 2, flags: 0 }], 'writable once connected');
    assert.is(r.u32(), 0, 'addr_peer after connect');
    const peer = r.bytes(8);
    assert.equal([...peer], [1, 0, ok.port & 0xff, ok.port >> 8, 127, 0, 0, 1], 'addr_port: tag, pad, port LE, address');
    assert.is(r.u32(), 0, 'addr_local after connect');
    const local = r.bytes(8);
    assert.is(local[0], 1);
    assert.is(local.readUInt16LE(2) > 0, true);
    assert.equal([...local.subarray(4)], [127, 0, 0, 1]);
    assert.is(r.u32(), 30, 'connect on a connected socket: ISCONN');
    assert.is(r.u32(), 0, 'send on the connected socket');
    assert.is(r.u32(), 0, 'second sock_open');
    assert.is(r.u32(), 26, 'connect to a closed port: INPROGRESS');
    p = r.poll();
    assert.equal(p.events, [
      { userdata: 2, error: 14, type: 1, flags: 1 },
      { userdata: 3, error: 14, type: 2, flags: 1 },
    ], 'CONNREFUSED on both events');
    assert.is(r.u32(), 14, 'addr_peer returns the connect error once');
    assert.is(r.u32(), 53, '... then NOTCONN');
    assert.is(r.u32(), 64, 'send on the failed socket: PIPE');
    assert.is(r.u32(), 0);
    assert.is(r.u32(), 76, 'denied: NOTCAPABLE');
    assert.is(r.u32(), 0);
    assert.is(r.u32(), 0, 'blocking connect: SUCCESS');
    assert.is(r.u32(), 0);
    assert.is(r.u32(), 14, 'blocking connect to a closed port: CONNREFUSED');
    assert.is(r.u32(), 5, 'unknown family: AFNOSUPPORT');
    assert.is(r.u32(), 58, 'UDP: NOTSUP');
    assert.is(r.u32(), 0);
    assert.is(r.u32(), 28, 'bad addr_port tag: INVAL');
    assert.is(r.u32(), 21, 'addr_port out of bounds: FAULT');
    assert.is(r.u32(), 5, 'IPv6 address on an IPv4 socket: AFNOSUPPORT');
    assert.is(r.u32(), 76, 'resolve of a name no rule names: NOTCAPABLE');
    assert.is(r.u32(), 0, 'resolve of an allowed literal');
    assert.is(r.u32(), 1);
    assert.equal([...r.bytes(18)], [1, 0, 127, 0, 0, 1, ...new Array(12).fill(0)], 'addr_ip');
    assert.is(r.u32(), 76, 'resolve localhost without a rule naming it: NOTCAPABLE');
    assert.is(r.u32(), 0xdeadbeef);
    assert.is(r.left, 0);
    const lines = g.stderr.text().trim().split('\n');
    assert.equal(lines, [`wasmux: connect to 127.0.0.1:${denied.port} denied (no --allow-connect rule matches)`]);
    await new Promise((res) => setTimeout(res, 100));
    assert.is(denied.count, 0, 'nothing reached the denied server');
    assert.is(ok.count, 2, 'the non-blocking and the blocking connect');
    assert.is(ok.got, 'hi');
  } finally {
    await g.stop();
    await close(ok);
    await close(denied);
  }
});

test('fetch.wasm: GET from a local HTTP server, output has the reply and closed, exit 0', async () => {
  const srv = http.createServer((req, res) => res.end(`hello ${req.method} ${req.url}\n`));
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const port = srv.address().port;
  try {
    const g = await startGuest({ module: FETCH, args: [`127.0.0.1:${port}`], allowConnect: ['127.0.0.1:*'] });
    const code = await withTimeout(g.exited, 20000, 'fetch');
    const out = g.stdout.text();
    assert.is(code, 0, out + g.stderr.text());
    assert.match(out, `[127.0.0.1:${port}] connected, request sent`);
    assert.match(out, 'HTTP/1.1 200 OK');
    assert.match(out, 'hello GET /');
    assert.match(out, `[127.0.0.1:${port}] closed`);
  } finally {
    await close(srv);
  }
});

test('fetch.wasm: localhost rule, a name looked up through resolve, two servers at once', async () => {
  const a = http.createServer((req, res) => res.end('from a\n'));
  const b = http.createServer((req, res) => res.end('from b\n'));
  await new Promise((r) => a.listen(0, '127.0.0.1', r));
  await new Promise((r) => b.listen(0, '127.0.0.1', r));
  try {
    const g = await startGuest({
      module: FETCH, args: [`localhost:${a.address().port}`, `127.0.0.1:${b.address().port}`],
      allowConnect: ['localhost:*'],
    });
    const code = await withTimeout(g.exited, 20000, 'fetch');
    const out = g.stdout.text();
    assert.is(code, 0, out + g.stderr.text());
    assert.match(out, 'from a');
    assert.match(out, 'from b');
  } finally {
    await close(a);
    await close(b);
  }
});

test('fetch.wasm: a closed port is refused (ECONNREFUSED, exit 1), not a hang', async () => {
  const port = await closedPort();
  const g = await startGuest({ module: FETCH, args: [`127.0.0.1:${port}`], allowConnect: [`127.0.0.1:${port}`] });
  const code = await withTimeout(g.exited, 10000, 'fetch to a closed port');
  assert.is(code, 1);
  assert.match(g.stdout.text(), `[127.0.0.1:${port}] failed: ECONNREFUSED`);
});

test('fetch.wasm: outside the allow-list: NOTCAPABLE, one stderr line, nothing reaches the server', async () => {
  const srv = await countingServer();
  try {
    const g = await startGuest({ module: FETCH, args: [`127.0.0.1:${srv.port}`], allowConnect: ['10.0.0.0/8:*', `127.0.0.1:${srv.port === 1 ? 2 : 1}`] });
    const code = await withTimeout(g.exited, 10000, 'denied fetch');
    assert.is(code, 1);
    assert.match(g.stdout.text(), `failed: ENOTCAPABLE`);
    assert.equal(g.stderr.text().trim().split('\n'), [`wasmux: connect to 127.0.0.1:${srv.port} denied (no --allow-connect rule matches)`]);
    // no rules at all: denied too
    const g2 = await startGuest({ module: FETCH, args: [`127.0.0.1:${srv.port}`] });
    assert.is(await withTimeout(g2.exited, 10000, 'fetch without rules'), 1);
    assert.match(g2.stderr.text(), 'denied (no --allow-connect rule matches)');
    // a name no rule names: NOTCAPABLE from resolve, no lookup, no connect line
    const g3 = await startGuest({ module: FETCH, args: [`db.invalid:${srv.port}`], allowConnect: ['127.0.0.1:*'] });
    assert.is(await withTimeout(g3.exited, 10000, 'fetch of an unnamed host'), 1);
    assert.match(g3.stdout.text(), 'failed: ENOTCAPABLE');
    await new Promise((r) => setTimeout(r, 100));
    assert.is(srv.count, 0);
  } finally {
    await close(srv);
  }
});

test('proxy.wasm in front of kv.wasm: redis-benchmark ping/set/get -P 16 without errors', async () => {
  const kv = await startGuest({ module: KV, listen: ['127.0.0.1:0'] });
  const proxy = await startGuest({ module: PROXY, listen: ['127.0.0.1:0'], args: [`127.0.0.1:${kv.port}`], allowConnect: [`127.0.0.1:${kv.port}`] });
  try {
    const { stdout, stderr } = await withTimeout(new Promise((resolve, reject) => {
      execFile('redis-benchmark', ['-p', String(proxy.port), '-t', 'ping,set,get', '-P', '16', '-n', '20000', '-q'],
        { timeout: 60000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message} ${stderr}`)) : resolve({ stdout, stderr })));
    }), 70000, 'redis-benchmark');
    const text = stdout.replace(/\r/g, '\n');
    for (const t of ['PING_INLINE', 'PING_MBULK', 'SET', 'GET']) assert.match(text, new RegExp(`${t}: [\\d.]+ requests per second`));
    assert.not.match(text + stderr, /error|ERR/i);
    assert.not.match(proxy.stderr.text(), /closed \(/);
  } finally {
    await proxy.stop();
    await kv.stop();
  }
});

test('proxy.wasm in front of echo.wasm: 50 concurrent clients, random payloads up to 1 MiB, half-close, byte-exact', async () => {
  const echo = await startGuest({ module: ECHO, listen: ['127.0.0.1:0'] });
  const proxy = await startGuest({ module: PROXY, listen: ['127.0.0.1:0'], args: [`127.0.0.1:${echo.port}`], allowConnect: [`127.0.0.1:${echo.port}`] });
  try {
    const sizes = Array.from({ length: 50 }, (_, i) => (i === 0 ? 0 : i === 1 ? 1 << 20 : ((i * 2654435761) >>> 0) % (1 << 20)));
    const results = await withTimeout(Promise.all(sizes.map(async (n, i) => {
      const payload = randomBytes(n, i + 1);
      const got = await echoOnce(proxy.port, payload);
      return got.equals(payload) || `client ${i}: sent ${n} bytes, got ${got.length}`;
    })), 90000, '50 clients through the proxy');
    assert.equal(results.filter((r) => r !== true), []);
  } finally {
    await proxy.stop();
    await echo.stop();
  }
});

test('sock_addr_peer and sock_addr_local on an accepted stream, sock_addr_local on a listener', async () => {
  const g = await startGuest({
    module: wat(`(module
      (import "wasix_32v1" "sock_addr_local" (func $local (param i32 i32) (result i32)))
      (import "wasix_32v1" "sock_addr_peer" (func $peer (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $flags (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start") (local $s i32)
        (drop (call $flags (i32.const 3) (i32.const 0)))
        (drop (call $accept (i32.const 3) (i32.const 0) (i32.const 100)))
        (local.set $s (i32.load (i32.const 100)))
        (i32.store (i32.const 200) (call $peer (local.get $s) (i32.const 204)))
        (i32.store (i32.const 212) (call $local (local.get $s) (i32.const 216)))
        (i32.store (i32.const 224) (call $local (i32.const 3) (i32.const 228)))
        (i32.store (i32.const 236) (call $peer (i32.const 3) (i32.const 240)))
        (i32.store (i32.const 120) (i32.const 200)) (i32.store (i32.const 124) (i32.const 40))
        (drop (call $fd_write (i32.const 1) (i32.const 120) (i32.const 1) (i32.const 128)))))`),
    listen: ['127.0.0.1:0'],
  });
  const chunks = [];
  g.stdout.on('data', (d) => chunks.push(d));
  const c = net.connect(g.port, '127.0.0.1');
  await new Promise((r) => c.once('connect', r));
  const cport = c.localPort;
  assert.is(await withTimeout(g.exited, 10000, 'address probe'), 0);
  const out = Buffer.concat(chunks);
  assert.is(out.readUInt32LE(0), 0, 'sock_addr_peer on an accepted stream');
  assert.equal([...out.subarray(4, 12)], [1, 0, cport & 0xff, cport >> 8, 127, 0, 0, 1]);
  assert.is(out.readUInt32LE(12), 0, 'sock_addr_local on an accepted stream');
  assert.equal([...out.subarray(16, 24)], [1, 0, g.port & 0xff, g.port >> 8, 127, 0, 0, 1]);
  assert.is(out.readUInt32LE(24), 0, 'sock_addr_local on a listener');
  assert.equal([...out.subarray(28, 36)], [1, 0, g.port & 0xff, g.port >> 8, 127, 0, 0, 1]);
  assert.is(out.readUInt32LE(36), 53, 'sock_addr_peer on a listener: NOTCONN');
  c.destroy();
});

test('hostile arguments: every WASIX call answers an errno and the guest runs on', async () => {
  const calls = [
    ['sock_open', '(i32.const 1) (i32.const 1) (i32.const 0) (i32.const -4)', 21],
    ['sock_open', '(i32.const 1) (i32.const 9) (i32.const 0) (i32.const 0)', 28],
    ['sock_open', '(i32.const 1) (i32.const 1) (i32.const 17) (i32.const 0)', 66],
    ['sock_connect', '(i32.const 999) (i32.const 0)', 8],
    ['sock_connect', '(i32.const 1) (i32.const 0)', 57],
    ['sock_addr_peer', '(i32.const 999) (i32.const 0)', 8],
    ['sock_addr_local', '(i32.const 2) (i32.const 0)', 57],
    ['resolve', '(i32.const -1) (i32.const 9) (i32.const 80) (i32.const 0) (i32.const 1) (i32.const 0)', 21],
    ['resolve', '(i32.const 0) (i32.const 0) (i32.const 80) (i32.const 0) (i32.const 1) (i32.const 0)', 28],
    ['resolve', '(i32.const 0) (i32.const 9) (i32.const 70000) (i32.const 0) (i32.const 1) (i32.const 0)', 28],
    ['resolve', '(i32.const 0) (i32.const 9) (i32.const 80) (i32.const 0) (i32.const -1) (i32.const 0)', 21],
    ['resolve', '(i32.const 0) (i32.const 9) (i32.const 80) (i32.const 0) (i32.const 1) (i32.const 65535)', 21],
  ];
  const sig = { sock_open: 'i32 i32 i32 i32', sock_connect: 'i32 i32', sock_addr_peer: 'i32 i32', sock_addr_local: 'i32 i32', resolve: 'i32 i32 i32 i32 i32 i32' };
  const g = await startGuest({
    module: wat(`(module
      ${Object.entries(sig).map(([n, p]) => `(import "wasix_32v1" "${n}" (func $${n} (param ${p}) (result i32)))`).join('\n')}
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        ${calls.map(([n, args], i) => `(i32.store (i32.const ${1024 + 4 * i}) (call $${n} ${args}))`).join('\n')}
        (i32.store (i32.const 100) (i32.const 1024)) (i32.store (i32.const 104) (i32.const ${4 * calls.length}))
        (drop (call $fd_write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 108)))))`),
  });
  const chunks = [];
  g.stdout.on('data', (d) => chunks.push(d));
  assert.is(await withTimeout(g.exited, 10000, 'hostile wasix'), 0, g.stderr.text());
  const out = Buffer.concat(chunks);
  assert.equal(calls.map((_, i) => out.readUInt32LE(4 * i)), calls.map((c) => c[2]));
});

test('a host-name rule: looked up at start, and the guest resolves that name through resolve()', async () => {
  const name = hostname();
  const found = await lookup(name).catch(() => null);
  if (!found) {
    // This machine cannot resolve its own name: then the start must say so in one line.
    const e = await start({ module: FETCH, allowConnect: [`${name}:*`] }).catch((x) => x);
    assert.match(e.message, `cannot resolve --allow-connect host '${name.toLowerCase()}'`);
    return;
  }
  const srv = http.createServer((req, res) => res.end('by name\n'));
  await new Promise((r) => srv.listen(0, r)); // all addresses, both families: wherever the name points
  const port = srv.address().port;
  try {
    const g = await startGuest({ module: FETCH, args: [`${name}:${port}`], allowConnect: [`${name}:${port}`] });
    const code = await withTimeout(g.exited, 20000, 'fetch by name');
    assert.is(code, 0, g.stdout.text() + g.stderr.text());
    assert.match(g.stdout.text(), 'by name');
  } finally {
    await close(srv);
  }
});

test('rules: the syntax, CIDR matching, localhost, IPv6 and mapped addresses', async () => {
  for (const bad of ['', '127.0.0.1', '127.0.0.1:', '127.0.0.1:0', '127.0.0.1:65536', '::1:80', '[127.0.0.1]:80',
    '10.0.0.0/33:*', '[::1/129]:*', 'bad_name:80', 'host:x', '1.2.3:80', ':80', '[::1]']) {
    assert.throws(() => parseRule(bad), (e) => e.usage === true && e.message === `malformed --allow-connect rule '${bad}' (expected HOST:PORT, HOST:*, CIDR:PORT or CIDR:*)`, bad);
  }
  const p = await ConnectPolicy.create(['10.0.0.0/8:*', '192.168.1.7:443', 'localhost:5432', '[fd00::/8]:443', '[::1]:*']);
  const ok = (a, port) => p.allows(parseIp(a), port);
  assert.ok(ok('10.1.2.3', 1));
  assert.not.ok(ok('11.0.0.1', 1));
  assert.ok(ok('192.168.1.7', 443));
  assert.not.ok(ok('192.168.1.7', 80));
  assert.ok(ok('127.0.0.1', 5432));
  assert.not.ok(ok('127.0.0.2', 5432));
  assert.not.ok(ok('127.0.0.1', 5433));
  assert.ok(ok('fd12::1', 443));
  assert.not.ok(ok('fe80::1', 443));
  assert.ok(ok('::1', 9));
  assert.ok(ok('::ffff:10.0.0.1', 80), 'a mapped address is checked as IPv4');
  assert.not.ok(ok('::ffff:11.0.0.1', 80));
  assert.equal(p.rulesNaming('LOCALHOST.', 5432).length, 1);
  assert.equal(p.rulesNaming('localhost', 80).length, 0);
  assert.equal(p.rulesNaming('example.com', 443).length, 0);
});

test('CLI: a malformed rule is a usage error (exit 2, one line); --host wasmtime with --allow-connect too', async () => {
  let r = await runCli(['run', '--allow-connect', 'nonsense', FETCH, '--', '127.0.0.1:1']);
  assert.is(r.code, 2);
  assert.equal(r.stderr.trim().split('\n'), ["wasmux: malformed --allow-connect rule 'nonsense' (expected HOST:PORT, HOST:*, CIDR:PORT or CIDR:*)"]);
  r = await runCli(['run', '--host', 'wasmtime', '--allow-connect', '127.0.0.1:*', ECHO]);
  assert.is(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^wasmux: --allow-connect applies to the Node host only/);
  const e = await start({ module: ECHO, host: 'wasmtime', allowConnect: ['127.0.0.1:*'] }).catch((x) => x);
  assert.is(e.usage, true);
  r = await runCli(['run', '--help']);
  assert.match(r.stdout, '--allow-connect RULE');
});

test('CLI: fetch through the command line, and other WASIX imports are refused with one line', async () => {
  const port = await closedPort();
  let r = await runCli(['run', '--allow-connect', `127.0.0.1:${port}`, FETCH, '--', `127.0.0.1:${port}`], { timeout: 20000 });
  assert.is(r.code, 1);
  assert.match(r.stdout, 'failed: ECONNREFUSED');
  const bytes = wat(`(module (import "wasix_32v1" "epoll_create" (func (param i32) (result i32)))
    (memory (export "memory") 1) (func (export "_start")))`);
  const e = await start({ module: bytes }).catch((x) => x);
  assert.match(e.message, /imports wasix_32v1\.epoll_create, which wasmux does not provide/);
  assert.not.match(e.message, /\n/);
});

test.run();

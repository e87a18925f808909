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
import { lookup } from 'node:dns/promises';
import { ROOT, FIXTURES, startGuest, wat, withTimeout, echoOnce, randomBytes, runCli, portOf } from './helpers.js';
import { needTool } from '../support/tools.js';
import { start, WasmuxError } from '../../dist/host/index.js';
import { parseRule, ConnectPolicy } from '../../dist/host/policy.js';
import { parseIp } from '../../dist/host/wasix/address.js';

const FETCH = join(ROOT, 'build', 'fetch.wasm');
const PROXY = join(ROOT, 'build', 'proxy.wasm');
const KV = join(ROOT, 'build', 'kv.wasm');
const ECHO = join(ROOT, 'build', 'echo.wasm');

/**
 * A TCP server on a free loopback port that counts connections and keeps what each sends. `settled()` connects
 * once more and resolves, once the server has seen that connection, with how many came before it: whatever a
 * guest connected earlier has been counted by then, so "nothing reached it" is checked without a sleep.
 */
async function countingServer() {
  const srv = {
    count: 0,
    got: '',
    port: 0,
    server: net.createServer((s) => {
      srv.count++;
      s.on('data', (d) => { srv.got += d; });
      s.resume();
      srv.onConnection?.();
    }),
    /** @type {(() => void) | undefined} */
    onConnection: undefined,
    /** Resolves once `n` connections have arrived. */
    reached(n) {
      return new Promise((resolve) => {
        const check = () => { if (srv.count >= n) { srv.onConnection = undefined; resolve(srv.count); } };
        srv.onConnection = check;
        check();
      });
    },
    async settled() {
      const before = srv.count;
      const arrived = srv.reached(before + 1);
      const probe = net.connect(srv.port, '127.0.0.1');
      probe.on('error', () => {});
      await withTimeout(arrived, 5000, 'the barrier connection');
      probe.destroy();
      return srv.count - 1;
    },
  };
  await new Promise((r) => srv.server.listen(0, '127.0.0.1', () => r(undefined)));
  srv.port = portOf(srv.server);
  return srv;
}

/** A port nothing listens on (bound once, then closed). */
async function closedPort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', () => r(undefined)));
  const port = portOf(s);
  await new Promise((r) => s.close(r));
  return port;
}

/** An HTTP server on a free loopback port answering `body`; resolves { server, port }. */
async function httpServer(body, host = '127.0.0.1') {
  const server = http.createServer((req, res) => res.end(typeof body === 'function' ? body(req) : body));
  await new Promise((r) => server.listen(0, host, () => r(undefined)));
  return { server, port: portOf(server) };
}

const close = (srv) => new Promise((r) => srv.close(() => r(undefined)));
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

/** Names the probe's records, in the order test/fixtures/connect-probe.wat writes them. */
function parseProbe(buf) {
  const r = reader(buf);
  return {
    open: r.u32(), recvUnconnected: r.u32(), sendUnconnected: r.u32(), peerUnconnected: r.u32(),
    pollUnconnected: r.poll(),
    connect: r.u32(), connectAgain: r.u32(), pollConnecting: r.poll(),
    addrPeer: r.u32(), peer: [...r.bytes(8)], addrLocal: r.u32(), local: Buffer.from(r.bytes(8)),
    connectConnected: r.u32(), send: r.u32(),
    openRefused: r.u32(), connectRefused: r.u32(), pollRefused: r.poll(),
    peerRefused: r.u32(), peerAfterRefused: r.u32(), sendRefused: r.u32(),
    openDenied: r.u32(), connectDenied: r.u32(),
    openBlocking: r.u32(), connectBlocking: r.u32(), openBlockingRefused: r.u32(), connectBlockingRefused: r.u32(),
    openUnknownFamily: r.u32(), openUdp: r.u32(),
    openBadInput: r.u32(), connectBadTag: r.u32(), connectOutOfBounds: r.u32(), connectV6OnV4: r.u32(),
    resolveUnnamed: r.u32(), resolveLiteral: r.u32(), resolveCount: r.u32(), resolvedIp: [...r.bytes(18)],
    resolveLocalhost: r.u32(), end: r.u32(), left: r.left,
  };
}

// The connect probe runs once (started by whichever of its tests comes first); each test checks one behaviour.
let probeRun;
function probe() {
  probeRun ??= (async () => {
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
      // The non-blocking and the blocking connect, both before the probe exited.
      await withTimeout(ok.reached(2), 5000, 'the two connections to the allowed server');
      const deniedCount = await denied.settled();
      return { code, stderr: g.stderr.text(), r: parseProbe(Buffer.concat(chunks)), ok, denied, deniedCount };
    } finally {
      await g.stop();
      await close(ok.server);
      await close(denied.server);
    }
  })();
  return probeRun;
}

test('the connect probe runs to its end and exits 0', async () => {
  const { code, stderr, r } = await probe();
  assert.is(code, 0, stderr);
  assert.is(r.end, 0xdeadbeef);
  assert.is(r.left, 0);
});

test('an unconnected socket: sock_open SUCCESS; recv, send and addr_peer are NOTCONN', async () => {
  const { r } = await probe();
  assert.is(r.open, 0, 'sock_open');
  assert.is(r.recvUnconnected, 53, 'recv');
  assert.is(r.sendUnconnected, 53, 'send');
  assert.is(r.peerUnconnected, 53, 'addr_peer');
});

test('an unconnected socket is not ready: only the poll clock fires', async () => {
  const { r } = await probe();
  assert.equal(r.pollUnconnected.events.map((e) => e.userdata), [9]);
});

test('a non-blocking connect is INPROGRESS, a second one ALREADY, and the socket turns writable once connected', async () => {
  const { r } = await probe();
  assert.is(r.connect, 26, 'INPROGRESS');
  assert.is(r.connectAgain, 7, 'ALREADY');
  assert.equal(r.pollConnecting.events, [{ userdata: 1, error: 0, type: 2, flags: 0 }]);
});

test('a connected socket: addr_peer is the server, addr_local a loopback port, connect ISCONN, send works', async () => {
  const { r, ok } = await probe();
  assert.is(r.addrPeer, 0);
  assert.equal(r.peer, [1, 0, ok.port & 0xff, ok.port >> 8, 127, 0, 0, 1], 'addr_port: tag, pad, port LE, address');
  assert.is(r.addrLocal, 0);
  assert.is(r.local[0], 1);
  assert.ok(r.local.readUInt16LE(2) > 0);
  assert.equal([...r.local.subarray(4)], [127, 0, 0, 1]);
  assert.is(r.connectConnected, 30, 'ISCONN');
  assert.is(r.send, 0);
  assert.is(ok.got, 'hi');
});

test('a refused connect: CONNREFUSED on both poll events, once from addr_peer, then NOTCONN; send is PIPE', async () => {
  const { r } = await probe();
  assert.is(r.openRefused, 0);
  assert.is(r.connectRefused, 26, 'INPROGRESS');
  assert.equal(r.pollRefused.events, [
    { userdata: 2, error: 14, type: 1, flags: 1 },
    { userdata: 3, error: 14, type: 2, flags: 1 },
  ]);
  assert.is(r.peerRefused, 14, 'the connect error, once');
  assert.is(r.peerAfterRefused, 53, 'then NOTCONN');
  assert.is(r.sendRefused, 64, 'PIPE');
});

test('a connect no rule allows is NOTCAPABLE with one stderr line, and nothing reaches that server', async () => {
  const { r, stderr, denied, deniedCount } = await probe();
  assert.is(r.openDenied, 0);
  assert.is(r.connectDenied, 76);
  assert.equal(stderr.trim().split('\n'), [`wasmux: connect to 127.0.0.1:${denied.port} denied (no --allow-connect rule matches)`]);
  assert.is(deniedCount, 0);
});

test('a blocking connect succeeds to a listening port and is CONNREFUSED on a closed one', async () => {
  const { r, ok } = await probe();
  assert.is(r.openBlocking, 0);
  assert.is(r.connectBlocking, 0);
  assert.is(r.openBlockingRefused, 0);
  assert.is(r.connectBlockingRefused, 14);
  assert.is(ok.count, 2, 'the non-blocking and the blocking connect');
});

test('bad input: unknown family AFNOSUPPORT, UDP NOTSUP, bad tag INVAL, address past memory FAULT, IPv6 on IPv4', async () => {
  const { r } = await probe();
  assert.is(r.openUnknownFamily, 5);
  assert.is(r.openUdp, 58);
  assert.is(r.openBadInput, 0);
  assert.is(r.connectBadTag, 28);
  assert.is(r.connectOutOfBounds, 21);
  assert.is(r.connectV6OnV4, 5);
});

test('resolve: a name no rule names is NOTCAPABLE; an allowed literal resolves to itself', async () => {
  const { r } = await probe();
  assert.is(r.resolveUnnamed, 76);
  assert.is(r.resolveLiteral, 0);
  assert.is(r.resolveCount, 1);
  assert.equal(r.resolvedIp, [1, 0, 127, 0, 0, 1, ...new Array(12).fill(0)], 'addr_ip');
  assert.is(r.resolveLocalhost, 76, 'localhost, which no rule here names');
});

test('fetch.wasm: GET from a local HTTP server, output has the reply and closed, exit 0', async () => {
  const { server, port } = await httpServer((req) => `hello ${req.method} ${req.url}\n`);
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
    await close(server);
  }
});

test('fetch.wasm: localhost rule, a name looked up through resolve, two servers at once', async () => {
  const a = await httpServer('from a\n');
  const b = await httpServer('from b\n');
  try {
    const g = await startGuest({
      module: FETCH, args: [`localhost:${a.port}`, `127.0.0.1:${b.port}`],
      allowConnect: ['localhost:*'],
    });
    const code = await withTimeout(g.exited, 20000, 'fetch');
    const out = g.stdout.text();
    assert.is(code, 0, out + g.stderr.text());
    assert.match(out, 'from a');
    assert.match(out, 'from b');
  } finally {
    await close(a.server);
    await close(b.server);
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
    assert.is(await withTimeout(g.exited, 10000, 'denied fetch'), 1);
    assert.match(g.stdout.text(), 'failed: ENOTCAPABLE');
    assert.equal(g.stderr.text().trim().split('\n'), [`wasmux: connect to 127.0.0.1:${srv.port} denied (no --allow-connect rule matches)`]);
    assert.is(await srv.settled(), 0);
  } finally {
    await close(srv.server);
  }
});

test('fetch.wasm: without any rule every connect is denied', async () => {
  const srv = await countingServer();
  try {
    const g = await startGuest({ module: FETCH, args: [`127.0.0.1:${srv.port}`] });
    assert.is(await withTimeout(g.exited, 10000, 'fetch without rules'), 1);
    assert.match(g.stderr.text(), 'denied (no --allow-connect rule matches)');
    assert.is(await srv.settled(), 0);
  } finally {
    await close(srv.server);
  }
});

test('fetch.wasm: a name no rule names is NOTCAPABLE from resolve, without a lookup or a connect', async () => {
  const srv = await countingServer();
  try {
    const g = await startGuest({ module: FETCH, args: [`db.invalid:${srv.port}`], allowConnect: ['127.0.0.1:*'] });
    assert.is(await withTimeout(g.exited, 10000, 'fetch of an unnamed host'), 1);
    assert.match(g.stdout.text(), 'failed: ENOTCAPABLE');
    assert.is(g.stderr.text(), '', 'no connect was tried, so no denied line');
    assert.is(await srv.settled(), 0);
  } finally {
    await close(srv.server);
  }
});

test('proxy.wasm in front of kv.wasm: redis-benchmark ping/set/get -P 16 without errors', async () => {
  const redisBenchmark = needTool('redis-benchmark');
  const kv = await startGuest({ module: KV, listen: ['127.0.0.1:0'] });
  const proxy = await startGuest({ module: PROXY, listen: ['127.0.0.1:0'], args: [`127.0.0.1:${kv.port}`], allowConnect: [`127.0.0.1:${kv.port}`] });
  try {
    const { stdout, stderr } = await withTimeout(new Promise((resolve, reject) => {
      execFile(redisBenchmark, ['-p', String(proxy.port), '-t', 'ping,set,get', '-P', '16', '-n', '20000', '-q'],
        { timeout: 60000 }, (err, out, errOut) => (err ? reject(new Error(`${err.message} ${errOut}`)) : resolve({ stdout: out, stderr: errOut })));
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
    assert.is(results.length, 50);
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
  assert.is(out.length, 4 * calls.length, 'one errno per call');
  assert.equal(calls.map((_, i) => out.readUInt32LE(4 * i)), calls.map((c) => c[2]));
});

test('a host-name rule: looked up at start, and the guest resolves that name through resolve()', async () => {
  // A name every machine resolves, checked first so that a failure here says so instead of testing something else.
  const name = 'localhost';
  const found = await lookup(name).catch((e) => e);
  assert.ok(typeof found.address === 'string', `${name} must resolve on this machine: ${found.message ?? ''}`);
  const { server, port } = await httpServer('by name\n', found.address);
  try {
    const g = await startGuest({ module: FETCH, args: [`${name}:${port}`], allowConnect: [`${name}:${port}`] });
    const code = await withTimeout(g.exited, 20000, 'fetch by name');
    assert.is(code, 0, g.stdout.text() + g.stderr.text());
    assert.match(g.stdout.text(), 'by name');
  } finally {
    await close(server);
  }
});

test('a host-name rule that does not resolve: start() rejects with one line naming it', async () => {
  const e = await withTimeout(start({ module: FETCH, allowConnect: ['db.invalid:*'] }).catch((x) => x), 20000, 'start');
  assert.instance(e, WasmuxError);
  assert.match(e.message, "cannot resolve --allow-connect host 'db.invalid'");
  assert.not.match(e.message, /\n/);
});

test('rules: the syntax, CIDR matching, localhost, IPv6 and mapped addresses', async () => {
  for (const bad of ['', '127.0.0.1', '127.0.0.1:', '127.0.0.1:0', '127.0.0.1:65536', '::1:80', '[127.0.0.1]:80',
    '10.0.0.0/33:*', '[::1/129]:*', 'bad_name:80', 'host:x', '1.2.3:80', ':80', '[::1]']) {
    assert.throws(() => parseRule(bad), (e) => e.usage === true && e.message === `malformed --allow-connect rule '${bad}' (expected HOST:PORT, HOST:*, CIDR:PORT, CIDR:* or any)`, bad);
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

test('CLI: a malformed rule is a usage error: exit 2, one line', async () => {
  const r = await runCli(['run', '--allow-connect', 'nonsense', FETCH, '--', '127.0.0.1:1']);
  assert.is(r.code, 2);
  assert.equal(r.stderr.trim().split('\n'), ["wasmux: malformed --allow-connect rule 'nonsense' (expected HOST:PORT, HOST:*, CIDR:PORT, CIDR:* or any)"]);
});

test('rule any: every address, port and name', async () => {
  const p = await ConnectPolicy.create(['any']);
  assert.ok(p.allows(parseIp('203.0.113.9'), 1));
  assert.ok(p.allows(parseIp('2001:db8::1'), 65535));
  assert.equal(p.rulesNaming('example.com', 443).length, 1);
});

test('an address rule with --host wasmtime is a usage error, from the CLI and from start()', async () => {
  const r = await runCli(['run', '--host', 'wasmtime', '--allow-connect', '127.0.0.1:*', ECHO]);
  assert.is(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^wasmux: --allow-connect on wasmtime takes only 'any'/);
  const e = await start({ module: ECHO, host: 'wasmtime', allowConnect: ['127.0.0.1:*'] }).catch((x) => x);
  assert.is(e.usage, true);
});

test('CLI: run --help documents --allow-connect', async () => {
  const r = await runCli(['run', '--help']);
  assert.match(r.stdout, '--allow-connect RULE');
});

test('CLI: fetch through the command line reports a refused connect', async () => {
  const port = await closedPort();
  const r = await runCli(['run', '--allow-connect', `127.0.0.1:${port}`, FETCH, '--', `127.0.0.1:${port}`], { timeout: 20000 });
  assert.is(r.code, 1);
  assert.match(r.stdout, 'failed: ECONNREFUSED');
});

test('a module importing a WASIX call wasmux does not provide is refused with one line', async () => {
  const bytes = wat(`(module (import "wasix_32v1" "epoll_create" (func (param i32) (result i32)))
    (memory (export "memory") 1) (func (export "_start")))`);
  const e = await start({ module: bytes }).catch((x) => x);
  assert.match(e.message, /imports wasix_32v1\.epoll_create, which wasmux does not provide/);
  assert.not.match(e.message, /\n/);
});

test.run();

// The embedding API: start() options, addresses, stop(), exit codes, errors, stdout capture, the embedder's timers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, WasmuxError } from '../../dist/host/index.js';
import { buildC, startGuest, connect, echoOnce, withTimeout, randomBytes, readN, portOf } from './helpers.js';
import { sleeper, acceptAndIgnore, trapper, noStart } from './fixtures.js';

const echo = () => buildC('c-echo');
const envProbe = () => buildC('c-env');

/** Resolves once `condition()` holds, checking on every turn of the event loop. */
const until = (condition) => new Promise((resolve) => {
  const check = () => (condition() ? resolve(undefined) : setImmediate(check));
  check();
});

const rejects = async (p, pattern) => {
  try {
    await p;
  } catch (e) {
    assert.instance(e, WasmuxError);
    assert.ok(!e.message.includes('\n'), 'one line');
    assert.match(e.message, pattern);
    return;
  }
  assert.unreachable('should have rejected');
};

test('port 0 binds an ephemeral port; listeners get fds 3, 4 in order', async () => {
  const g = await startGuest({ module: echo(), listen: ['127.0.0.1:0', '127.0.0.1:0'] });
  assert.is(g.addresses.length, 2);
  assert.equal(g.addresses.map((a) => a.fd), [3, 4]);
  assert.ok(g.addresses[0].port > 0 && g.addresses[0].port !== g.addresses[1].port);
  assert.is(g.addresses[0].host, '127.0.0.1');
  assert.is((await echoOnce(g.port, Buffer.from('x'))).toString(), 'x');
  assert.is(await g.stop(), 0);
});

test('IPv6 listen address [::1]:0', async () => {
  // Needs an IPv6 loopback; a machine without one fails here with 'address not available'.
  const g = await startGuest({ module: echo(), listen: ['[::1]:0'] });
  assert.is(g.addresses[0].host, '::1');
  const s = await connect(g.port, '::1');
  s.end('six');
  assert.is((await withTimeout(readN(s, 3), 5000, 'v6 echo')).toString(), 'six');
  await g.stop();
});

test('stop() closes listeners and connections and resolves exited', async () => {
  const g = await startGuest({ module: echo(), listen: ['127.0.0.1:0'] });
  const s = await connect(g.port);
  const closed = new Promise((r) => s.on('close', r));
  s.on('error', () => {});
  const code = await withTimeout(g.stop(5), 5000, 'stop');
  assert.is(code, 5);
  assert.is(await g.exited, 5);
  await withTimeout(closed, 5000, 'connection closed by stop');
  const refused = await new Promise((r) => net.connect(g.port, '127.0.0.1').on('error', (/** @type {NodeJS.ErrnoException} */ e) => r(e.code)).on('connect', () => r('connected')));
  assert.is(refused, 'ECONNREFUSED');
});

test("the embedder's setInterval keeps ticking while the guest sleeps in poll_oneoff", async () => {
  let ticks = 0;
  const iv = setInterval(() => ticks++, 10);
  const g = await startGuest({ module: sleeper(300, 3) });
  const code = await withTimeout(g.exited, 5000, 'sleeper');
  clearInterval(iv);
  assert.is(code, 3);
  assert.ok(ticks >= 10, `only ${ticks} ticks in 300 ms`);
});

test('a trap resolves exited with 134 and a clear error, no unhandled rejection', async () => {
  const g = await startGuest({ module: trapper() });
  assert.is(await withTimeout(g.exited, 5000, 'trap'), 134);
  assert.ok(g.error instanceof Error);
  assert.match(g.stderr.text(), /^wasmux: guest trapped: RuntimeError: unreachable\n$/);
});

test('args, env (LISTEN_FDS added, host env not passed) and stdout capture', async () => {
  const g = await startGuest({ module: envProbe(), args: ['a b', 'c'], env: { EXIT_CODE: '9' }, listen: ['127.0.0.1:0'] });
  assert.is(await withTimeout(g.exited, 5000, 'env probe'), 9);
  const out = g.stdout.text();
  assert.match(out, 'argv[0]=c-env.wasm\nargv[1]=a b\nargv[2]=c\n');
  assert.match(out, 'LISTEN_FDS=1\n');
  assert.match(out, 'HOME=(unset)\n');
});

test('dirs preopen a host directory under a guest name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasmux-'));
  writeFileSync(join(dir, 'hello.txt'), 'from the host');
  const g = await startGuest({ module: envProbe(), args: ['/data/hello.txt'], dirs: [`${dir}::/data`] });
  assert.is(await withTimeout(g.exited, 5000, 'dir probe'), 0);
  assert.match(g.stdout.text(), 'file=from the host');
});

test('module given as bytes', async () => {
  const g = await startGuest({ module: sleeper(1, 0) });
  assert.is(await withTimeout(g.exited, 5000, 'bytes'), 0);
});

test('bad input rejects with a one-line WasmuxError', async () => {
  await rejects(start({ module: '/nonexistent/x.wasm' }), /cannot read module .*no such file/);
  await rejects(start({ module: new Uint8Array([1, 2, 3, 4]) }), /not a WebAssembly module/);
  await rejects(start({ module: noStart() }), /no _start export/);
  await rejects(start({ module: sleeper(1, 0), listen: ['127.0.0.1'] }), /malformed listen address/);
  await rejects(start({ module: sleeper(1, 0), listen: ['127.0.0.1:99999'] }), /malformed listen address/);
  await rejects(start({ module: sleeper(1, 0), listen: ['::1:80'] }), /malformed listen address/);
  // @ts-expect-error: a number where a string belongs, on purpose
  await rejects(start({ module: sleeper(1, 0), env: { A: 1 } }), /env must be an object of strings/);
  // @ts-expect-error: an unknown strategy, on purpose
  await rejects(start({ module: sleeper(1, 0), wait: 'threads' }), /unknown wait strategy/);
  await rejects(start({ module: sleeper(1, 0), dirs: ['/nonexistent-dir'] }), /not an existing directory/);
  await rejects(start(null), /options object/);
});

test('address in use is a clear error and leaves no listener open', async () => {
  const blocker = net.createServer();
  await new Promise((r) => blocker.listen(0, '127.0.0.1', () => r(undefined)));
  const port = portOf(blocker);
  await rejects(start({ module: sleeper(1, 0), listen: ['127.0.0.1:0', `127.0.0.1:${port}`] }), /cannot listen on 127\.0\.0\.1:\d+: address already in use/);
  blocker.close();
});

test('receive backpressure: a guest that does not read stops the peer (bounded host buffer)', async () => {
  const g = await startGuest({ module: acceptAndIgnore(3000), listen: ['127.0.0.1:0'] });
  const s = await connect(g.port);
  s.on('error', () => {});
  const total = 64 * 1024 * 1024;
  for (let i = 0; i < 64; i++) s.write(Buffer.alloc(total / 64)); // in chunks: writableLength falls as each one goes
  // Until the guest's run ends (the signal), note the most the peer ever pushed in while its socket was alive.
  let accepted = 0;
  let ended = false;
  g.exited.then(() => { ended = true; });
  await withTimeout(until(() => {
    if (!s.destroyed) accepted = Math.max(accepted, total - s.writableLength);
    return ended;
  }), 10000, 'the guest that ignores its client');
  assert.ok(accepted < 24 * 1024 * 1024, `peer could push ${accepted} bytes into a guest that never reads`);
  s.destroy();
  await g.stop();
});

test('send backpressure: a client that does not read, then reads, gets 8 MiB back byte-exact', async () => {
  const g = await startGuest({ module: echo(), listen: ['127.0.0.1:0'] });
  const s = await connect(g.port);
  s.pause();
  const payload = randomBytes(8 * 1024 * 1024, 99);
  s.write(payload);
  s.end();
  // Once the paused client's buffer is full Node stops reading it, so the guest's sends now meet a full socket.
  await withTimeout(until(() => s.readableLength >= s.readableHighWaterMark), 10000, 'the paused client filling up');
  const got = [];
  const done = new Promise((r) => s.on('end', r));
  s.on('data', (d) => got.push(d));
  s.resume();
  await withTimeout(done, 20000, 'drain');
  assert.ok(Buffer.concat(got).equals(payload));
  await g.stop();
});

test.run();

// The C echo server (test/fixtures/c-echo.c, built with clang + wasi-libc for wasm32-wasi) on both hosts:
// proof that wasmux hosts speak WASI, not a private protocol.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildC, startGuest, echoOnce, randomBytes, withTimeout, connect, readN } from '../host/helpers.js';
import { HOSTS } from './hosts.js';

for (const host of HOSTS) {
  const test = suite(`c-echo [${host}]`);
  // Started by the first test that needs it, not in a before hook: without clang each test fails on its own line.
  let started;
  const server = () => (started ??= startGuest({ module: buildC('c-echo'), listen: ['127.0.0.1:0'], host }));

  test.after(async () => {
    await started?.then((srv) => srv.stop(), () => {});
  });

  test('echoes a small message and closes after half-close', async () => {
    const srv = await server();
    const got = await withTimeout(echoOnce(srv.port, Buffer.from('hello wasmux')), 10000, 'echo');
    assert.is(got.toString(), 'hello wasmux');
  });

  test('echoes 1 MiB byte-exact', async () => {
    const srv = await server();
    const payload = randomBytes(1 << 20, 7);
    const got = await withTimeout(echoOnce(srv.port, payload), 20000, 'echo 1 MiB');
    assert.ok(got.equals(payload), `got ${got.length} bytes, expected ${payload.length}`);
  });

  test('50 concurrent clients with random payloads up to 1 MiB, byte-exact', async () => {
    const srv = await server();
    const jobs = [];
    let seed = 12345;
    for (let i = 0; i < 50; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const size = i === 0 ? 1 << 20 : seed % (1 << 20);
      const payload = randomBytes(size, seed);
      jobs.push(echoOnce(srv.port, payload).then((got) => ({ ok: got.equals(payload), size, got: got.length })));
    }
    const results = await withTimeout(Promise.all(jobs), 60000, '50 clients');
    assert.is(results.length, 50);
    for (const r of results) assert.ok(r.ok, `payload of ${r.size} bytes came back as ${r.got} bytes`);
  });

  test('a client that resets mid-transfer does not stop the server', async () => {
    const srv = await server();
    const s = await connect(srv.port);
    s.on('error', () => {});
    s.write(randomBytes(300000, 3));
    await withTimeout(new Promise((r) => s.once('data', r)), 10000, 'first echoed bytes'); // mid-transfer now
    s.resetAndDestroy();
    const got = await withTimeout(echoOnce(srv.port, Buffer.from('still there?')), 10000, 'echo after reset');
    assert.is(got.toString(), 'still there?');
  });

  test('request/response on a kept-open connection', async () => {
    const srv = await server();
    const s = await connect(srv.port);
    for (let i = 0; i < 20; i++) {
      const msg = Buffer.from(`ping ${i}`.padEnd(64, '.'));
      s.write(msg);
      const got = await withTimeout(readN(s, 64), 5000, 'round trip');
      assert.ok(got.equals(msg));
    }
    s.destroy();
  });

  test.run();
}

// The example servers (build/echo.wasm, chat.wasm, http.wasm, kv.wasm from `npm run build:wasm`) on both hosts,
// driven by real clients (Node sockets, curl, wrk, redis-cli, redis-benchmark), with the same assertions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startGuest, echoOnce, randomBytes, withTimeout, connect } from '../host/helpers.js';
import { HOSTS } from './hosts.js';
import { needTool } from '../support/tools.js';

const mod = (name) => {
  const p = join(ROOT, 'build', `${name}.wasm`);
  if (!existsSync(p)) throw new Error(`${p} is missing: run npm run build:wasm first`);
  return p;
};

/** Runs a command; resolves {code, stdout, stderr}; rejects after `timeout` ms. */
const run = (cmd, args, timeout = 30000) => new Promise((resolve) => {
  execFile(cmd, args, { timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
    resolve({ code: err ? (err.code ?? err.signal) : 0, stdout, stderr });
  });
});

for (const host of HOSTS) {
  test(`[${host}] echo: 50 concurrent clients, random payloads up to 1 MiB, half-close, byte-exact`, async () => {
    const g = await startGuest({ module: mod('echo'), listen: ['127.0.0.1:0'], host });
    try {
      const jobs = [];
      for (let i = 0; i < 50; i++) {
        const size = i === 0 ? 1 << 20 : (i * 2654435761 >>> 0) % (1 << 20);
        const payload = randomBytes(size, i + 1);
        jobs.push(echoOnce(g.port, payload).then((got) => [got.equals(payload), size, got.length]));
      }
      const results = await withTimeout(Promise.all(jobs), 60000, '50 clients');
      assert.is(results.length, 50);
      for (const [ok, size, len] of results) {
        assert.ok(ok, `payload of ${size} bytes came back as ${len} bytes`);
      }
    } finally {
      await g.stop();
    }
  });

  test(`[${host}] echo: clients that reset mid-transfer, then the server still serves`, async () => {
    const g = await startGuest({ module: mod('echo'), listen: ['127.0.0.1:0'], host });
    try {
      for (let i = 0; i < 10; i++) {
        const s = await connect(g.port);
        s.on('error', () => {});
        s.write(randomBytes(500000, i + 100));
        await withTimeout(new Promise((r) => s.once('data', r)), 10000, 'first echoed bytes'); // mid-transfer now
        s.resetAndDestroy();
      }
      const payload = randomBytes(200000, 5);
      assert.ok((await withTimeout(echoOnce(g.port, payload), 10000, 'echo after resets')).equals(payload));
    } finally {
      await g.stop();
    }
  });

  test(`[${host}] chat: lines are broadcast to the others; a stalled client does not stall them`, async () => {
    const g = await startGuest({ module: mod('chat'), listen: ['127.0.0.1:0'], host });
    try {
      const a = await connect(g.port);
      const b = await connect(g.port);
      const stalled = await connect(g.port);
      stalled.on('error', () => {});
      stalled.pause(); // never reads
      let got = '';
      b.on('data', (d) => { got += d; });
      /** Resolves once b has heard a line matching `re`. */
      const heard = (re, what) => withTimeout(new Promise((resolve) => {
        const check = () => { if (re.test(got)) { b.off('data', check); resolve(); } };
        b.on('data', check);
        check();
      }), 30000, what);
      // b hearing the stalled client and then a proves the server has accepted all three.
      stalled.write('stalled here\n');
      await heard(/\] stalled here\n/, 'the stalled client joined');
      a.write('a here\n');
      await heard(/\] a here\n/, 'a joined');
      got = '';
      const line = 'x'.repeat(1000);
      const lines = 3000; // ~3 MB: far past the stalled client's backlog bound
      for (let i = 0; i < lines; i++) a.write(`${i} ${line}\n`);
      a.write('done\n');
      await heard(/\] done\n/, 'broadcast to b');
      const received = got.split('\n').filter((l) => /^\[\d+\] \d+ x+$/.test(l));
      assert.is(received.length, lines, 'b got every line');
      assert.match(got, /^\[\d+\] 0 x{1000}\n/);
      for (const s of [a, b, stalled]) s.destroy();
    } finally {
      await g.stop();
    }
  });

  test(`[${host}] http: curl gets hello; a short wrk run has no errors`, async () => {
    const curl = needTool('curl');
    const wrk = needTool('wrk');
    const g = await startGuest({ module: mod('http'), listen: ['127.0.0.1:0'], host });
    try {
      const url = `http://127.0.0.1:${g.port}/`;
      const c = await run(curl, ['-sS', '-i', url]);
      assert.is(c.code, 0, c.stderr);
      assert.match(c.stdout, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(c.stdout, /\r\n\r\nhello\n$/);
      const w = await run(wrk, ['-t2', '-c20', '-d2s', url], 20000);
      assert.is(w.code, 0, w.stderr);
      assert.not.match(w.stdout, /Socket errors|Non-2xx/, w.stdout);
      const reqs = Number(/(\d+) requests in/.exec(w.stdout)?.[1]);
      assert.ok(reqs > 100, w.stdout);
    } finally {
      await g.stop();
    }
  });

  test(`[${host}] kv: redis-cli set/get and a short redis-benchmark without errors`, async () => {
    const redisCli = needTool('redis-cli');
    const redisBenchmark = needTool('redis-benchmark');
    const g = await startGuest({ module: mod('kv'), listen: ['127.0.0.1:0'], host });
    try {
      const port = String(g.port);
      let r = await run(redisCli, ['-p', port, 'set', 'greeting', 'hello wasmux']);
      assert.is(r.stdout.trim(), 'OK', r.stderr);
      r = await run(redisCli, ['-p', port, 'get', 'greeting']);
      assert.is(r.stdout.trim(), 'hello wasmux');
      r = await run(redisBenchmark, ['-p', port, '-t', 'ping,set,get', '-P', '16', '-n', '20000', '-q'], 60000);
      assert.is(r.code, 0, r.stderr);
      const out = r.stdout.replace(/\r/g, '\n');
      for (const t of ['PING_INLINE', 'PING_MBULK', 'SET', 'GET']) assert.match(out, new RegExp(`${t}: [\\d.]+ requests per second`), out);
      assert.not.match(out + r.stderr, /error|ERR/i);
    } finally {
      await g.stop();
    }
  });
}

test.run();

// The kv and http examples under clients that try to take them down cheaply, on both hosts: bulks
// announced and never sent, input past the caps, idle and slow (slowloris) connections, malformed
// requests. Timeouts are set short with the servers' flags; tests wait for the close, never sleep.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startGuest, withTimeout, connect } from '../host/helpers.js';
import { HOSTS, LATEST, waitFor } from './hosts.js';

const mod = (name) => {
  const p = join(ROOT, 'build', `${name}.wasm`);
  if (!existsSync(p)) throw new Error(`${p} is missing: run npm run build:wasm first`);
  return p;
};

/** A client that collects what it receives and knows when the server closed it. */
async function client(port) {
  const s = await connect(port);
  s.on('error', () => {});
  const c = { socket: s, got: '', closed: false };
  s.on('data', (d) => { c.got += d; });
  c.closedBy = new Promise((resolve) => s.on('close', () => { c.closed = true; resolve(); }));
  return c;
}

/** Sends `text` on a new connection and resolves with everything received once the server closes it. */
async function exchange(port, text, ms = 10000) {
  const c = await client(port);
  c.socket.write(text);
  await withTimeout(c.closedBy, ms, `reply to ${JSON.stringify(text.slice(0, 40))}`);
  return c.got;
}

/** One request/reply on a new connection: resolves with the reply once it ends with `end`. */
async function ask(port, text, end = /\r\n$/) {
  const c = await client(port);
  c.socket.write(text);
  await withTimeout(waitFor(() => c.got, end, 10000, 'reply'), 11000, 'reply');
  c.socket.destroy();
  return c.got;
}

for (const host of [...HOSTS, LATEST]) {
  test(`[${host}] kv: 80 connections announcing 64 MiB bulks and sending nothing more do not take it down`, async () => {
    const g = await startGuest({ module: mod('kv'), listen: ['127.0.0.1:0'], host });
    try {
      const hogs = [];
      for (let i = 0; i < 80; i++) {
        const c = await client(g.port);
        c.socket.write('*1\r\n$67108864\r\n');
        hogs.push(c);
      }
      assert.is(hogs.length, 80);
      assert.is(await ask(g.port, 'PING\r\n'), '+PONG\r\n');
      assert.is(await ask(g.port, '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n', /v1\r\n$/), '+OK\r\n$2\r\nv1\r\n');
      assert.ok(hogs.every((c) => !c.closed), 'the announced bulks are still awaited, not refused');
      hogs.forEach((c) => c.socket.destroy());
    } finally {
      await g.stop();
    }
  });

  test(`[${host}] kv: a command past --max-client-bytes gets an error reply and a close; others are still served`, async () => {
    const g = await startGuest({ module: mod('kv'), listen: ['127.0.0.1:0'], host, args: ['--max-client-bytes', '100000'] });
    try {
      const big = 'x'.repeat(150000);
      assert.is(await exchange(g.port, `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${big.length}\r\n${big}\r\n`), '-ERR Protocol error: command too large\r\n');
      // Many arguments that are each small but together pass the limit.
      const parts = Array.from({ length: 20 }, () => `$10000\r\n${'y'.repeat(10000)}\r\n`).join('');
      // Refused when announced past the limit, or when what arrived passes it, whichever comes first.
      assert.match(await exchange(g.port, `*21\r\n$4\r\nECHO\r\n${parts}`),
        /^-ERR (Protocol error: command too large|client input over its limit \(--max-client-bytes\))\r\n$/);
      assert.is(await ask(g.port, 'PING\r\n'), '+PONG\r\n');
    } finally {
      await g.stop();
    }
  });

  test(`[${host}] kv: input past --max-input-bytes across connections gets an error reply and a close`, async () => {
    const g = await startGuest({ module: mod('kv'), listen: ['127.0.0.1:0'], host, args: ['--max-input-bytes', '300000'] });
    try {
      const a = await client(g.port);
      a.socket.write(`*2\r\n$4\r\nECHO\r\n$1000000\r\n${'a'.repeat(200000)}`);
      const b = await client(g.port);
      b.socket.write(`*2\r\n$4\r\nECHO\r\n$1000000\r\n${'b'.repeat(200000)}`);
      const first = await withTimeout(Promise.race([a.closedBy.then(() => a), b.closedBy.then(() => b)]), 10000, 'one refused');
      assert.is(first.got, '-ERR server input buffers full (--max-input-bytes)\r\n');
      [a, b].forEach((c) => c.socket.destroy());
      // The other connection's input is freed once the server sees its close, which can come after it
      // accepts the next client (on wasmtime 49 under load): until then a PING is refused the same way.
      let reply = '';
      for (let tries = 0; tries < 50; tries++) {
        reply = await ask(g.port, 'PING\r\n');
        if (reply !== first.got) break;
      }
      assert.is(reply, '+PONG\r\n');
    } finally {
      await g.stop();
    }
  });

  test(`[${host}] kv: a connection that stays silent past --idle-timeout is closed by the server`, async () => {
    const g = await startGuest({ module: mod('kv'), listen: ['127.0.0.1:0'], host, args: ['--idle-timeout', '300'] });
    try {
      const silent = await client(g.port);
      const chatty = await client(g.port);
      chatty.socket.write('PING\r\n');
      await withTimeout(silent.closedBy, 10000, 'idle close');
      assert.is(silent.got, '', 'closed without a reply');
      assert.is(chatty.got, '+PONG\r\n');
      chatty.socket.destroy();
    } finally {
      await g.stop();
    }
  });

  test(`[${host}] kv: malformed RESP gets one protocol error and a close`, async () => {
    const g = await startGuest({ module: mod('kv'), listen: ['127.0.0.1:0'], host });
    try {
      assert.is(await exchange(g.port, '*1\r\n+PING\r\n'), "-ERR Protocol error: expected '$', got '+'\r\n");
      assert.is(await exchange(g.port, '*x\r\n'), '-ERR Protocol error: invalid multibulk length\r\n');
      assert.is(await exchange(g.port, '*1\r\n$-5\r\n'), '-ERR Protocol error: invalid bulk length\r\n');
      assert.is(await exchange(g.port, '*1\r\n$4\r\nPINGxx'), '-ERR Protocol error: expected CRLF after bulk string\r\n');
      assert.is(await ask(g.port, 'PING\r\n'), '+PONG\r\n');
    } finally {
      await g.stop();
    }
  });

  test(`[${host}] http: slow clients holding partial heads get 408 and a close after --header-timeout; a new client is served meanwhile`, async () => {
    const g = await startGuest({ module: mod('http'), listen: ['127.0.0.1:0'], host, args: ['--header-timeout', '1500'] });
    try {
      const slow = [];
      for (let i = 0; i < 50; i++) {
        const c = await client(g.port);
        c.socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        slow.push(c);
      }
      assert.is(slow.length, 50);
      const fresh = await ask(g.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', /hello\n$/);
      assert.match(fresh, /^HTTP\/1\.1 200 OK\r\n/);
      const openWhenServed = slow.filter((c) => !c.closed).length;
      await withTimeout(Promise.all(slow.map((c) => c.closedBy)), 20000, 'slow clients closed');
      for (const c of slow) assert.match(c.got, /^HTTP\/1\.1 408 Request Timeout\r\n/);
      assert.is(openWhenServed, 50, 'the new client was served while every slow client was still connected');
    } finally {
      await g.stop();
    }
  });

  test(`[${host}] http: a keep-alive connection idle past --idle-timeout is closed; one that connects and sends nothing too`, async () => {
    const g = await startGuest({ module: mod('http'), listen: ['127.0.0.1:0'], host, args: ['--idle-timeout', '300', '--header-timeout', '400'] });
    try {
      const kept = await client(g.port);
      kept.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      const mute = await client(g.port);
      await withTimeout(Promise.all([kept.closedBy, mute.closedBy]), 10000, 'idle closes');
      assert.match(kept.got, /^HTTP\/1\.1 200 OK\r\n[\s\S]*hello\n$/, 'the one request was answered, nothing after it');
      assert.match(mute.got, /^(|HTTP\/1\.1 408 Request Timeout\r\n[\s\S]*)$/);
    } finally {
      await g.stop();
    }
  });

  test(`[${host}] http: malformed requests get their error status and a close`, async () => {
    const g = await startGuest({ module: mod('http'), listen: ['127.0.0.1:0'], host });
    try {
      assert.match(await exchange(g.port, 'GET /\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.match(await exchange(g.port, 'GET / HTTP/1.1\r\nBad Header\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.match(await exchange(g.port, 'GET / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.match(await exchange(g.port, `GET / HTTP/1.1\r\nX: ${'a'.repeat(9000)}\r\n\r\n`), /^HTTP\/1\.1 413 Payload Too Large\r\n/);
      assert.match(await exchange(g.port, 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n'), /^HTTP\/1\.1 501 Not Implemented\r\n/);
      assert.match(await exchange(g.port, 'GET / HTTP/2.0\r\n\r\n'), /^HTTP\/1\.1 505 HTTP Version Not Supported\r\n/);
      assert.match(await ask(g.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', /hello\n$/), /^HTTP\/1\.1 200 OK\r\n/);
    } finally {
      await g.stop();
    }
  });

  test(`[${host}] http and kv: an unknown or malformed flag stops the server with one line and exit 2`, async () => {
    /** @type {Array<[string, string[], RegExp]>} */
    const cases = [
      ['http', ['--header-timeout', 'soon'], /^http: flag --header-timeout needs a whole number >= 0, got 'soon'; flags: /],
      ['kv', ['--bogus', '1'], /^kv: unknown flag '--bogus'; flags: .*--max-client-bytes BYTES \(default 68157440\)/],
    ];
    for (const [name, args, pattern] of cases) {
      const g = await startGuest({ module: mod(name), listen: ['127.0.0.1:0'], host, args });
      const code = await withTimeout(g.exited, 10000, `${name} exit`);
      assert.is(code, 2);
      const lines = g.stderr.text().trim().split('\n').filter((l) => !/^listening on /.test(l));
      assert.is(lines.length, 1, g.stderr.text());
      assert.match(lines[0], pattern);
    }
  });
}

test.run();

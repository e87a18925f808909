// What the example servers already withstand and must keep withstanding, on both hosts: a 10 MiB
// chat line, 2,000 connections reset at once, and running out of fds under a low `ulimit -n`
// (no spinning on the listener, serving again once fds free up).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, CLI, latestWasmtime, startGuest, echoOnce, randomBytes, withTimeout, connect } from '../host/helpers.js';
import { HOSTS, LATEST, waitFor } from './hosts.js';

const mod = (name) => {
  const p = join(ROOT, 'build', `${name}.wasm`);
  if (!existsSync(p)) throw new Error(`${p} is missing: run npm run build:wasm first`);
  return p;
};

/** CPU time (ms) used so far by process `pid` and its children (the wasmtime process under the CLI). */
function cpuMs(pid) {
  let children = [];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    // pgrep exits 1 when there is no child: the guest runs in the CLI process itself (Node host)
  }
  return [pid, ...children].reduce((sum, p) => {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      return sum + (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in 10 ms ticks
    } catch {
      return sum;
    }
  }, 0);
}

for (const host of [...HOSTS, LATEST]) {
  test(`[${host}] chat: a 10 MiB line without a newline reaches the others in pieces, then the server goes on`, async () => {
    const g = await startGuest({ module: mod('chat'), listen: ['127.0.0.1:0'], host });
    try {
      const a = await connect(g.port);
      const b = await connect(g.port);
      let got = '';
      b.on('data', (d) => { got += d; });
      // b is known to the server once it hears a's greeting.
      a.write('hello\n');
      await withTimeout(waitFor(() => got, /\] hello\n/, 10000, 'greeting'), 11000);
      const size = 10 << 20;
      a.write(Buffer.alloc(size, 'x'));
      a.write('\ndone\n');
      await withTimeout(waitFor(() => got, /\] done\n/, 60000, 'the line and done'), 61000);
      const xs = (got.match(/x/g) ?? []).length;
      assert.is(xs, size, 'every byte of the line arrived');
      assert.ok(got.split('[').length > 1000, 'in pieces, each with its sender');
      a.destroy();
      b.destroy();
    } finally {
      await g.stop();
    }
  });

  test(`[${host}] echo: 2,000 connections reset at once, then the server still serves`, async () => {
    const g = await startGuest({ module: mod('echo'), listen: ['127.0.0.1:0'], host });
    try {
      const socks = [];
      for (let batch = 0; batch < 10; batch++) {
        socks.push(...await Promise.all(Array.from({ length: 200 }, () => connect(g.port))));
      }
      assert.is(socks.length, 2000);
      await Promise.all(socks.map((s, i) => new Promise((resolve) => {
        s.on('error', () => {});
        s.once('data', resolve); // echoed: the server has it
        s.write(randomBytes(1000, i + 1));
      })));
      for (const s of socks) s.resetAndDestroy();
      const payload = randomBytes(100000, 7);
      assert.ok((await withTimeout(echoOnce(g.port, payload), 20000, 'echo after the resets')).equals(payload));
    } finally {
      await g.stop();
    }
  });

  test(`[${host}] echo: out of fds under ulimit -n 64 it does not spin, and serves again once fds free up`, async () => {
    const cmd = `ulimit -n 64; exec "${process.execPath}" "${CLI}" run --host ${host === LATEST ? 'wasmtime' : host} --listen 127.0.0.1:0 "${mod('echo')}"`;
    // The current wasmtime as the only one found (an empty cache, it as $WASMTIME), as startGuest does.
    const env = host === LATEST ? { ...process.env, WASMTIME: latestWasmtime(), WASMUX_CACHE: mkdtempSync(join(tmpdir(), 'wasmux-latest-')) } : process.env;
    const child = spawn('bash', ['-c', cmd], { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    try {
      const port = Number((await withTimeout(waitFor(() => stderr, /listening on 127\.0\.0\.1:(\d+)/, 20000, 'start'), 21000))[1]);
      await withTimeout(waitFor(() => stderr, /serving/, 20000, 'serving'), 21000);
      const socks = await Promise.all(Array.from({ length: 100 }, () => connect(port)));
      assert.is(socks.length, 100);
      socks.forEach((s) => s.on('error', () => {}));
      // The first clients are served; the rest wait (or are dropped by the host) for want of an fd.
      const firstAnswer = Promise.any(socks.map((s) => new Promise((resolve) => s.once('data', resolve))));
      socks.forEach((s) => s.write('x'));
      await withTimeout(firstAnswer, 10000, 'the first client served');
      const before = cpuMs(child.pid);
      await new Promise((r) => setTimeout(r, 1000)); // a window to measure CPU in, not a synchronisation
      const used = cpuMs(child.pid) - before;
      assert.ok(used < 300, `the server used ${used} ms of CPU in 1 s while out of fds: it spins`);
      socks.forEach((s) => s.destroy());
      const payload = randomBytes(10000, 3);
      // The fds come back as the server sees the closes; a new client is served then. Until then the
      // Node host drops a client it has no fd for (libuv's way out of EMFILE): that client tries again.
      const retrying = async () => {
        for (let tries = 1; ; tries++) {
          try {
            return await echoOnce(port, payload);
          } catch (e) {
            if (e.code !== 'ECONNRESET' || tries >= 100) throw e;
          }
        }
      };
      assert.ok((await withTimeout(retrying(), 20000, 'echo once fds are free')).equals(payload));
    } finally {
      child.kill('SIGTERM');
    }
  });
}

test.run();

// The CLI on a current wasmtime (from npm run setup:components), which runs the component build of the
// same program: it picks that build by wasmtime's version, binds every --listen address (IPv4, IPv6, port 0
// resolved and printed), stops on SIGTERM like the other hosts, and turns a failed bind into one line.
// Then a hostile reader against chat on every host (the component backend's deferred close).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, connect, echoOnce, latestWasmtime, oneLine, portOf, runCli, startGuest, withTimeout } from '../host/helpers.js';
import { HOSTS, LATEST, waitFor } from './hosts.js';

const echo = join(ROOT, 'build', 'echo.wasm');
/** Only the current wasmtime can be found: an empty cache, and it as $WASMTIME. */
const env = () => ({ WASMTIME: latestWasmtime(), WASMUX_CACHE: mkdtempSync(join(tmpdir(), 'wasmux-latest-')) });

test('[wasmtime-latest] wasmux run serves the component build of echo on IPv4 and IPv6 port-0 listeners, and SIGTERM stops it with 143', async () => {
  /** @type {any} */
  let child;
  let err = '';
  const result = runCli(['run', '--host', 'wasmtime', '--listen', '127.0.0.1:0', '--listen', '[::1]:0', echo], {
    timeout: 30000,
    env: env(),
    onStderr: (text, c) => { child = c; err = text; },
  });
  const v4 = Number((await waitFor(() => err, /^listening on 127\.0\.0\.1:(\d+) \(fd 3\)$/m, 20000, 'IPv4 line'))[1]);
  const v6 = Number((await waitFor(() => err, /^listening on \[::1\]:(\d+) \(fd 4\)$/m, 20000, 'IPv6 line'))[1]);
  assert.ok(v4 > 0 && v6 > 0, err);
  assert.is((await withTimeout(echoOnce(v4, Buffer.from('over IPv4')), 10000, 'IPv4 echo')).toString(), 'over IPv4');
  const s = net.connect({ host: '::1', port: v6 });
  const got = await withTimeout(new Promise((resolve, reject) => {
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve(data));
    s.on('error', reject);
    s.end('over IPv6');
  }), 10000, 'IPv6 echo');
  assert.is(got, 'over IPv6');
  child.kill('SIGTERM');
  const r = await result;
  assert.is(r.code, 143, r.stderr);
});

test('[wasmtime-latest] a --listen address already in use: one line naming it, exit 1', async () => {
  const busy = net.createServer();
  await new Promise((r) => busy.listen(0, '127.0.0.1', () => r(undefined)));
  const port = portOf(busy);
  try {
    const r = await runCli(['run', '--host', 'wasmtime', '--listen', `127.0.0.1:${port}`, echo], { timeout: 30000, env: env() });
    oneLine(r, 1, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`));
  } finally {
    busy.close();
  }
});

test('[wasmtime-latest] an address the component cannot bind: one line with wasi:sockets\' reason, exit 1', async () => {
  const r = await runCli(['run', '--host', 'wasmtime', '--listen', '192.0.2.1:7000', echo], { timeout: 30000, env: env() });
  oneLine(r, 1, /cannot listen on 192\.0\.2\.1:7000: address-not-bindable/);
});

test('[wasmtime-latest] the component itself can be given as the module', async () => {
  /** @type {any} */
  let child;
  let err = '';
  const result = runCli(['run', '--host', 'wasmtime', '--listen', '127.0.0.1:0', join(ROOT, 'build', 'component', 'echo.wasm')], {
    timeout: 30000,
    env: env(),
    onStderr: (text, c) => { child = c; err = text; },
  });
  const port = Number((await waitFor(() => err, /^listening on 127\.0\.0\.1:(\d+)/m, 20000, 'listening line'))[1]);
  assert.is((await withTimeout(echoOnce(port, Buffer.from('direct')), 10000, 'echo')).toString(), 'direct');
  child.kill('SIGINT');
  assert.is((await result).code, 130);
});

test('[wasmtime-latest] with only the current wasmtime in the cache (none on $WASMTIME or PATH), --host wasmtime finds it', async () => {
  const cache = mkdtempSync(join(tmpdir(), 'wasmux-latest-only-'));
  const pins = JSON.parse(readFileSync(join(ROOT, 'scripts', 'components.json'), 'utf8'));
  mkdirSync(join(cache, `wasmtime-${pins.wasmtime}`, 'bin'), { recursive: true });
  symlinkSync(latestWasmtime(), join(cache, `wasmtime-${pins.wasmtime}`, 'bin', 'wasmtime'));
  /** @type {any} */
  let child;
  let err = '';
  const result = runCli(['run', '--host', 'wasmtime', '--listen', '127.0.0.1:0', echo], {
    timeout: 30000,
    env: { WASMUX_CACHE: cache, WASMTIME: '', PATH: '/nonexistent' },
    onStderr: (text, c) => { child = c; err = text; },
  });
  const port = Number((await waitFor(() => err, /^listening on 127\.0\.0\.1:(\d+)/m, 20000, 'listening line'))[1]);
  assert.is((await withTimeout(echoOnce(port, Buffer.from('found')), 10000, 'echo')).toString(), 'found');
  child.kill('SIGTERM');
  assert.is((await result).code, 143);
});

// A peer that stops reading leaves wasmtime's stream with a write it cannot finish; dropping that stream
// would block the whole component, so the backend drops it later. On every host the same assertions.
for (const host of [...HOSTS, LATEST]) {
  test(`[${host}] chat: a client with a 1 KiB receive window that stops reading is dropped, and the others get every line`, async () => {
    const g = await startGuest({ module: join(ROOT, 'build', 'chat.wasm'), listen: ['127.0.0.1:0'], host });
    // Python, because Node cannot shrink a client socket's receive buffer before it connects.
    const stalled = spawn('python3', ['-c', `import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
s.connect(("127.0.0.1", ${g.port}))
print("connected", flush=True)
time.sleep(120)`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let said = '';
      stalled.stdout.on('data', (d) => { said += d; });
      await waitFor(() => said, /connected/, 10000, 'stalled client');
      const b = await connect(g.port);
      const a = await connect(g.port);
      let lines = 0;
      b.on('data', (d) => { for (const c of d) if (c === 10) lines++; });
      // One line from a that reaches b proves the server has accepted both (and the stalled client before them).
      a.write('ready\n');
      await waitFor(() => String(lines), /^1$/, 10000, 'first line at b');
      const line = `${'x'.repeat(999)}\n`;
      for (let i = 0; i < 20000; i++) a.write(line);
      await waitFor(() => String(lines), /^20001$/, 60000, 'lines at b');
      a.destroy();
      b.destroy();
    } finally {
      stalled.kill('SIGKILL');
      await g.stop();
    }
  });
}

test.run();

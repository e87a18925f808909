// The CLI on a current wasmtime (from npm run setup:components), which runs the component build of the
// same program: it picks that build by wasmtime's version, binds every --listen address (IPv4, IPv6, port 0
// resolved and printed), stops on SIGTERM like the other hosts, and turns a failed bind into one line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, echoOnce, latestWasmtime, oneLine, runCli, withTimeout } from '../host/helpers.js';
import { waitFor } from './hosts.js';

const echo = join(ROOT, 'build', 'echo.wasm');
/** Only the current wasmtime can be found: an empty cache, and it as $WASMTIME. */
const env = () => ({ WASMTIME: latestWasmtime(), WASMUX_CACHE: mkdtempSync(join(tmpdir(), 'wasmux-latest-')) });

test('[wasmtime-latest] wasmux run serves the component build of echo on IPv4 and IPv6 port-0 listeners, and SIGTERM stops it with 143', async () => {
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
  await new Promise((r) => busy.listen(0, '127.0.0.1', r));
  const { port } = busy.address();
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

test.run();

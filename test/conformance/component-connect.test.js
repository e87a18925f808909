// Outgoing connections of the component build (build/component/proxy.wasm, fetch.wasm) on a current wasmtime:
// run directly under the wasmtime CLI with -S inherit-network, they connect over wasi:sockets start-connect /
// finish-connect and resolve names over ip-name-lookup. wasmux run refuses them on that wasmtime, since its
// CLI cannot confine them to --allow-connect rules, unless the user grants every address (--allow-connect any).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import http from 'node:http';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ROOT, echoOnce, latestWasmtime, oneLine, portOf, runCli, withTimeout } from '../host/helpers.js';
import { waitFor } from './hosts.js';
import { isListeningBy } from '../../dist/host/wasmtime/listen-probe.js';

const NETWORK = ['-S', 'inherit-network', '-S', 'udp=n'];

/**
 * Runs a component under the current wasmtime; resolves with its exit code and output.
 * @param {string[]} args
 * @param {{ onStderr?: (text: string) => void }} [options]
 */
function runComponent(args, { onStderr } = {}) {
  const child = spawn(latestWasmtime(), ['run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; onStderr?.(stderr); });
  const done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** A port nobody listens on now (bound once, then released). */
async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', () => r(undefined)));
  const port = portOf(s);
  await new Promise((r) => s.close(() => r(undefined)));
  return port;
}

/** Resolves once process `pid` listens on `port` (as the kernel's tables show), or rejects after `ms`. */
async function untilListening(pid, port, ms) {
  const deadline = Date.now() + ms;
  while (!(await isListeningBy(pid, port))) {
    if (Date.now() > deadline) throw new Error(`process ${pid} not listening on ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A server to listen until stopped; resolves once it accepts connections. */
async function listening(server) {
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
  return server;
}

test('[wasmtime-latest] the proxy component forwards a client to its upstream over start-connect', async () => {
  const upstream = await listening(net.createServer((s) => s.pipe(s)));
  const port = await freePort();
  let out = '';
  const run = runComponent([...NETWORK, '--env', 'LISTEN_FDS=1', '--env', `WASMUX_LISTEN=127.0.0.1:${port}`,
    join(ROOT, 'build', 'component', 'proxy.wasm'), `127.0.0.1:${portOf(upstream)}`], { onStderr: (t) => { out = t; } });
  try {
    await waitFor(() => out, /forwarding 1 listener/, 20000, 'proxy start line');
    // The backend binds on its first poll, which may come just after that line: wait until the kernel shows
    // this very process listening, as the wasmtime runner does.
    await untilListening(run.child.pid ?? -1, port, 20000);
    const got = await withTimeout(echoOnce(port, Buffer.from('through the proxy')), 10000, 'proxied echo');
    assert.is(got.toString(), 'through the proxy');
  } finally {
    run.child.kill('SIGTERM');
    await run.done;
    upstream.close();
  }
});

test('[wasmtime-latest] the fetch component resolves a name with ip-name-lookup and reads the reply', async () => {
  const server = await listening(http.createServer((_q, res) => res.end('hello from http\n')));
  try {
    const r = await withTimeout(runComponent([...NETWORK, '-S', 'allow-ip-name-lookup=y',
      join(ROOT, 'build', 'component', 'fetch.wasm'), `localhost:${portOf(server)}`]).done, 20000, 'fetch');
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /hello from http/);
    assert.match(r.stdout, /\] closed/);
  } finally {
    server.close();
  }
});

test('[wasmtime-latest] the fetch component reports a refused connection as ECONNREFUSED and exits 1', async () => {
  const port = await freePort();
  const r = await withTimeout(runComponent([...NETWORK, join(ROOT, 'build', 'component', 'fetch.wasm'), `127.0.0.1:${port}`]).done, 20000, 'fetch');
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`\\[127\\.0\\.0\\.1:${port}\\] failed: ECONNREFUSED`));
});

test('[wasmtime-latest] the fetch component reports a name that does not resolve as ENOENT', async () => {
  const r = await withTimeout(runComponent([...NETWORK, '-S', 'allow-ip-name-lookup=y',
    join(ROOT, 'build', 'component', 'fetch.wasm'), 'nosuch.invalid:80']).done, 20000, 'fetch');
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /\[nosuch\.invalid:80\] failed: ENOENT/);
});

test('[wasmtime-latest] sock_addr_local and sock_addr_peer give both ends of a made and of an accepted connection', async () => {
  let upstreamPort = -1;
  const upstream = await listening(net.createServer((s) => { upstreamPort = s.remotePort ?? -2; s.on('error', () => {}); }));
  const port = await freePort();
  let out = '';
  const run = runComponent([...NETWORK, '--env', 'LISTEN_FDS=1', '--env', `WASMUX_LISTEN=127.0.0.1:${port}`,
    join(ROOT, 'build', 'test', 'component', 'addr-probe.wasm'), `127.0.0.1:${portOf(upstream)}`], { onStderr: () => {} });
  run.child.stdout.on('data', (d) => { out += d; });
  try {
    const made = await waitFor(() => out, /connected local=127\.0\.0\.1:(\d+) peer=127\.0\.0\.1:(\d+)\n/, 20000, 'connected line');
    assert.is(Number(made[2]), portOf(upstream));
    await waitFor(() => String(upstreamPort), /^\d+$/, 10000, 'upstream accept');
    assert.is(Number(made[1]), upstreamPort);
    await untilListening(run.child.pid ?? -1, port, 20000);
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => {}); // the probe exits (and its end resets) once it has printed its line
    await new Promise((r) => client.once('connect', () => r(undefined)));
    const clientPort = client.localPort; // read now: Node forgets it once the probe's exit resets the connection
    const got = await waitFor(() => out, /accepted local=127\.0\.0\.1:(\d+) peer=127\.0\.0\.1:(\d+)\n/, 20000, 'accepted line');
    assert.is(Number(got[1]), port);
    assert.is(Number(got[2]), clientPort);
    client.destroy();
    const r = await withTimeout(run.done, 10000, 'probe exit');
    assert.is(r.code, 0, r.stdout + r.stderr);
  } finally {
    run.child.kill('SIGTERM');
    await run.done;
    upstream.close();
  }
});

/** The environment of a wasmux run that finds only the current wasmtime. */
const latestOnly = () => ({ WASMTIME: latestWasmtime(), WASMUX_CACHE: mkdtempSync(join(tmpdir(), 'wasmux-latest-')) });

test('[wasmtime-latest] without --allow-connect any, wasmux run refuses proxy with one line: wasmtime cannot limit addresses', async () => {
  const r = await runCli(['run', '--host', 'wasmtime', '--listen', '127.0.0.1:0', join(ROOT, 'build', 'proxy.wasm'), '--', '127.0.0.1:1'],
    { timeout: 30000, env: latestOnly() });
  oneLine(r, 1, /'proxy\.wasm' makes outgoing connections, and wasmtime \S+ cannot limit them to addresses .*--allow-connect any/);
});

test('[wasmtime-latest] with --allow-connect any, wasmux run runs proxy and it forwards a client to its upstream', async () => {
  const upstream = await listening(net.createServer((s) => s.pipe(s)));
  /** @type {any} */
  let child;
  let err = '';
  const result = runCli(['run', '--host', 'wasmtime', '--allow-connect', 'any', '--listen', '127.0.0.1:0',
    join(ROOT, 'build', 'proxy.wasm'), '--', `127.0.0.1:${portOf(upstream)}`],
  { timeout: 40000, env: latestOnly(), onStderr: (text, c) => { child = c; err = text; } });
  try {
    const port = Number((await waitFor(() => err, /^listening on 127\.0\.0\.1:(\d+)/m, 20000, 'listening line'))[1]);
    const got = await withTimeout(echoOnce(port, Buffer.from('granted every address')), 10000, 'proxied echo');
    assert.is(got.toString(), 'granted every address');
  } finally {
    child?.kill('SIGTERM');
    await result;
    upstream.close();
  }
});

test('[wasmtime-latest] with --allow-connect any, fetch resolves a name (name lookup is granted too)', async () => {
  const server = await listening(http.createServer((_q, res) => res.end('hello through any\n')));
  try {
    const r = await runCli(['run', '--host', 'wasmtime', '--allow-connect', 'any', join(ROOT, 'build', 'fetch.wasm'), '--',
      `localhost:${portOf(server)}`], { timeout: 30000, env: latestOnly() });
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /hello through any/);
  } finally {
    server.close();
  }
});

test('[wasmtime] an address rule with --host wasmtime is a usage error: only any is accepted there', async () => {
  const r = await runCli(['run', '--host', 'wasmtime', '--allow-connect', '127.0.0.1:6379', join(ROOT, 'build', 'proxy.wasm')]);
  oneLine(r, 2, /--allow-connect on wasmtime takes only 'any' \(wasmtime 47 and later cannot restrict addresses; 'any' grants every address\)/);
});

test.run();

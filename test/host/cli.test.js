// The wasmux CLI: help/version, every bad input gives one `wasmux: ` line and a non-zero exit (never a stack
// trace or a hang), exit codes, listener lines, and clean stop on SIGINT/SIGTERM.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, buildC, runCli, echoOnce } from './helpers.js';
import { sleeper, trapper, noStart, toFile } from './fixtures.js';
import { jspiAvailable } from '../../dist/host/index.js';

const echo = buildC('c-echo');

/** Asserts the run failed with exactly one `wasmux: ` line on stderr matching `pattern`. */
function oneLine(r, code, pattern) {
  assert.is(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.ok(lines[0].startsWith('wasmux: '), lines[0]);
  assert.match(lines[0], pattern);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
}

test('--help, run --help, --version', async () => {
  let r = await runCli(['--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /Usage: wasmux <command>/);
  r = await runCli(['run', '--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /--listen HOST:PORT/);
  r = await runCli(['--version']);
  assert.is(r.code, 0);
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.is(r.stdout, `wasmux ${version}\n`);
});

test('missing module file', async () => {
  oneLine(await runCli(['run', 'no/such/file.wasm']), 1, /cannot read module 'no\/such\/file.wasm': no such file/);
});

test('not a Wasm file', async () => {
  oneLine(await runCli(['run', join(ROOT, 'package.json')]), 1, /is not a WebAssembly module/);
});

test('no _start export', async () => {
  oneLine(await runCli(['run', toFile('no-start.wasm', noStart())]), 1, /has no _start export/);
});

test('malformed address', async () => {
  oneLine(await runCli(['run', '--listen', 'localhost', echo]), 2, /malformed listen address 'localhost'/);
  oneLine(await runCli(['run', '--listen=1.2.3.4:70000', echo]), 2, /malformed listen address/);
});

test('address in use', async () => {
  const blocker = net.createServer();
  await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
  const port = blocker.address().port;
  oneLine(await runCli(['run', '--listen', `127.0.0.1:${port}`, echo]), 1, new RegExp(`cannot listen on 127.0.0.1:${port}: address already in use`));
  blocker.close();
});

test('unknown option, unknown command, missing module, bad --env, bad --wait', async () => {
  oneLine(await runCli(['run', '--frobnicate', echo]), 2, /unknown option '--frobnicate'/);
  oneLine(await runCli(['--frobnicate']), 2, /unknown option/);
  oneLine(await runCli(['serve', echo]), 2, /unknown command 'serve'/);
  oneLine(await runCli([]), 2, /missing command/);
  oneLine(await runCli(['run']), 2, /missing MODULE.wasm/);
  oneLine(await runCli(['run', '--listen']), 2, /option --listen needs a value/);
  oneLine(await runCli(['run', '--env', 'NOVALUE', echo]), 2, /malformed --env/);
  oneLine(await runCli(['run', '--wait', 'threads', echo]), 2, /unknown --wait 'threads'/);
});

test('--host wasmtime is parsed and rejected clearly for now', async () => {
  oneLine(await runCli(['run', '--host', 'wasmtime', echo]), 2, /--host wasmtime is not available yet/);
  oneLine(await runCli(['run', '--host', 'bogus', echo]), 2, /unknown --host 'bogus'/);
});

test('--wait jspi: a clear error without JSPI (Node < 24), runs with it', async () => {
  if (jspiAvailable()) {
    const r = await runCli(['run', '--wait', 'jspi', toFile('exit0.wasm', sleeper(1, 0))]);
    assert.is(r.code, 0, r.stderr);
  } else {
    oneLine(await runCli(['run', '--wait', 'jspi', echo]), 1, /needs Node >= 24/);
  }
});

test("the guest's exit code becomes the process's", async () => {
  const r = await runCli(['run', toFile('exit7.wasm', sleeper(1, 7))]);
  assert.is(r.code, 7);
  assert.is(r.stderr, '');
});

test('a trap exits 134 with one line', async () => {
  oneLine(await runCli(['run', toFile('trap.wasm', trapper())]), 134, /guest trapped: RuntimeError: unreachable/);
});

/** Starts the echo server through the CLI, waits for its listening line, returns {child-ish, port, result}. */
function serve(extra = [], node) {
  let resolvePort;
  const portP = new Promise((r) => { resolvePort = r; });
  let child;
  const result = runCli(['run', ...extra, '--listen', '127.0.0.1:0', echo], {
    node,
    onStderr: (text, c) => {
      child = c;
      const m = /^listening on 127\.0\.0\.1:(\d+) \(fd 3\)$/m.exec(text);
      if (m) resolvePort(Number(m[1]));
    },
  });
  return { portP, result, kill: (sig) => child.kill(sig) };
}

for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  test(`prints the listener line, serves, and ${sig} stops it with exit ${code}`, async () => {
    const s = serve();
    const port = await s.portP;
    assert.is((await echoOnce(port, Buffer.from('via cli'))).toString(), 'via cli');
    s.kill(sig);
    const r = await s.result;
    assert.is(r.code, code, r.stderr);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
}

test.run();

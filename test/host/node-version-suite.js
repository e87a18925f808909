// One Node version's checks of the Node host, shared by node22/node24/node26.test.js: the pinned Node is there,
// the host picks the wait strategy that Node supports, the CLI serves the C echo server, and the conformance and
// host suites that exercise waiting pass under it with its default strategy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { ROOT, buildC, runCli, echoOnce, oneLine, withTimeout } from './helpers.js';
import { ensureNode, pinnedNode } from '../support/node-versions.js';
import { needTool } from '../support/tools.js';

/** The suites rerun under each Node: every path through the wait strategy, on real sockets. */
const SUITES = '^(conformance/(c-echo|dead-fd|hostile(-(stdio|clock|recv|dir|input))?)|host/(poll(-batch)?|connect|sandbox))\\.test\\.js$';

/** Starts build/echo.wasm through the public API under `node` with no wait option; prints the strategy used. */
const REPORT_WAIT = `import { start } from ${JSON.stringify(join(ROOT, 'dist', 'host', 'index.js'))};
const { PassThrough } = await import('node:stream');
const g = await start({ module: ${JSON.stringify(join(ROOT, 'build', 'echo.wasm'))}, listen: ['127.0.0.1:0'], stdout: new PassThrough(), stderr: new PassThrough() });
console.log(g.wait);
await g.stop();`;

/** Opens a listener through the host's own class under `node`, has one connection accepted, and prints whether
 *  accepted sockets read into the shared buffer (host/sockets/shared-read-buffer.ts) on that Node. */
const REPORT_READS = `import { TcpListener } from ${JSON.stringify(join(ROOT, 'dist', 'host', 'sockets', 'tcp-listener.js'))};
import { readsIntoSharedBuffer } from ${JSON.stringify(join(ROOT, 'dist', 'host', 'sockets', 'shared-read-buffer.js'))};
import { ChangeHub } from ${JSON.stringify(join(ROOT, 'dist', 'host', 'sockets', 'watchable.js'))};
import net from 'node:net';
const l = await TcpListener.open('127.0.0.1', 0);
const hub = new ChangeHub();
const arrived = new Promise((r) => { hub.onRaise = () => { if (l.backlog > 0) r(); }; });
l.attach(hub);
const c = net.connect(l.port, '127.0.0.1');
await arrived;
const s = l.take();
console.log(String(l.sharedBufferReads) + ' ' + String(readsIntoSharedBuffer(s)));
c.destroy(); s.destroy(); l.close();`;

/**
 * Registers and runs the tests of one Node major; `wait` is the strategy the host must choose by default on it
 * ('jspi' when the engine has WebAssembly.Suspending, else 'asyncify').
 */
export function nodeVersionSuite(major, wait) {
  const version = pinnedNode(major);
  const jspi = wait === 'jspi';
  const node = () => ensureNode(major);

  test(`Node ${major} is the pinned ${version} and ${jspi ? 'has' : 'lacks'} JSPI`, () => {
    const out = execFileSync(node(), ['-p', "process.versions.node + ' ' + typeof WebAssembly.Suspending"], { encoding: 'utf8' });
    assert.is(out.trim(), `${version} ${jspi ? 'function' : 'undefined'}`);
  });

  test(`the host chooses ${wait} by default on Node ${major}`, () => {
    const env = { ...process.env };
    delete env.WASMUX_WAIT;
    const out = execFileSync(node(), ['--input-type=module', '-e', REPORT_WAIT], { encoding: 'utf8', env, timeout: 60000 });
    assert.is(out.trim(), wait);
  });

  test(`accepted sockets read into the host's shared buffer on Node ${major}`, () => {
    const out = execFileSync(node(), ['--input-type=module', '-e', REPORT_READS], { encoding: 'utf8', timeout: 30000 });
    assert.is(out.trim(), 'true true');
  });

  if (!jspi) {
    test(`--wait jspi on Node ${major} fails with one line naming the Node version`, async () => {
      const r = await runCli(['run', '--wait', 'jspi', '--listen', '127.0.0.1:0', join(ROOT, 'build', 'echo.wasm')], { node: node(), timeout: 30000 });
      oneLine(r, 1, new RegExp(`^wasmux: wait strategy 'jspi' needs .*this is Node ${version.replace(/\./g, '\\.')}.*use 'asyncify'`));
    });
  }

  test(`the CLI serves the C echo server on Node ${major} with its default wait and stops on SIGTERM`, async () => {
    const echo = buildC('c-echo');
    /** @type {import('node:child_process').ChildProcess | undefined} */
    let child;
    let resolvePort = (/** @type {number} */ _port) => {};
    const portP = new Promise((r) => { resolvePort = r; });
    const result = runCli(['run', '--listen', '127.0.0.1:0', echo], {
      node: node(),
      env: { WASMUX_WAIT: '' },
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

  test(`the C echo, dead-fd, hostile-module, sandbox, poll and connect suites pass under Node ${major} with ${wait}`, async () => {
    needTool('clang'); // the C echo suite builds its server
    const bin = node();
    const r = await withTimeout(new Promise((resolve) => {
      const c = spawn(bin, [join(ROOT, 'node_modules', 'uvu', 'bin.js'), 'test', SUITES], {
        cwd: ROOT, env: { ...process.env, WASMUX_TEST_WAIT: wait }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      c.stdout.on('data', (d) => { out += d; });
      c.stderr.on('data', (d) => { out += d; });
      c.on('close', (code) => resolve({ code, out }));
    }), 400000, `Node ${major} suites`);
    assert.is(r.code, 0, r.out);
    const plain = stripVTControlCharacters(r.out);
    const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1]);
    const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1]);
    assert.ok(total >= 15, `ran ${total} tests`);
    assert.is(passed, total);
  });

  test.run();
}

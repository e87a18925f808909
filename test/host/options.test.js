// start()'s option checks: every bad option is a one-line usage WasmuxError, the same on both hosts, raised
// before anything is started (no wasmtime, no module read, no port bound); the CLI words them with its flags.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { start, WasmuxError } from '../../dist/host/index.js';
import { validateOptions } from '../../dist/host/validate-options.js';
import { ROOT, runCli, oneLine } from './helpers.js';

// Never read: every call below fails its option check first.
const module = join(ROOT, 'build', 'echo.wasm');
const HOSTS = ['node', 'wasmtime'];

/** Asserts that start(options) rejects with a one-line usage WasmuxError matching `pattern`. */
async function rejectsUsage(options, pattern) {
  const e = await start(options).then(() => null, (err) => err);
  assert.ok(e !== null, 'start() should have rejected');
  assert.instance(e, WasmuxError);
  assert.ok(e.usage, `a usage error: ${e.message}`);
  assert.not.ok(e.message.includes('\n'), 'one line');
  assert.match(e.message, pattern);
}

test('start() without an options object rejects', async () => {
  await rejectsUsage(undefined, /start\(\) needs an options object/);
  await rejectsUsage('build/echo.wasm', /start\(\) needs an options object/);
});

test('an unknown host rejects and names the two hosts', async () => {
  await rejectsUsage({ module, host: 'wasmer' }, /unknown host 'wasmer' \(expected node or wasmtime\)/);
});

for (const host of HOSTS) {
  test(`${host}: a module that is neither a path nor bytes rejects`, async () => {
    await rejectsUsage({ host, module: 42 }, /option module must be a file path or bytes/);
    await rejectsUsage({ host, module: '' }, /option module must be a file path or bytes/);
  });

  test(`${host}: listen given as a string, not an array, rejects`, async () => {
    await rejectsUsage({ host, module, listen: '127.0.0.1:0' }, /option listen must be an array of HOST:PORT strings/);
  });

  test(`${host}: a malformed listen address rejects`, async () => {
    await rejectsUsage({ host, module, listen: ['x'] }, /malformed listen address 'x'/);
    await rejectsUsage({ host, module, listen: ['127.0.0.1:70000'] }, /malformed listen address/);
  });

  test(`${host}: args that are not an array of strings reject`, async () => {
    await rejectsUsage({ host, module, args: 'a b' }, /option args must be an array of strings/);
    await rejectsUsage({ host, module, args: [1] }, /option args must be an array of strings/);
  });

  test(`${host}: env that is not an object of strings rejects`, async () => {
    await rejectsUsage({ host, module, env: { A: 1 } }, /option env must be an object of strings/);
    await rejectsUsage({ host, module, env: ['A=1'] }, /option env must be an object of strings/);
    await rejectsUsage({ host, module, env: null }, /option env must be an object of strings/);
  });

  test(`${host}: dirs that are not an array of HOST[::GUEST] strings reject`, async () => {
    await rejectsUsage({ host, module, dirs: '/tmp' }, /option dirs must be an array of HOST\[::GUEST\] strings/);
    await rejectsUsage({ host, module, dirs: ['/tmp::'] }, /malformed dir '\/tmp::'/);
  });

  test(`${host}: stdout or stderr that is neither 'inherit' nor a Writable rejects`, async () => {
    await rejectsUsage({ host, module, stdout: 'pipe' }, /option stdout must be 'inherit' or a Writable stream/);
    await rejectsUsage({ host, module, stderr: {} }, /option stderr must be 'inherit' or a Writable stream/);
  });

  test(`${host}: allowConnect that is not an array of rules rejects`, async () => {
    await rejectsUsage({ host, module, allowConnect: '127.0.0.1:80' }, /option allowConnect must be an array of rule strings/);
    await rejectsUsage({ host, module, allowConnect: ['127.0.0.1'] }, /malformed --allow-connect rule '127\.0\.0\.1'/);
  });

  test(`${host}: an unknown wait strategy rejects`, async () => {
    await rejectsUsage({ host, module, wait: 'threads' }, /unknown wait strategy 'threads' \(expected jspi or asyncify\)/);
  });
}

test('wasmtime: a wait strategy rejects, since wasmtime blocks in the OS', async () => {
  await rejectsUsage({ host: 'wasmtime', module, wait: 'asyncify' }, /^option wait applies to the Node host only/);
});

test('wasmtime: allowConnect address rules reject, since wasmtime cannot restrict addresses', async () => {
  await rejectsUsage({ host: 'wasmtime', module, allowConnect: ['127.0.0.1:80'] }, /^option allowConnect on wasmtime takes only 'any'/);
  await rejectsUsage({ host: 'wasmtime', module, allowConnect: ['any', '127.0.0.1:80'] }, /^option allowConnect on wasmtime takes only 'any'/);
});

test('wasmtime: an empty allowConnect list is accepted by the check', () => {
  const checked = validateOptions({ host: 'wasmtime', module, allowConnect: [] });
  assert.equal(checked.allowConnect, []);
});

test('the check fills in the defaults and parses the listen addresses', () => {
  const checked = validateOptions({ module, listen: ['127.0.0.1:0', '[::1]:8080'], stdout: 'inherit' });
  assert.is(checked.host, 'node');
  assert.equal(checked.addresses, [{ host: '127.0.0.1', port: 0 }, { host: '::1', port: 8080 }]);
  assert.equal([checked.args, checked.dirs, checked.allowConnect, checked.env], [[], [], [], {}]);
  assert.is(checked.stdout, undefined, "'inherit' means the process's own stdout");
});

test('worded for the command line, the check names the flags', () => {
  const e = (() => { try { validateOptions({ host: 'wasmtime', module, wait: 'jspi' }, 'cli'); } catch (err) { return err; } })();
  assert.instance(e, WasmuxError);
  assert.match(e.message, /^--wait applies to the Node host only/);
});

test('the CLI rejects --allow-connect with --host wasmtime with exit 2 and one line', async () => {
  oneLine(await runCli(['run', '--host', 'wasmtime', '--allow-connect', '127.0.0.1:80', module]), 2,
    /--allow-connect on wasmtime takes only 'any'/);
});

test.run();

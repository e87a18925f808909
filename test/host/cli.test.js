// The wasmux CLI's parsing and Node-only options: help/version, every malformed argument gives one `wasmux: `
// line and exit 2 (never a stack trace or a hang). What both hosts share (bad modules, addresses in use, exit
// codes, listener lines, signals) is in test/conformance/cli.test.js.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, oneLine } from './helpers.js';
import { sleeper, toFile } from './fixtures.js';
import { jspiAvailable } from '../../dist/host/index.js';

/** A valid module for the runs that fail before running it: needs no clang. */
const anyModule = () => toFile('exit0.wasm', sleeper(1, 0));

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

test('malformed address', async () => {
  oneLine(await runCli(['run', '--listen', 'localhost', anyModule()]), 2, /malformed listen address 'localhost'/);
  oneLine(await runCli(['run', '--listen=1.2.3.4:70000', anyModule()]), 2, /malformed listen address/);
});

test('unknown option, unknown command, missing module, bad --env, bad --wait', async () => {
  oneLine(await runCli(['run', '--frobnicate', anyModule()]), 2, /unknown option '--frobnicate'/);
  oneLine(await runCli(['--frobnicate']), 2, /unknown option/);
  oneLine(await runCli(['serve', anyModule()]), 2, /unknown command 'serve'/);
  oneLine(await runCli([]), 2, /missing command/);
  oneLine(await runCli(['run']), 2, /missing MODULE.wasm/);
  oneLine(await runCli(['run', '--listen']), 2, /option --listen needs a value/);
  oneLine(await runCli(['run', '--env', 'NOVALUE', anyModule()]), 2, /malformed --env/);
  oneLine(await runCli(['run', '--wait', 'threads', anyModule()]), 2, /unknown --wait 'threads'/);
});

test('--wait jspi: a clear error without JSPI (Node < 24), runs with it', async () => {
  if (jspiAvailable()) {
    const r = await runCli(['run', '--wait', 'jspi', toFile('exit0.wasm', sleeper(1, 0))]);
    assert.is(r.code, 0, r.stderr);
  } else {
    oneLine(await runCli(['run', '--wait', 'jspi', anyModule()]), 1, /needs Node >= 24/);
  }
});

test.run();

// Module input the CLI must refuse with one `wasmux:` line instead of reading it without bounds or hanging:
// a device (/dev/zero grew ~450 MB/s until the kernel killed the process), a FIFO (hung forever), a directory,
// a file over the size cap (256 MiB unless --max-module-size raises it). Both hosts share the loader, so both
// answer the same. And a signal during start-up stops the CLI at once (the first SIGTERM used to be swallowed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILD, FIXTURES, oneLine, runCli } from '../host/helpers.js';
import { HOSTS, LATEST } from './hosts.js';
import { cliHost } from './cli-host.js';

/** Makes build/test/input/ with a FIFO, a directory and a sparse 300 MiB file; returns the paths. */
function inputs() {
  const dir = join(BUILD, 'input');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'a-directory.wasm'), { recursive: true });
  const fifo = join(dir, 'fifo.wasm');
  execFileSync('mkfifo', [fifo]);
  const big = join(dir, 'big.wasm');
  writeFileSync(big, '');
  truncateSync(big, 300 * 1024 * 1024); // sparse: no disk used
  return { fifo, dir: join(dir, 'a-directory.wasm'), big };
}

const paths = inputs();

for (const host of [...HOSTS, LATEST]) {
  const { name, env } = cliHost(host);
  test(`[${host}] a device as the module is refused with one line, unread`, async () => {
    oneLine(await runCli(['run', '--host', name, '/dev/zero'], { env }), 1, /cannot read module '\/dev\/zero': a device, not a regular file/);
  });

  test(`[${host}] a FIFO as the module is refused with one line instead of hanging`, async () => {
    oneLine(await runCli(['run', '--host', name, paths.fifo], { env }), 1, /a FIFO, not a regular file/);
  });

  test(`[${host}] a directory as the module is refused with one line`, async () => {
    oneLine(await runCli(['run', '--host', name, paths.dir], { env }), 1, /a directory, not a regular file/);
  });

  test(`[${host}] a module over 256 MiB is refused with one line naming the option that raises the cap`, async () => {
    oneLine(await runCli(['run', '--host', name, paths.big], { env }), 1, /is 314572800 bytes, over the limit of 256 MiB \(raise it with --max-module-size/);
  });

  test(`[${host}] --max-module-size raises the cap (the file is then read and checked)`, async () => {
    oneLine(await runCli(['run', '--host', name, '--max-module-size', '400M', paths.big], { env }), 1, /'big.wasm' is not a WebAssembly module/);
  });

  test(`[${host}] SIGTERM while start-up waits on the module file stops the CLI at once`, async () => {
    const hook = pathToFileURL(join(FIXTURES, 'stall-open.mjs')).href;
    let signalled = false;
    const r = await runCli(['run', '--host', name, join(BUILD, 'stall.wasm')], {
      env: { ...env, NODE_OPTIONS: `--import=${hook}` },
      onStderr: (text, child) => {
        if (!signalled && text.includes('stalled')) {
          signalled = true;
          child.kill('SIGTERM');
        }
      },
    });
    assert.ok(signalled, `the CLI reached the module file; stderr: ${r.stderr}`);
    assert.is(r.code, 143, `exit code; stderr: ${r.stderr}`);
  });
}

test('--max-module-size must be a positive size', async () => {
  oneLine(await runCli(['run', '--max-module-size', '0', paths.big]), 2, /malformed --max-module-size '0'/);
  oneLine(await runCli(['run', '--max-module-size', '12X', paths.big]), 2, /malformed --max-module-size '12X'/);
});

test.run();

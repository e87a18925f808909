// The node flags the `wasmux` CLI runs with (host/cli/node-flags.ts): the bin's shebang and `npm start` carry
// exactly them, and with them V8's young generation is at its final size from the start.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_HOST_V8_FLAGS } from '../../dist/host/cli/node-flags.js';
import { CLI, ROOT } from './helpers.js';

test('the bin runs node with the host flags through its shebang', () => {
  const first = readFileSync(CLI, 'utf8').split('\n')[0];
  assert.is(first, `#!/usr/bin/env -S node ${NODE_HOST_V8_FLAGS.join(' ')}`);
});

test('npm start runs the CLI with the host flags', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.ok(pkg.scripts.start.includes(`node ${NODE_HOST_V8_FLAGS.join(' ')} dist/host/cli/main.js run`), pkg.scripts.start);
});

test('with the host flags V8 starts its young generation at 16 MiB per semi-space, not at 1 MiB', () => {
  const newSpace = (flags) => Number(execFileSync(process.execPath, [...flags, '-e',
    "process.stdout.write(String(require('v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size))"], { encoding: 'utf8' }));
  assert.ok(newSpace([]) < 16 * 1048576, 'the default starts smaller, or this test proves nothing');
  assert.ok(newSpace(NODE_HOST_V8_FLAGS) >= 16 * 1048576);
});

test.run();

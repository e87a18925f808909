// bench/guest-cost.mjs: the echo guest against its scripted host, plain and as the Node host runs it with Asyncify.
// What is checked is the work it reports (messages, host calls), never how fast it was.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = (...args) => JSON.parse(execFileSync(process.execPath, ['bench/guest-cost.mjs', ...args], { cwd: root, encoding: 'utf8' }));

test('the echo guest answers each message with one recv and one send, and a poll per turn of six', () => {
  const r = run('build/echo.wasm', '--turns', '3000');
  assert.is(r.asyncify, false);
  assert.is(r.ready, 6);
  assert.ok(r.ns_per_message > 0, `ns_per_message ${r.ns_per_message}`);
  // 2 calls a message plus 1 poll per 6 messages (the accepts at the start add a few)
  assert.ok(r.host_calls_per_message >= 2.16 && r.host_calls_per_message < 2.3, `host calls per message ${r.host_calls_per_message}`);
});

test('under Asyncify, unwound and rewound at every poll, the guest does the same work', () => {
  const r = run('build/echo.wasm', '--asyncify', '--turns', '3000', '--ready', '10');
  assert.is(r.asyncify, true);
  assert.is(r.ready, 10);
  assert.ok(r.host_calls_per_message >= 2.1 && r.host_calls_per_message < 2.2, `host calls per message ${r.host_calls_per_message}`);
});

test('a missing module path or a ready count outside 1-10 is a usage line and exit status 2', () => {
  for (const args of [[], ['build/echo.wasm', '--ready', '0']]) {
    const r = spawnSync(process.execPath, ['bench/guest-cost.mjs', ...args], { cwd: root, encoding: 'utf8' });
    assert.is(r.status, 2);
    assert.match(r.stderr, /^usage: node bench\/guest-cost\.mjs WASM/);
  }
});

test.run();

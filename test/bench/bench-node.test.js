// `wasmux bench --node LIST`: the Node host and Node `net` side by side on several Nodes in one run, with p50/p99
// per point and the p99 ratio table. Shape only, no timing assertions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../host/helpers.js';
import { ensureNode, pinnedNode } from '../support/node-versions.js';
import { needTool } from '../support/tools.js';

const HERE = process.versions.node.split('.')[0];

test('bench --node runs wasmux-node and node-net on each listed Node, every round a row with p50 and p99', async () => {
  needTool('cc'); // the echo client is compiled on the spot
  ensureNode(26); // installed here, so that a failed install fails this test with its reason
  const dir = mkdtempSync(join(tmpdir(), 'wasmux-bench-node-'));
  const file = join(dir, 'nodes.json');
  try {
    const r = await runCli(['bench', '--only', 'echo', '--servers', 'wasmux-node,node-net', '--node', `${process.execPath},26`,
      '--sizes', '1024', '--concurrency', '2', '--rounds', '2', '--duration', '0.3', '--json', file], { timeout: 180000 });
    assert.is(r.code, 0, r.stderr);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const v26 = pinnedNode(26);
    assert.equal(doc.options.nodes.map((n) => [n.label, n.version, n.wait, n.error]), [
      [HERE, process.versions.node, 'Suspending' in WebAssembly ? 'jspi' : 'asyncify', null],
      ['26', v26, 'jspi', null],
    ]);
    const servers = [`wasmux-node@${HERE}`, 'wasmux-node@26', `node-net@${HERE}`, 'node-net@26'];
    const echo = doc.results.filter((x) => x.scenario === 'echo');
    assert.is(echo.length, servers.length * 2, 'one row per server and round');
    for (const s of servers) {
      for (const round of [1, 2]) {
        const x = echo.find((e) => e.server === s && e.round === round);
        assert.ok(x, `row of ${s} round ${round}`);
        assert.not.ok(x.error, `${s} round ${round}: ${x.error}`);
        assert.ok(x.rps > 0 && x.p50_us > 0 && x.p99_us >= x.p50_us, `latency of ${JSON.stringify(x)}`);
        assert.is(x.node, s.endsWith('@26') ? v26 : process.versions.node);
      }
    }
    assert.is(echo.find((e) => e.server === 'wasmux-node@26').wait, 'jspi');
    // Each host is compared with node-net on its own Node, every round.
    const ratios = doc.echo_ratios.filter((x) => x.column === 'node-net');
    assert.equal(ratios.map((x) => `${x.host}/${x.peer}`).sort(), [`wasmux-node@${HERE}/node-net@${HERE}`, 'wasmux-node@26/node-net@26'].sort());
    for (const x of ratios) {
      assert.is(x.p99.length, 2);
      assert.ok(x.p99.every((v) => v > 0));
    }
    assert.match(r.stdout, /wasmux p99 latency divided by each peer's/);
    assert.match(r.stdout, /1 KiB x 2 wasmux-node@26 +\d+\.\d\dx \[\d+\.\d\d\.\.\d+\.\d\d\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench --node with a Node that is not pinned gives error rows naming it and exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasmux-bench-node-'));
  const file = join(dir, 'bad.json');
  try {
    const r = await runCli(['bench', '--only', 'echo', '--servers', 'node-net', '--node', '21', '--sizes', '1024', '--concurrency', '1',
      '--duration', '0.2', '--json', file], { timeout: 120000 });
    assert.is(r.code, 1, r.stderr);
    const rows = JSON.parse(readFileSync(file, 'utf8')).results;
    assert.is(rows.length, 1);
    assert.is(rows[0].server, 'node-net@21');
    assert.match(rows[0].error, /--node 21: .*no pinned Node '21'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench --node with an empty list or a repeated Node is a usage error', async () => {
  for (const list of [',', '26,26']) {
    const r = await runCli(['bench', '--node', list]);
    assert.is(r.code, 2, `--node ${list}: ${r.stderr}`);
    assert.match(r.stderr, /^wasmux bench: --node /);
  }
});

test('bench --help documents --node and the p99 ratios', async () => {
  const r = await runCli(['bench', '--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /--node LIST/);
  assert.match(r.stdout, /p99 latency/);
});

test.run();

// Smoke test of `wasmux bench`: runs the tiny --smoke mode (core loop up to 100 fds, one echo point on
// wasmux-node, c-epoll and python-selectors) and checks the JSON's shape. No timing assertions: only that every
// row is either an error row with a reason or carries positive numbers, and that the guest's own rows exist.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench } from '../../dist/bench/driver/main.js';
import { needTool } from '../support/tools.js';

const SERVERS = ['wasmux-guest', 'wasmux-node', 'wasmux-wasmtime', 'wasmux-proxy', 'node-net', 'python-selectors', 'uvloop', 'c-epoll', 'node-http', 'redis'];

test('bench --smoke writes the JSON and SVG with the expected shape', async () => {
  needTool('cc'); // the C peer is compiled on the spot, and its echo row is asserted below
  const dir = mkdtempSync(join(tmpdir(), 'wasmux-bench-'));
  const file = join(dir, 'smoke.json');
  try {
    const code = await runBench(['--smoke', '--json', file]);
    assert.is(code, 0);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    for (const k of ['cpus', 'model', 'mem', 'node', 'wasmtime', 'kernel', 'date']) assert.ok(k in doc.machine, `machine.${k}`);
    assert.ok(doc.machine.cpus > 0);
    assert.ok(Array.isArray(doc.results) && doc.results.length > 0, 'results is a non-empty array');
    for (const r of doc.results) {
      for (const k of ['scenario', 'server', 'size', 'concurrency', 'rps', 'mibps', 'p50_us', 'p99_us']) assert.ok(k in r, `${k} in row ${JSON.stringify(r)}`);
      assert.ok(SERVERS.includes(r.server), `known server ${r.server}`);
      if (r.error) {
        assert.type(r.error, 'string');
        assert.ok(r.error.length > 0);
        continue;
      }
      assert.ok(r.rps > 0, `rps > 0 in ${JSON.stringify(r)}`);
      if (r.scenario === 'core') assert.ok(r.ns_per_call > 0 && r.fds > 0);
      if (r.scenario === 'echo') {
        assert.ok(r.mibps > 0 && r.p50_us >= 0 && r.p99_us >= r.p50_us);
        assert.ok(r.client_cpu >= 0);
      }
    }
    // The guest's own cost (fake imports, no sockets) needs nothing but Node: it must always be there.
    const guest = doc.results.filter((r) => r.scenario === 'core' && r.server === 'wasmux-guest' && !r.error);
    assert.ok(guest.length >= 3, 'guest core rows');
    assert.ok(guest.every((r) => r.ready_per_call === 1), 'one ready fd per call');
    // The C client and C peer are compiled on the spot: echo must have produced a number.
    assert.ok(doc.results.some((r) => r.scenario === 'echo' && r.server === 'c-epoll' && !r.error), 'c-epoll echo row');
    // Every host x peer pair that both completed the point has its req/s and p99 ratio.
    const ok = (s) => doc.results.some((r) => r.scenario === 'echo' && r.server === s && !r.error);
    if (ok('wasmux-node')) {
      const ratio = doc.echo_ratios.find((x) => x.host === 'wasmux-node' && x.peer === 'c-epoll');
      assert.ok(ratio, 'wasmux-node / c-epoll ratio');
      assert.is(ratio.rps.length, 1);
      assert.is(ratio.p99.length, 1);
      assert.ok(ratio.rps[0] > 0 && ratio.p99[0] > 0);
    }
    assert.ok(existsSync(join(dir, 'smoke.svg')));
    assert.ok(readFileSync(join(dir, 'smoke.svg'), 'utf8').startsWith('<svg'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench rejects an unknown option with exit code 2', async () => {
  assert.is(await runBench(['--no-such-option']), 2);
});

test.run();

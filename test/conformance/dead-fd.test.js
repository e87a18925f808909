// On real hosts: a dead fd does not take select() down, and readiness is exact on the Node host and on the
// pinned wasmtime (built with the exact-readiness fix). A stock wasmtime ($WASMTIME, PATH) reports every fd
// once one is ready; there over-reporting must never become a wrong answer nor data that is not there (the
// same contract is tested without a real host in test/core/).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { ROOT, startGuest, connect, withTimeout } from '../host/helpers.js';
import { HOSTS, LATEST, waitFor } from './hosts.js';
import { locateWasmtime, pinnedPath } from '../../dist/host/wasmtime/locate.js';

const probe = join(ROOT, 'build', 'test', 'select-probe.wasm');

async function runProbe(host) {
  const g = await startGuest({ module: probe, listen: ['127.0.0.1:0'], host });
  const out = () => g.stdout.text();
  try {
    const clients = [];
    for (let i = 1; i <= 3; i++) {
      const s = await connect(g.port);
      s.on('error', () => {});
      clients.push(s);
      // The next client connects only once this one is accepted: the probe names them A, B, C in accept order.
      await waitFor(out, new RegExp(`^accepted ${i}$`, 'm'), 10000, `${host} accept ${i}`);
    }
    await waitFor(out, /^closed C$/m, 10000, `${host} close C`);
    clients[0].write('x');
    await waitFor(out, /done/, 10000, `${host} probe`);
    assert.is(await withTimeout(g.exited, 10000, 'exit'), 0);
    clients.forEach((s) => s.destroy());
    return {
      select: /select (.*)/.exec(out())[1],
      selector: /selector (.*)/.exec(out())[1].split(' '),
    };
  } finally {
    await g.stop();
  }
}

// On the current wasmtime the probe's component build runs (build/test/component/select-probe.wasm).
for (const host of [...HOSTS, LATEST]) {
  test(`[${host}] select(): the dead and closed fds land in errors with EBADF, the ready fd is still reported`, async () => {
    const r = await runProbe(host);
    assert.is(r.select, 'status=0 readers=A errors=CLOSED:8,DEAD:8');
  });

  test(`[${host}] Selector: dead fds come back with their errno; an fd with nothing to read is not reported (exact readiness)`, async () => {
    const r = await runProbe(host);
    assert.ok(r.selector.includes('A:data1'), r.selector.join(' '));
    assert.ok(r.selector.includes('CLOSED:error8'), r.selector.join(' '));
    assert.ok(r.selector.includes('DEAD:error8'), r.selector.join(' '));
    // Exact: the Node host, the pinned wasmtime 36 with its fix, and wasi:io/poll on a current wasmtime.
    const exact = host === 'node' || host === LATEST || (await locateWasmtime()).path === pinnedPath();
    if (exact) {
      // B, which has nothing to read, is not reported.
      assert.not.ok(r.selector.some((s) => s.startsWith('B:')), r.selector.join(' '));
    } else {
      // A stock wasmtime may report B; readiness is then a hint, and the recv answers AGAIN, never data.
      assert.ok(r.selector.filter((s) => s.startsWith('B:')).every((s) => s === 'B:again'), r.selector.join(' '));
    }
  });
}

test.run();

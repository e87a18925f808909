// On real hosts: a dead fd does not take select() down, and over-reported readiness (stock wasmtime reports every
// fd once one is ready; the pinned build does not) never becomes a wrong answer from select() nor data that is not there.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { ROOT, startGuest, connect, withTimeout } from '../host/helpers.js';
import { HOSTS, waitFor } from './hosts.js';

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

for (const host of HOSTS) {
  test(`[${host}] select(): the dead and closed fds land in errors with EBADF, the ready fd is still reported`, async () => {
    const r = await runProbe(host);
    assert.is(r.select, 'status=0 readers=A errors=CLOSED:8,DEAD:8');
  });

  test(`[${host}] Selector: dead fds come back with their errno; no key yields data that is not there`, async () => {
    const r = await runProbe(host);
    assert.ok(r.selector.includes('A:data1'), r.selector.join(' '));
    assert.ok(r.selector.includes('CLOSED:error8'), r.selector.join(' '));
    assert.ok(r.selector.includes('DEAD:error8'), r.selector.join(' '));
    // Both hosts report readiness exactly (the pinned wasmtime carries the exact-readiness fix): B, which has
    // nothing to read, is not reported. Were it over-reported, the contract would still make it AGAIN, not data.
    assert.not.ok(r.selector.some((s) => s.startsWith('B:')), r.selector.join(' '));
  });
}

test.run();

// The guest must not starve its embedder: while the Node host runs the echo guest at full closed-loop load (the
// load comes from a child process, so it is not slowed by the embedder's own loop), a setInterval in the embedding
// process keeps firing, never more than a loose bound late.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, startGuest, withTimeout } from './helpers.js';

/** Loose liveness bound: a tick later than this means the guest kept the event loop to itself. */
const MAX_LAG_MS = 100;
const TICK_MS = 10;

/** A child that opens `conns` connections to `port`, prints 'go', runs `rounds` 1 KiB round trips on each in a closed
 *  loop, prints 'done N' (N = round trips completed) and exits. */
const LOAD = `
const net = require('node:net');
const [port, conns, rounds] = process.argv.slice(1).map(Number);
const msg = Buffer.alloc(1024, 120);
let open = 0, finished = 0, total = 0;
const starts = [];
for (let i = 0; i < conns; i++) {
  const s = net.connect({ port, host: '127.0.0.1' }, () => {
    s.setNoDelay(true);
    if (++open === conns) { process.stdout.write('go\\n'); for (const f of starts) f(); }
  });
  let got = 0, done = 0;
  starts.push(() => s.write(msg));
  s.on('data', (d) => {
    got += d.length;
    while (got >= msg.length) {
      got -= msg.length; done++; total++;
      if (done === rounds) { s.end(); if (++finished === conns) { process.stdout.write('done ' + total + '\\n'); process.exit(0); } return; }
      s.write(msg);
    }
  });
  s.on('error', (e) => { process.stderr.write(e.message + '\\n'); process.exit(1); });
}
`;

test('an embedder\'s setInterval stays under 100 ms late while the guest runs echo at full load', async () => {
  const g = await startGuest({ host: 'node', module: join(ROOT, 'build', 'echo.wasm'), listen: ['127.0.0.1:0'] });
  try {
    const child = spawn(process.execPath, ['-e', LOAD, String(g.port), '20', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const lags = [];
    let timer = null;
    const finished = new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (!timer && out.includes('go\n')) {
          let expected = performance.now() + TICK_MS;
          timer = setInterval(() => {
            const now = performance.now();
            lags.push(now - expected);
            expected = now + TICK_MS;
          }, TICK_MS);
        }
      });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`load client exited ${code}: ${err.trim()}`))));
    });
    await withTimeout(finished, 60000, 'the echo load');
    clearInterval(timer);
    assert.match(out, /done 20000\n/, 'every round trip was answered');
    assert.ok(lags.length >= 3, `the interval fired during the load (${lags.length} ticks)`);
    const worst = Math.max(...lags);
    assert.ok(worst < MAX_LAG_MS, `worst timer lag ${worst.toFixed(1)} ms over ${lags.length} ticks`);
  } finally {
    g.stop();
    await withTimeout(g.exited, 10000, 'guest exit').catch(() => {});
  }
});

test.run();

// A blocking sock_recv with WAITALL for more than the Node host's receive buffer (256 KiB): it must finish when
// the data is all there, at the peer's FIN, at a reset, or when the host stops. Before, the socket was paused at
// 256 KiB while the call waited for more, and a paused socket never saw the FIN either. wasmtime reads the whole
// buffer too, answers CONNRESET at a reset, but traps the guest ("failed to fill whole buffer") at an early FIN.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import { connect, startGuest, wat, withTimeout } from '../host/helpers.js';
import { HOSTS, LATEST } from './hosts.js';

const WANT = 409600;
const CONNRESET = 15;

/** Guests of this suite still running: stopped after each test, so that a hung receive fails only its test. */
const running = new Set();
test.after.each(async () => {
  for (const g of running) await g.stop();
  running.clear();
});

/** Starts the WAITALL guest and connects to it. */
async function setup(host) {
  const raw = new PassThrough(); // the report is binary: kept as bytes, not text
  const chunks = [];
  raw.on('data', (c) => chunks.push(c));
  const g = await startGuest({ module: wat('waitall'), listen: ['127.0.0.1:0'], host, stdout: raw });
  running.add(g);
  const s = await connect(g.port);
  s.on('error', () => {});
  return { g, s, out: () => Buffer.concat(chunks) };
}

/** The guest's report (its stdout bytes): [nread, errno]. */
function report(out) {
  const b = out();
  assert.is(b.length, 8, `8 result bytes, got ${b.length}`);
  return [b.readUInt32LE(0), b.readUInt32LE(4)];
}

for (const host of HOSTS) {
  test(`[${host}] a WAITALL receive larger than the receive buffer returns once all of it has arrived`, async () => {
    const { g, s, out } = await setup(host);
    s.write(Buffer.alloc(WANT, 7));
    assert.is(await withTimeout(g.exited, 15000, 'guest exit'), 0);
    assert.equal(report(out), [WANT, 0]);
    s.destroy();
  });

  test(`[${host}] a WAITALL receive ends at the peer's FIN, even past the receive buffer`, async () => {
    const { g, s, out } = await setup(host);
    s.end(Buffer.alloc(300000, 7));
    const code = await withTimeout(g.exited, 15000, 'guest exit');
    if (host === 'node') {
      assert.is(code, 0);
      assert.equal(report(out), [300000, 0]);
    } else {
      assert.match(g.stderr.text(), /guest trapped: .*failed to fill whole buffer/);
    }
  });

  test(`[${host}] a WAITALL receive ends when the peer resets the connection`, async () => {
    const { g, s, out } = await setup(host);
    s.write(Buffer.alloc(300000, 7), () => s.resetAndDestroy());
    assert.is(await withTimeout(g.exited, 15000, 'guest exit'), 0);
    // Node: the bytes that arrived, or CONNRESET when the reset came first; wasmtime: CONNRESET.
    const [nread, errno] = report(out);
    assert.ok((host === 'node' && errno === 0 && nread > 0 && nread <= 300000) || errno === CONNRESET, `nread ${nread} errno ${errno}`);
  });

  test(`[${host}] a WAITALL receive waiting on a paused socket ends when the host stops`, async () => {
    const { g, s, out } = await setup(host);
    s.write(Buffer.alloc(300000, 7));
    await withTimeout(g.stop(), 10000, 'stop');
    assert.is(out().length, 0, 'the receive never answered');
    s.destroy();
  });
}

test('[wasmtime-latest] the WAITALL guest needs a preview1 socket there is none of: refused with one line', async () => {
  const e = await startGuest({ module: wat('waitall'), listen: ['127.0.0.1:0'], host: LATEST }).then(() => null, (x) => x);
  assert.ok(e, 'refused');
  assert.match(e.message, /^wasmtime \S+ runs wasmux servers only as WASI 0\.2 components \(preview1 sockets were removed in 47\)/);
});

test.run();

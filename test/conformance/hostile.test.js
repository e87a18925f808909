// A hostile module (test/fixtures/hostile.wat) abuses every import the Node host overrides: out-of-range pointers,
// absurd counts, bad fds, stdio fds. The Node host answers each call with an errno (recorded by the module and
// written to stdout) and keeps running. wasmtime cannot match this: it traps the guest on the first malformed flag
// value (sock_accept with fdflags 99), so there the assertion is that the guest is stopped with a clear reason
// and the host still serves the next guest. wasmtime 47 and later run it as a core module when it is given no
// listener (same trap), and refuse it with one line when it is given one (no preview1 sockets there).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { Errno } from '../../dist/host/wasi/abi.js';
import { ROOT, startGuest, wat, connect, readN, withTimeout, echoOnce } from '../host/helpers.js';
import { LATEST } from './hosts.js';

const { FAULT, INVAL, NOTSOCK, BADF, NOTCONN, SPIPE, NOTDIR } = Errno;
const EXPECTED_NODE = [
  FAULT, INVAL, NOTSOCK, BADF, NOTSOCK, NOTSOCK, NOTSOCK, NOTCONN, BADF, NOTSOCK, NOTCONN, NOTSOCK, NOTCONN, BADF,
  INVAL, FAULT, INVAL, FAULT, BADF, FAULT, BADF, INVAL, BADF, NOTCONN, BADF, FAULT, INVAL, BADF, BADF, SPIPE, BADF,
  NOTDIR, 0, 0, FAULT, FAULT, INVAL, FAULT, INVAL, FAULT, INVAL, INVAL, INVAL, 0, 6, INVAL, 0, 3, 0, BADF,
];

/** The host is healthy afterwards: a fresh echo guest serves a round trip. */
async function hostStillServes(host) {
  const g = await startGuest({ module: join(ROOT, 'build', 'echo.wasm'), listen: ['127.0.0.1:0'], host });
  try {
    const got = await withTimeout(echoOnce(g.port, Buffer.from('after the hostile guest')), 10000, 'echo');
    assert.is(got.toString(), 'after the hostile guest');
  } finally {
    await g.stop();
  }
}

test('[node] every abusive call gets an errno, the guest runs to the end, the host stays up', async () => {
  const g = await startGuest({ module: wat('hostile'), listen: ['127.0.0.1:0'], host: 'node' });
  const s = await connect(g.port);
  const hello = await withTimeout(readN(s, 3), 10000, 'guest send');
  assert.is(hello.toString(), 'ok\n');
  const code = await withTimeout(g.exited, 10000, 'guest exit');
  assert.is(g.error, null, `guest trapped: ${g.error}`);
  assert.is(code, 0);
  assert.equal([...Buffer.from(g.stdout.text(), 'latin1')], EXPECTED_NODE);
  s.destroy();
  await hostStillServes('node');
});

test('[wasmtime] the guest is trapped at the first malformed flag value, with the reason; the host stays up', async () => {
  const g = await startGuest({ module: wat('hostile'), listen: ['127.0.0.1:0'], host: 'wasmtime' });
  const code = await withTimeout(g.exited, 10000, 'guest exit');
  assert.is.not(code, 0);
  assert.match(g.stderr.text(), /^wasmux: guest trapped: .*Invalid flag value/m);
  // The guest dies before its report: nothing reaches stdout.
  assert.equal([...Buffer.from(g.stdout.text(), 'latin1')], []);
  await hostStillServes('wasmtime');
});

test('[wasmtime-latest] run as a core module (no listener), the guest is trapped at the same malformed flag; the host stays up', async () => {
  const g = await startGuest({ module: wat('hostile'), host: LATEST });
  const code = await withTimeout(g.exited, 10000, 'guest exit');
  assert.is.not(code, 0);
  assert.match(g.stderr.text(), /^wasmux: guest trapped: .*Invalid flag value/m);
  assert.equal([...Buffer.from(g.stdout.text(), 'latin1')], []);
  await hostStillServes(LATEST);
});

test('[wasmtime-latest] given a listener, the preview1 module is refused with one line: that wasmtime has no preview1 sockets', async () => {
  const e = await startGuest({ module: wat('hostile'), listen: ['127.0.0.1:0'], host: LATEST }).then(() => null, (x) => x);
  assert.ok(e, 'refused');
  assert.match(e.message, /^wasmtime \S+ runs wasmux servers only as WASI 0\.2 components \(preview1 sockets were removed in 47\)/);
  assert.not.match(e.message, /\n/);
});

test.run();

// A hostile module (test/fixtures/hostile.wat) abuses every overridden import; the host answers each call with an
// errno (recorded by the module and written to stdout) and keeps running.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startGuest, wat, connect, readN, withTimeout } from './helpers.js';

const FAULT = 21, INVAL = 28, NOTSOCK = 57, BADF = 8, NOTCONN = 53, SPIPE = 70, NOTDIR = 54;
const EXPECTED = [
  FAULT, INVAL, NOTSOCK, BADF, NOTSOCK, NOTSOCK, NOTSOCK, NOTCONN, BADF, NOTSOCK, NOTCONN, NOTSOCK, NOTCONN, BADF,
  INVAL, FAULT, INVAL, FAULT, BADF, FAULT, BADF, INVAL, BADF, NOTCONN, BADF, FAULT, INVAL, BADF, BADF, SPIPE, BADF,
  NOTDIR, 0, 0, FAULT, FAULT, INVAL, FAULT, INVAL, FAULT, INVAL, INVAL, INVAL, 0, 6, INVAL, 0, 3, 0, BADF,
];

test('every abusive call gets an errno and the host stays up', async () => {
  const g = await startGuest({ module: wat('hostile'), listen: ['127.0.0.1:0'] });
  const s = await connect(g.port);
  const hello = await withTimeout(readN(s, 3), 10000, 'guest send');
  assert.is(hello.toString(), 'ok\n');
  const code = await withTimeout(g.exited, 10000, 'guest exit');
  assert.is(g.error, null, `guest trapped: ${g.error}`);
  assert.is(code, 0);
  const got = [...Buffer.from(g.stdout.text(), 'latin1')];
  assert.equal(got, EXPECTED);
  s.destroy();
});

test('the host process is still healthy afterwards (a second guest runs)', async () => {
  const g = await startGuest({ module: wat('hostile'), listen: ['127.0.0.1:0'] });
  const s = await connect(g.port);
  await withTimeout(readN(s, 3), 10000, 'guest send');
  assert.is(await withTimeout(g.exited, 10000, 'exit'), 0);
  s.destroy();
});

test.run();

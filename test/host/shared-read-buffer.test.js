// Sockets that read into the host's one shared buffer (host/sockets/shared-read-buffer.ts) instead of a Buffer
// per read, on real loopback connections: what the guest reads through a TcpStream is what the peer sent, in
// order, whatever the sizes; backpressure still pauses a stream that falls behind; EOF and the fallback to
// Node's 'data' events still work.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { TcpStream } from '../../dist/host/sockets/tcp-stream.js';
import { acceptIntoSharedBuffer, readsIntoSharedBuffer } from '../../dist/host/sockets/shared-read-buffer.js';
import { acceptedStream, connect, randomBytes, signalHub } from './helpers.js';

/** Reads what is buffered into `into` at `at` through two iovecs (a guest's scatter read); returns the count. */
function readSome(stream, into, at) {
  const half = Math.max(1, (into.length - at) >>> 1);
  const iov = new Uint32Array([at, half, at + half, into.length - at - half]);
  return stream.readInto(into, iov, 2, false);
}

/** Reads `n` bytes from the stream as they arrive, a scatter read at each raise; returns them. */
async function readAll(p, n) {
  const got = new Uint8Array(n);
  let have = 0;
  while (have < n) {
    await p.until(() => p.stream.available > 0, 'more bytes');
    have += readSome(p.stream, got, have);
  }
  return Buffer.from(got);
}

test('on this Node, accepted sockets read into the shared buffer', async () => {
  const p = await acceptedStream();
  try {
    assert.ok(p.listener.sharedBufferReads, 'the listener replaced the connection callback');
    assert.ok(readsIntoSharedBuffer(p.socket));
  } finally {
    p.close();
  }
});

test('3 MiB in writes of every size arrive whole and in order', async () => {
  const p = await acceptedStream();
  try {
    const payload = randomBytes(3 * 1024 * 1024, 11);
    let off = 0;
    for (let size = 1; off < payload.length; size = (size * 7 + 3) % 70000 + 1) {
      p.peer.write(payload.subarray(off, off + size));
      off += size;
    }
    assert.ok((await readAll(p, payload.length)).equals(payload));
  } finally {
    p.close();
  }
});

test('a stream that falls behind stops reading at its high-water mark and reads on once drained', async () => {
  const p = await acceptedStream();
  try {
    const payload = randomBytes(2 * 1024 * 1024, 12);
    p.peer.write(payload);
    await p.until(() => p.stream.available >= 256 * 1024, 'the receive buffer to fill');
    assert.ok(p.socket.isPaused(), 'paused at the high-water mark');
    assert.ok(p.stream.available < 256 * 1024 + 64 * 1024, `at most one read past the mark (${p.stream.available})`);
    assert.ok((await readAll(p, payload.length)).equals(payload));
  } finally {
    p.close();
  }
});

test('the peer half-closing after its data: the data, then EOF (0) with HANGUP', async () => {
  const p = await acceptedStream();
  try {
    p.peer.end(Buffer.from('last words'));
    await p.until(() => p.stream.hangup, 'the FIN');
    const got = new Uint8Array(64);
    const n = readSome(p.stream, got, 0);
    assert.is(Buffer.from(got.subarray(0, n)).toString(), 'last words');
    assert.is(readSome(p.stream, got, 0), 0);
  } finally {
    p.close();
  }
});

test('a socket Node accepted the ordinary way reads through its data events', async () => {
  const { hub, until } = signalHub();
  const server = net.createServer({ pauseOnConnect: true });
  const accepted = new Promise((r) => server.once('connection', r));
  await new Promise((r) => server.listen({ port: 0, host: '127.0.0.1' }, () => r(undefined)));
  const peer = await connect(/** @type {import('node:net').AddressInfo} */ (server.address()).port);
  const socket = await accepted;
  const stream = new TcpStream(socket, true, hub);
  try {
    assert.not.ok(readsIntoSharedBuffer(socket));
    peer.write('through data events');
    await until(() => stream.available === 19, 'the bytes');
    const got = new Uint8Array(32);
    assert.is(Buffer.from(got.subarray(0, readSome(stream, got, 0))).toString(), 'through data events');
  } finally {
    peer.destroy();
    stream.destroy();
    server.close();
  }
});

test('a server that is not listening has no connection callback to replace: refused, nothing changed', () => {
  const server = net.createServer();
  assert.is(acceptIntoSharedBuffer(server, true, () => {}), false);
  assert.is(server.listenerCount('connection'), 0);
});

test.run();

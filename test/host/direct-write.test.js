// Sends written straight from guest memory with one write(2) on the socket's fd while nothing is queued
// (host/sockets/direct-write.ts, host/wasi/stream-io.ts): what the kernel does not take is queued through the
// Node socket behind nothing, so a peer gets every byte in order; a failed connection is reported as before.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { socketFd } from '../../dist/host/sockets/direct-write.js';
import { streamSend } from '../../dist/host/wasi/stream-io.js';
import { GuestMemory } from '../../dist/host/wasi/guest-memory.js';
import { Waker } from '../../dist/host/wait/waker.js';
import { acceptedStream, readN, randomBytes, withTimeout } from './helpers.js';

const KiB = 1024;
const IOV = 0;
const NSENT = 16;
const DATA = 1024;

/** An accepted, non-blocking TcpStream, its peer, and a guest memory to send from. */
async function sender() {
  const { socket, stream, peer, until, close } = await acceptedStream();
  const memory = new WebAssembly.Memory({ initial: 4 });
  const mem = new GuestMemory();
  mem.attach(memory);
  const u8 = new Uint8Array(memory.buffer);
  const dv = new DataView(memory.buffer);
  /** Sends `bytes` (up to 64 KiB) from guest memory; returns [errno, bytes accepted]. */
  const send = (bytes) => {
    u8.set(bytes, DATA);
    dv.setUint32(IOV, DATA, true);
    dv.setUint32(IOV + 4, bytes.length, true);
    const r = streamSend(mem, new Waker(), stream, IOV, 1, NSENT);
    if (typeof r !== 'number') throw new Error('a send on a non-blocking stream waited');
    return [r, dv.getUint32(NSENT, true)];
  };
  return { socket, stream, peer, send, u8, until, close };
}

test('an accepted socket exposes its fd on this Node, so large sends are written directly', async () => {
  const s = await sender();
  try {
    assert.ok(socketFd(s.socket) >= 0);
  } finally {
    s.close();
  }
});

test('sends past what the kernel takes at once: the rest is queued behind nothing, the peer gets every byte in order', async () => {
  const s = await sender();
  try {
    s.peer.pause(); // the peer reads nothing until every send is in: the kernel's buffers fill up
    const payload = randomBytes(8 * 1024 * KiB, 21);
    let off = 0;
    for (;;) {
      const [r, sent] = s.send(payload.subarray(off, off + 64 * KiB));
      if (r === 6) break; // AGAIN: the socket's queue is at its high-water mark
      assert.is(r, 0);
      off += sent;
      assert.ok(off < payload.length, 'the kernel and the queue took all 8 MiB: the test did not fill them');
    }
    assert.ok(s.stream.socket.writableLength > 0, 'some bytes went through the Node socket\'s queue');
    const got = readN(s.peer, off);
    s.peer.resume();
    assert.ok((await withTimeout(got, 20000, 'the bytes')).subarray(0, off).equals(payload.subarray(0, off)));
  } finally {
    s.close();
  }
});

test('the guest changing its buffer after a send does not change the bytes sent', async () => {
  const s = await sender();
  try {
    s.peer.pause();
    const first = randomBytes(64 * KiB, 22);
    let total = 0;
    const sent = [];
    while (s.send(first)[0] === 0) { // until AGAIN: later sends are partly queued copies
      sent.push(Buffer.from(first.subarray(0, new DataView(s.u8.buffer).getUint32(NSENT, true))));
      total += sent[sent.length - 1].length;
      s.u8.fill(0xee, DATA, DATA + 64 * KiB); // the guest reuses its buffer at once
    }
    const got = readN(s.peer, total);
    s.peer.resume();
    assert.ok((await withTimeout(got, 20000, 'the bytes')).subarray(0, total).equals(Buffer.concat(sent)));
  } finally {
    s.close();
  }
});

test('a large send right after the peer reset the connection is accepted or refused, never thrown; then HANGUP', async () => {
  const s = await sender();
  try {
    const gone = new Promise((r) => s.peer.once('close', r));
    s.peer.resetAndDestroy();
    await gone; // the reset is on the wire; the host's socket has most likely not read it yet
    const [r] = s.send(randomBytes(16 * KiB, 23));
    assert.ok(r === 0 || r === 64, `SUCCESS, or PIPE when Node had seen the reset (${r})`);
    await s.until(() => s.stream.hangup, 'the reset to show');
  } finally {
    s.close();
  }
});

test('a socket with no handle (destroyed) has no fd to write to', async () => {
  const s = await sender();
  s.socket.destroy();
  assert.is(socketFd(s.socket), -1);
  s.close();
});

test('a socket that is not a Node TCP socket has no fd: its sends go through the socket', () => {
  assert.is(socketFd(/** @type {any} */ (new net.Socket())), -1);
});

test.run();

// A guest's write to a full process stdout (host/wasi/stdio.ts): the guest's stdio is blocking, so the write waits
// until the fd takes bytes, or fails with the reason it fails, instead of answering AGAIN. The process fd is a
// non-blocking FIFO here, filled to its capacity, as Node may leave a child's stdout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Waker } from '../../dist/host/wait/waker.js';
import { GuestMemory } from '../../dist/host/wasi/guest-memory.js';
import { stdioWrite } from '../../dist/host/wasi/stdio.js';

const SUCCESS = 0, PIPE = 64;
const IOVS = 0, NWRITTEN = 8, DATA = 64, SIZE = 128 * 1024; // more than a FIFO holds (64 KiB on Linux)

/** A FIFO opened both ways without blocking, a guest memory holding one iovec of SIZE bytes, and the context
 *  stdioWrite reads (stdout is the FIFO's write end). */
function fullFifoSetup() {
  const path = join(mkdtempSync(join(tmpdir(), 'wasmux-fifo-')), 'out');
  execFileSync('mkfifo', [path]);
  const rfd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const wfd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  const memory = new WebAssembly.Memory({ initial: 3 });
  const dv = new DataView(memory.buffer);
  dv.setUint32(IOVS, DATA, true);
  dv.setUint32(IOVS + 4, SIZE, true);
  const mem = new GuestMemory();
  mem.attach(memory);
  const ctx = { mem, waker: new Waker(), stdout: wfd, stderr: 2 };
  const write = () => stdioWrite(/** @type {any} */ (ctx), 1, IOVS, 1, NWRITTEN);
  assert.is(write(), SUCCESS, 'the first write fills the FIFO');
  assert.ok(dv.getUint32(NWRITTEN, true) < SIZE, 'and only part of the bytes fit');
  return { rfd, wfd, write, written: () => dv.getUint32(NWRITTEN, true) };
}

/** Reads everything the FIFO holds. */
function drain(rfd) {
  const buf = Buffer.alloc(SIZE);
  let total = 0;
  for (;;) {
    try {
      const n = readSync(rfd, buf);
      if (n === 0) return total;
      total += n;
    } catch (e) {
      if (e.code === 'EAGAIN') return total;
      throw e;
    }
  }
}

test('a write to a full stdout waits, and completes once the reader takes bytes', async () => {
  const { rfd, wfd, write, written } = fullFifoSetup();
  try {
    const r = write();
    assert.ok(r instanceof Promise, `the write waits (answered ${r} instead)`);
    assert.ok(drain(rfd) > 0);
    assert.is(await r, SUCCESS);
    assert.ok(written() > 0, 'bytes were written');
  } finally {
    closeSync(rfd);
    closeSync(wfd);
  }
});

test('a write waiting on a full stdout ends with PIPE when the reader goes away', async () => {
  const { rfd, wfd, write } = fullFifoSetup();
  try {
    const r = write();
    assert.ok(r instanceof Promise, `the write waits (answered ${r} instead)`);
    closeSync(rfd);
    assert.is(await r, PIPE);
  } finally {
    closeSync(wfd);
  }
});

test.run();

// A poll_oneoff driven without a guest, for the host's poll tests: fake streams on fds 3.., a memory of our own.
import * as assert from 'uvu/assert';
import { makePollOneoff } from '../../dist/host/poll.js';
import { Watchable } from '../../dist/host/sockets/watchable.js';
import { Waker } from '../../dist/host/wait/waker.js';
import { GuestMemory } from '../../dist/host/wasi/guest-memory.js';
import { FdTable } from '../../dist/host/fd-table.js';

/** A stream whose readability the test sets; raises the hub like a real one. */
export class FakeStream extends Watchable {
  constructor(hub) {
    super();
    this.readable = false; this.available = 0; this.hangup = false; this.connectError = 0;
    this.writable = true; this.writeRoom = 1000;
    this.attach(hub);
  }
  rise() { this.readable = true; this.available = 7; this.changed(); }
  fall() { this.readable = false; this.available = 0; }
}

/**
 * `n` fake streams (fds 3..n+2) after stdio, and the host's poll_oneoff over a 128 KiB memory; `journaled` as for a
 * module that declares the subscription journal.
 */
export function pollHost(n, journaled = false) {
  const memory = new WebAssembly.Memory({ initial: 2 });
  const mem = new GuestMemory();
  mem.attach(memory);
  const fds = new FdTable();
  const waker = new Waker();
  for (const which of /** @type {const} */ ([0, 1, 2])) fds.add({ kind: 'stdio', which });
  const streams = [];
  for (let i = 0; i < n; i++) {
    const s = new FakeStream(waker.hub);
    streams.push(s);
    fds.add({ kind: 'stream', stream: /** @type {any} */ (s) }); // only the fields poll_oneoff reads
  }
  const poll = makePollOneoff(mem, fds, waker, journaled);
  return { memory, dv: new DataView(memory.buffer), fds, streams, poll };
}

/** Where answered() has the events written, and their count. */
export const OUT = 60000;
const NEVENTS = 59990;
/** The userdata tests give their clock subscription (left out of answered()'s list). */
export const CLOCK_UD = 999;

/** Polls the array at `addr` of `nsubs` subscriptions; the userdata of the events but the clock's, sorted. */
export async function answered({ poll, dv }, addr, nsubs) {
  let r = poll(addr, OUT, nsubs, NEVENTS);
  if (typeof r !== 'number') r = await r;
  assert.is(r, 0, 'poll_oneoff succeeds');
  const out = [];
  for (let i = 0, k = dv.getUint32(NEVENTS, true); i < k; i++) {
    const ud = Number(dv.getBigUint64(OUT + i * 32, true));
    if (ud !== CLOCK_UD) out.push(ud);
  }
  return out.sort((a, b) => a - b);
}

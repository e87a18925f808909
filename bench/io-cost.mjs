// Cost of the Node host's own JavaScript per echoed message, without a guest and without the kernel: N streams on
// fake sockets (an EventEmitter with the net.Socket surface the host uses; write() takes everything at once); per
// turn each stream gets one SIZE-byte read (handed over as a read into the shared buffer where the build has
// that path, else as a 'data' chunk; Node's own read work is not in it), then one poll_oneoff over the N fd_read
// subscriptions plus a clock, then sock_recv and sock_send (through the wait strategy's wrappers, as the guest
// calls them) for every ready fd. Usage: node bench/io-cost.mjs [DIST] [N] [SIZE] [TURNS] (DIST: a dist/
// directory, default ./dist; run two DISTs to compare builds, alternating). Prints ns per message (best of 5
// batches): the read's hand-over, the poll share and the recv + send.
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';

const [distArg = 'dist', N = '10', SIZE = '1024', TURNS = '100000'] = process.argv.slice(2);
const dist = resolve(distArg);
const { makeImports } = await import(`${dist}/host/wasi/table.js`);
const { TcpStream } = await import(`${dist}/host/sockets/tcp-stream.js`);
const { Waker } = await import(`${dist}/host/wait/waker.js`);
const { GuestMemory } = await import(`${dist}/host/wasi/guest-memory.js`);
const { FdTable } = await import(`${dist}/host/fd-table.js`);
const { asyncifyStrategy } = await import(`${dist}/host/wait/asyncify.js`);
const { paced } = await import(`${dist}/host/wait/strategy.js`);
const { makePollOneoff } = await import(`${dist}/host/poll.js`);
const n = Number(N), size = Number(SIZE), turns = Number(TURNS);

/** The part of net.Socket the host touches; a write is taken whole at once (nothing queued). */
class FakeSocket extends EventEmitter {
  writableLength = 0; destroyed = false; writable = true; errored = null; written = 0;
  setNoDelay() {} resume() {} pause() {} end() {} destroy() {}
  write(b) { this.written += b.length; return true; }
}

const memory = new WebAssembly.Memory({ initial: 16 });
const mem = new GuestMemory();
mem.attach(memory);
const fds = new FdTable();
const waker = new Waker();
for (let i = 0; i < 3; i++) fds.add({ kind: 'stdio', which: i });
const sockets = [];
const streams = [];
for (let i = 0; i < n; i++) {
  const s = new FakeSocket();
  sockets.push(s);
  streams.push(new TcpStream(s, true, waker.hub));
  fds.add({ kind: 'stream', stream: streams[i] });
}
// recv and send go through the Asyncify strategy's wrappers, as a Node 20 guest calls them. They do not suspend
// here (every stream is non-blocking and ready) except when pacing yields (a slow first turn): the fake instance
// below then only counts the unwind, and that message is left out. poll_oneoff is called unwrapped (like
// bench/poll-cost.mjs) since it yields to the event loop every 32 calls.
const asyncify = asyncifyStrategy();
let unwound = 0;
await asyncify.run({ exports: {
  memory, _start() {}, asyncify_get_state: () => 0, asyncify_start_unwind() { unwound++; }, asyncify_stop_unwind() {},
  asyncify_start_rewind() {}, asyncify_stop_rewind() {},
} });
const { sock_recv, sock_send } = makeImports({
  mem, fds, waker, strategy: paced(asyncify, waker), journaled: false, wasi: {}, stdout: 1, stderr: 2, args: ['io-cost'], env: [],
});
const poll_oneoff = makePollOneoff(mem, fds, waker); // created last: it is the one the fd table reports to
const dv = new DataView(memory.buffer);
const READ_MAX = 65536;
const IN = 0, OUT = 48 * (n + 1) + 64, NE = OUT + 32 * (n + 1) + 64, IOV = NE + 64, NREAD = IOV + 16, BUF = 65536;
for (let i = 0; i < n; i++) { const p = IN + i * 48; dv.setBigUint64(p, BigInt(3 + i), true); dv.setUint8(p + 8, 1); dv.setUint32(p + 16, 3 + i, true); }
{ const p = IN + n * 48; dv.setBigUint64(p, 999n, true); dv.setUint8(p + 8, 0); dv.setUint32(p + 16, 1, true); dv.setBigUint64(p + 24, 10_000_000_000n, true); }
const chunk = Buffer.alloc(size, 7);
/** How a read reaches a stream: as a read into the shared buffer (TcpStream.received, the path of accepted sockets
 *  since it exists), or as a 'data' event (older builds, and sockets Node could not give the shared buffer). */
const viaSharedBuffer = typeof TcpStream.prototype.received === 'function';
const deliver = viaSharedBuffer ? (i) => streams[i].received(chunk) : (i) => sockets[i].emit('data', chunk);

/** One batch of turns; returns [ns per message of the turn's synchronous work, of the poll alone]. Each turn ends
 *  with one event-loop turn (as the guest's wait does), left out of the time like the 1-in-32 poll that yields. */
async function batch() {
  let msgs = 0, pollNs = 0, busy = 0;
  for (let t = 0; t < turns; t++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) deliver(i);
    const a = performance.now();
    const r = poll_oneoff(IN, OUT, n + 1, NE);
    if (typeof r !== 'number') { await r; await waker.wait(null, true); continue; }
    const b = performance.now();
    pollNs += b - a;
    const events = dv.getUint32(NE, true);
    for (let e = 0; e < events; e++) {
      const fd = Number(dv.getBigUint64(OUT + e * 32, true));
      if (fd === 999) continue;
      dv.setUint32(IOV, BUF, true);
      dv.setUint32(IOV + 4, READ_MAX, true); // what is there, as a guest with a 64 KiB buffer reads
      const u = unwound;
      if (sock_recv(fd, IOV, 1, 0, NREAD, NREAD + 4) !== 0) throw new Error('recv failed');
      if (unwound !== u) continue;
      dv.setUint32(IOV + 4, dv.getUint32(NREAD, true), true);
      if (sock_send(fd, IOV, 1, 0, NREAD) !== 0) throw new Error('send failed');
      if (unwound === u) msgs += dv.getUint32(NREAD, true) / size; // a read after a yield takes two turns' bytes
    }
    busy += performance.now() - t0;
    await waker.wait(null, true); // the guest's slice starts again (no pacing yield inside the timed part)
  }
  if (msgs < turns * n * 0.9) throw new Error(`echoed ${msgs} messages in ${turns} turns of ${n}`);
  return [(busy * 1e6) / msgs, (pollNs * 1e6) / msgs];
}

let best = [Infinity, Infinity];
for (let b = 0; b < 5; b++) {
  const r = await batch();
  if (r[0] < best[0]) best = r;
}
console.log(`${dist.split('/').slice(-2).join('/')} N=${n} SIZE=${size}: ${best[0].toFixed(0)} ns per message (poll ${best[1].toFixed(0)} ns of it; reads ${viaSharedBuffer ? 'into the shared buffer' : 'as data events'})`);
process.exit(0);

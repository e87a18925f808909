// Real TCP peers on loopback, run by the parent while a guest is fuzzed: clients that keep connecting to the
// guest's listener, and a server the guest may connect to (its only allowed destination besides a closed port).
// Every connection, either side, plays a random short life: send (small to over 256 KiB), stall (stop reading),
// half-close, reset or close, and always ends within MAX_LIFE_MS, so that no blocking call waits forever.
import net from 'node:net';

const MAX_LIFE_MS = 600;
const MAX_LIVE = 4;
const SIZES = [1, 64, 1500, 65536, 300000];

/** Plays one connection's life; `rng` is a Prng. */
function play(sock, rng, live) {
  live.add(sock);
  sock.on('error', () => {});
  sock.on('close', () => live.delete(sock));
  sock.on('data', () => {});
  const deadline = Date.now() + rng.range(50, MAX_LIFE_MS);
  const step = () => {
    if (sock.destroyed) return;
    if (Date.now() >= deadline) {
      if (rng.chance(0.5)) sock.resetAndDestroy();
      else sock.destroy();
      return;
    }
    const r = rng.below(100);
    let wait = rng.range(1, 20);
    if (r < 45) {
      if (sock.writable) sock.write(Buffer.alloc(rng.pick(SIZES), 0x61 + rng.below(26)));
    } else if (r < 70) {
      sock.pause(); // stall: the guest's sends back up
      wait = rng.range(10, 100);
      setTimeout(() => sock.resume(), wait).unref();
    } else if (r < 80) {
      sock.end(); // half-close: the guest sees EOF, may still send
    } else if (r < 85) {
      sock.resetAndDestroy();
      return;
    } else if (r < 88) {
      sock.destroy();
      return;
    }
    setTimeout(step, wait).unref();
  };
  step();
}

/** Peers for one guest. */
export class Peers {
  constructor(rng) {
    this.rng = rng;
    this.live = new Set();
    this.stopped = false;
    this.server = null;
  }

  /** Starts the server the guest may connect to; resolves with {peer, closed} ports (closed: nothing listens). */
  async listen() {
    this.server = net.createServer({ allowHalfOpen: true }, (s) => play(s, this.rng, this.live));
    await new Promise((r) => this.server.listen(0, '127.0.0.1', () => r(null)));
    const probe = net.createServer();
    await new Promise((r) => probe.listen(0, '127.0.0.1', () => r(null)));
    const closed = /** @type {import('node:net').AddressInfo} */ (probe.address()).port;
    await new Promise((r) => probe.close(() => r(null)));
    return { peer: /** @type {import('node:net').AddressInfo} */ (this.server.address()).port, closed };
  }

  /** Keeps up to MAX_LIVE client connections to the guest's listener at `port` until stop(). */
  connectTo(port) {
    const open = () => {
      if (this.stopped) return;
      if (this.live.size >= MAX_LIVE) {
        setTimeout(open, 20).unref();
        return;
      }
      const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      s.on('error', () => {});
      s.once('connect', () => play(s, this.rng, this.live));
      this.live.add(s);
      s.once('close', () => this.live.delete(s));
      setTimeout(open, this.rng.range(5, 80)).unref();
    };
    open();
  }

  /** Ends every connection and the server. */
  stop() {
    this.stopped = true;
    for (const s of this.live) s.destroy();
    this.server?.close();
  }
}

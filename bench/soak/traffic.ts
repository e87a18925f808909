// What every protocol's traffic shares: the context of one host+server pair, the way a connection's life
// ends (close, half-close or reset, chosen at random), and the slots that keep N connections busy until the
// run ends, each opening a new connection when its last one is over.
import { newCounters, unexpected } from './counters.js';
import { bytePool, Rng } from './rng.js';
import { Broken, type SocketContext } from './soak-socket.js';

/** Pause of a slot after an unexpected error. */
const BACKOFF_MS = 200;

/** How a connection's life ends. */
export type Leave = 'close' | 'half-close' | 'reset';

export interface TrafficContext extends SocketContext {
  /** False once the run is over: finish the exchange in flight, then leave. */
  running(): boolean;
  rng: Rng;
  /** Random bytes writes are cut from. */
  binary: Buffer;
  /** Random printable bytes (no newline), for line protocols. */
  text: Buffer;
  maxSize: number;
}

/** The traffic of one protocol: runs `connections` slots until ctx.running() turns false and they have left. */
export type Traffic = (ctx: TrafficContext, connections: number) => Promise<void>;

/** Builds the context of one pair: counters, a seeded random source, byte pools big enough for any write. */
export function makeContext(port: number, label: string, seed: number, maxSize: number, stallMs: number, running: () => boolean): TrafficContext {
  const rng = new Rng(seed);
  const poolSize = Math.max(1 << 20, 2 * maxSize);
  return {
    port, label, stallMs, running, rng, maxSize, counters: newCounters(),
    binary: bytePool(rng, poolSize, false), text: bytePool(rng, poolSize, true),
  };
}

/** Picks how a life ends: mostly a plain close, a half-close or a reset one time in five each. */
export function chooseLeave(rng: Rng): Leave {
  const r = rng.next();
  return r < 0.2 ? 'half-close' : r < 0.4 ? 'reset' : 'close';
}

/** How many exchanges one connection life holds (some connections are short, a few long). */
export function lifeLength(rng: Rng): number {
  return rng.size(64);
}

/** Runs `n` slots, each living one connection after another until the run is over. */
export async function runSlots(ctx: TrafficContext, n: number, life: (rng: Rng, slot: number) => Promise<void>): Promise<void> {
  const slots = Array.from({ length: n }, (_, i) => ({ rng: ctx.rng.fork(), i }));
  await Promise.all(slots.map(async ({ rng, i }) => {
    while (ctx.running()) {
      const before = ctx.counters.unexpectedErrors;
      try {
        await life(rng, i);
      } catch (e) {
        // Broken was counted where it broke; anything else is a bug of ours, still an unexpected error.
        if (!(e instanceof Broken)) unexpected(ctx.counters, `${ctx.label}: ${e instanceof Error ? e.message : String(e)}`);
      }
      // After an error, pause: a server that is gone must not turn the slots into a busy loop of refused connects.
      if (ctx.counters.unexpectedErrors > before) await new Promise((r) => setTimeout(r, BACKOFF_MS));
    }
  }));
}

// kv traffic, RESP spoken directly: pipelined batches of SET key value (binary values, 1 B to --max-size),
// GET (must return exactly the value last set), and DEL then GET (must be gone). Each slot owns a few keys, so
// the store stays bounded and no other connection can change what a GET must return; what a reset connection
// may still send goes to a key nobody reads. Lives end with QUIT (+OK, then EOF), a half-close after a last
// batch (replies, then EOF), or a reset in the middle of a command.
import { ExactBytes } from './byte-checker.js';
import { bulk, command, integer, OK } from './resp.js';
import { slice, type Rng } from './rng.js';
import { SoakSocket } from './soak-socket.js';
import { chooseLeave, lifeLength, runSlots, type Traffic, type TrafficContext } from './traffic.js';

/** Keys per slot: enough to interleave, few enough to keep the store small. */
const KEYS_PER_SLOT = 4;

function ask(ctx: TrafficContext, s: SoakSocket, cmd: Buffer, reply: Buffer): Promise<void> {
  const done = s.expect(new ExactBytes(reply, 'kv reply')).then(() => { ctx.counters.ops++; });
  s.write(cmd);
  return done;
}

function batch(ctx: TrafficContext, rng: Rng, s: SoakSocket, slot: number): Array<Promise<void>> {
  const done: Array<Promise<void>> = [];
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) {
    const key = `soak:${slot}:${rng.int(0, KEYS_PER_SLOT - 1)}`;
    const value = slice(rng, ctx.binary, rng.size(ctx.maxSize));
    done.push(ask(ctx, s, command('SET', key, value), OK));
    done.push(ask(ctx, s, command('GET', key), bulk(value)));
    if (rng.chance(0.1)) {
      done.push(ask(ctx, s, command('DEL', key), integer(1)));
      done.push(ask(ctx, s, command('GET', key), bulk(null)));
    }
  }
  return done;
}

async function life(ctx: TrafficContext, rng: Rng, slot: number): Promise<void> {
  const s = await SoakSocket.connect(ctx);
  const n = lifeLength(rng);
  for (let i = 0; i < n && ctx.running(); i++) await Promise.all(batch(ctx, rng, s, slot));
  switch (chooseLeave(rng)) {
    case 'close': {
      const end = s.eof();
      await Promise.all([ask(ctx, s, command('QUIT'), OK), end]);
      s.close();
      break;
    }
    case 'half-close': {
      const last = batch(ctx, rng, s, slot);
      await Promise.all([s.halfClose(), ...last]);
      s.close();
      break;
    }
    case 'reset': {
      const cmd = command('SET', `soak:${slot}:unread`, slice(rng, ctx.binary, rng.size(ctx.maxSize)));
      s.write(cmd.subarray(0, rng.int(1, cmd.length)));
      if (rng.chance(0.5)) await new Promise((r) => setImmediate(r));
      s.reset();
      break;
    }
  }
}

/** kv traffic over `connections` slots. */
export const kvTraffic: Traffic = (ctx, connections) => runSlots(ctx, connections, (rng, slot) => life(ctx, rng, slot));

// Echo traffic: each connection writes bursts of 1 to 4 random binary writes (1 B to --max-size each) and checks
// that exactly those bytes come back, in order. Lives end with a close once idle, a half-close after a last
// burst (every byte must still come back, then EOF), or a reset in the middle of a burst.
import { ExactBytes } from './byte-checker.js';
import { slice, type Rng } from './rng.js';
import { SoakSocket } from './soak-socket.js';
import { chooseLeave, lifeLength, runSlots, type Traffic, type TrafficContext } from './traffic.js';

function burst(ctx: TrafficContext, rng: Rng, s: SoakSocket): Array<Promise<void>> {
  const n = rng.int(1, 4);
  const done: Array<Promise<void>> = [];
  for (let i = 0; i < n; i++) {
    const data = slice(rng, ctx.binary, rng.size(ctx.maxSize));
    done.push(s.expect(new ExactBytes(data, 'echo')).then(() => { ctx.counters.ops++; }));
    s.write(data);
  }
  return done;
}

async function life(ctx: TrafficContext, rng: Rng): Promise<void> {
  const s = await SoakSocket.connect(ctx);
  const n = lifeLength(rng);
  for (let i = 0; i < n && ctx.running(); i++) await Promise.all(burst(ctx, rng, s));
  switch (chooseLeave(rng)) {
    case 'close': s.close(); break;
    case 'half-close': {
      const last = burst(ctx, rng, s);
      await Promise.all([s.halfClose(), ...last]);
      s.close();
      break;
    }
    case 'reset': {
      const last = burst(ctx, rng, s);
      for (const p of last) p.catch(() => {}); // the reset breaks them on purpose
      if (rng.chance(0.5)) await new Promise((r) => setImmediate(r));
      s.reset();
      break;
    }
  }
}

/** Echo traffic over `connections` slots. */
export const echoTraffic: Traffic = (ctx, connections) => runSlots(ctx, connections, (rng) => life(ctx, rng));

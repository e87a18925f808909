// HTTP traffic: pipelined batches of GET, HEAD and POST requests (POST bodies of 1 B to --max-size, read and
// discarded by the server), every response checked to be well-formed and complete. Lives end with a request
// carrying "Connection: close" (its response says close, then EOF), a half-close after a last batch (every
// response, then EOF), or a reset in the middle of a request.
import { HttpResponse } from './http-response.js';
import { slice, type Rng } from './rng.js';
import { SoakSocket } from './soak-socket.js';
import { chooseLeave, lifeLength, runSlots, type Traffic, type TrafficContext } from './traffic.js';

type Method = 'GET' | 'HEAD' | 'POST';

function request(ctx: TrafficContext, rng: Rng, method: Method, close: boolean): Buffer {
  const body = method === 'POST' ? slice(rng, ctx.binary, rng.size(ctx.maxSize)) : Buffer.alloc(0);
  const head = `${method} /soak/${rng.int(0, 1e6)} HTTP/1.1\r\nHost: soak\r\nUser-Agent: wasmux-soak\r\n` +
    (method === 'POST' ? `Content-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n` : '') +
    (close ? 'Connection: close\r\n' : '') + '\r\n';
  return Buffer.concat([Buffer.from(head), body]);
}

function pickMethod(rng: Rng): Method {
  const r = rng.next();
  return r < 0.5 ? 'GET' : r < 0.65 ? 'HEAD' : 'POST';
}

function send(ctx: TrafficContext, rng: Rng, s: SoakSocket, close: boolean): Promise<void> {
  const method = pickMethod(rng);
  const done = s.expect(new HttpResponse(method === 'HEAD', !close)).then(() => { ctx.counters.ops++; });
  s.write(request(ctx, rng, method, close));
  return done;
}

function batch(ctx: TrafficContext, rng: Rng, s: SoakSocket): Array<Promise<void>> {
  return Array.from({ length: rng.int(1, 4) }, () => send(ctx, rng, s, false));
}

async function life(ctx: TrafficContext, rng: Rng): Promise<void> {
  const s = await SoakSocket.connect(ctx);
  const n = lifeLength(rng);
  for (let i = 0; i < n && ctx.running(); i++) await Promise.all(batch(ctx, rng, s));
  switch (chooseLeave(rng)) {
    case 'close': {
      const end = s.eof();
      await Promise.all([send(ctx, rng, s, true), end]);
      s.close();
      break;
    }
    case 'half-close': {
      const last = batch(ctx, rng, s);
      await Promise.all([s.halfClose(), ...last]);
      s.close();
      break;
    }
    case 'reset': {
      const req = request(ctx, rng, 'POST', false);
      s.write(req.subarray(0, rng.int(1, req.length - 1)));
      if (rng.chance(0.5)) await new Promise((r) => setImmediate(r));
      s.reset();
      break;
    }
  }
}

/** HTTP traffic over `connections` slots. */
export const httpTraffic: Traffic = (ctx, connections) => runSlots(ctx, connections, (rng, _slot) => life(ctx, rng));

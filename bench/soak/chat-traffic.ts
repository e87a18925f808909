// Chat traffic: every connection says hello (a short line), then sends lines of 1 B to --max-size (cut by the
// server into pieces, each relayed on its own) and waits until each reached every member that must receive it
// (see chat-room.ts). Every piece any member receives is checked byte for byte. Lives end with a close, a
// half-close after a last line left unfinished (the server ends it with a newline; it must still reach
// everyone), or a reset in the middle of a line.
import { ChatReader, MAX_LINE, MIN_PIECE, piece, pieceLengths } from './chat-wire.js';
import { Room, type Member } from './chat-room.js';
import type { Rng } from './rng.js';
import { Broken, SoakSocket, type Consumer } from './soak-socket.js';
import { chooseLeave, lifeLength, runSlots, type Traffic, type TrafficContext } from './traffic.js';

/** Feeds a member's arrivals to the room; a message cut short counts as missing while the member is counted on. */
class MemberConsumer implements Consumer {
  private readonly reader: ChatReader;
  constructor(private readonly room: Room, private readonly member: Member) {
    this.reader = new ChatReader((serverId, payload) => room.receive(member, serverId, payload));
  }
  feed(data: Buffer): void { this.reader.feed(data); }
  get missing(): number { return this.member.receiving && this.reader.midMessage ? 1 : 0; }
  abandon(): number { return this.missing; }
  gone(): void { this.room.gone(this.member); }
}

/**
 * Sends a line of about `total` bytes; `complete` false leaves it unfinished (no newline), for a half-close.
 * `sendBytes` below the line's size writes only that much of it (before a reset). Returns its pieces' seqs.
 */
function sendLine(ctx: TrafficContext, m: Member, s: SoakSocket, total: number, complete: boolean, sendBytes = Infinity): [number, number] {
  const lens = pieceLengths(total);
  const first = m.sentSeq;
  const last = lens.length - 1;
  let bytes = Buffer.concat(lens.map((len, i) => piece(ctx.text, m.id, first + i, len, complete && i === last)));
  if (!complete && lens[last] < MAX_LINE) bytes = bytes.subarray(0, bytes.length - 1); // the server adds it
  m.pieceLens.push(...lens);
  m.sentSeq += lens.length;
  s.write(bytes.subarray(0, Math.min(bytes.length, sendBytes)));
  return [first, first + last];
}

async function life(ctx: TrafficContext, room: Room, rng: Rng): Promise<void> {
  const m = room.join();
  let s: SoakSocket;
  try {
    s = await SoakSocket.connect(ctx, new MemberConsumer(room, m));
  } catch (e) {
    room.gone(m);
    throw e;
  }
  sendLine(ctx, m, s, rng.int(MIN_PIECE, 120), true); // hello
  const n = lifeLength(rng);
  for (let i = 0; i < n && ctx.running() && s.isOpen; i++) {
    await room.token();
    try {
      const [a, b] = sendLine(ctx, m, s, rng.size(ctx.maxSize), true);
      await room.delivered(m, a, b);
    } finally {
      room.release();
    }
  }
  if (!s.isOpen) throw new Broken('gone');
  switch (chooseLeave(rng)) {
    case 'close':
      room.leave(m, 'close');
      s.close();
      break;
    case 'half-close': {
      await room.token();
      try {
        const [a, b] = sendLine(ctx, m, s, rng.size(ctx.maxSize), false);
        room.leave(m, 'half-close');
        await Promise.all([s.halfClose(), room.delivered(m, a, b)]);
      } finally {
        room.release();
      }
      s.close();
      break;
    }
    case 'reset': {
      room.leave(m, 'reset');
      const total = Math.max(MIN_PIECE, rng.size(Math.min(ctx.maxSize, MAX_LINE)));
      sendLine(ctx, m, s, total, true, rng.int(MIN_PIECE, total)); // never cut inside the tag
      if (rng.chance(0.5)) await new Promise((r) => setImmediate(r));
      s.reset();
      break;
    }
  }
}

/** Chat traffic over `connections` slots, all in one room. */
export const chatTraffic: Traffic = (ctx, connections) => {
  const room = new Room(ctx);
  return runSlots(ctx, connections, (rng) => life(ctx, room, rng));
};

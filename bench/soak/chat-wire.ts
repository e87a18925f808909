// The chat traffic's wire format. The chat example relays each line as "[N] " + line, cutting lines longer than
// its bound into pieces of exactly that many bytes, each relayed on its own. So every piece we send starts with
// its own tag "#sender.seq.len:" followed by filler that is a function of (sender, seq): a receiver can check
// each piece it gets byte for byte, with no copy of what was sent, and tell a gap or a repeat by its seq.
import { CheckError, describe } from './byte-checker.js';

/** The chat server's line bound: longer lines are relayed in pieces of exactly this many bytes. */
export const MAX_LINE = 8192;
/** The smallest piece: room for the longest tag and a byte of filler. */
export const MIN_PIECE = 40;
const NEWLINE = 0x0a;

/** The tag a piece starts with. */
function tag(sender: number, seq: number, len: number): string { return `#${sender}.${seq}.${len}:`; }

/** Lengths (as received) of the pieces of a line of about `total` bytes; each is MAX_LINE or holds a tag. */
export function pieceLengths(total: number): number[] {
  const lens: number[] = [];
  let left = Math.max(total, MIN_PIECE);
  while (left >= MAX_LINE) { lens.push(MAX_LINE); left -= MAX_LINE; }
  if (left > 0) lens.push(Math.max(left, MIN_PIECE));
  return lens;
}

/**
 * One piece exactly as a receiver gets it (without the "[N] " prefix): tag, filler, and a newline when it ends
 * its line or is shorter than MAX_LINE (a short piece always ends a line: the server adds the newline of a
 * line cut short by a half-close).
 */
export function piece(text: Buffer, sender: number, seq: number, len: number, endsLine: boolean): Buffer {
  const newline = endsLine || len < MAX_LINE;
  const t = Buffer.from(tag(sender, seq, len));
  const fill = len - t.length - (newline ? 1 : 0);
  const at = ((sender * 2654435761 + seq * 40503) >>> 0) % (text.length - MAX_LINE);
  const parts = [t, text.subarray(at, at + fill)];
  if (newline) parts.push(Buffer.from([NEWLINE]));
  return Buffer.concat(parts);
}

/** A received piece, identified by its tag; `truncated` when it is a cut-short piece `cutShort` allowed. */
export interface Piece { sender: number; seq: number; payload: Buffer; truncated: boolean }

/**
 * Reads a piece's tag and checks the piece byte for byte; throws CheckError when anything differs. A piece cut
 * short and ended with a newline is accepted only when `cutShort(sender)` says its sender may do that (it closed
 * or reset with bytes in flight): a connection reset with unread data is an EOF to the server on Linux, and the
 * chat server ends a line at EOF.
 */
export function checkPiece(text: Buffer, payload: Buffer, cutShort: (sender: number) => boolean): Piece {
  const m = /^#(\d+)\.(\d+)\.(\d+):/.exec(payload.subarray(0, MIN_PIECE).toString('latin1'));
  if (!m) throw new CheckError(`chat piece without a tag: ${describe(payload.subarray(0, 24))}`, payload.length);
  const [sender, seq, len] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const endsLine = payload[payload.length - 1] === NEWLINE;
  if (len !== payload.length) {
    let why = endsLine ? 'its sender neither closed nor reset' : 'it does not end a line';
    if (len > payload.length && endsLine && cutShort(sender)) {
      const want = piece(text, sender, seq, len, true).subarray(0, payload.length - 1);
      const at = firstDifference(want, payload);
      if (at < 0) return { sender, seq, payload, truncated: true };
      why = `cut short, but it differs from what was sent at byte ${at}`;
    } else if (len < payload.length) {
      why = 'longer than sent';
    }
    throw new CheckError(`chat piece #${sender}.${seq} is ${payload.length} bytes, its tag says ${len} (${why})`, payload.length);
  }
  const want = piece(text, sender, seq, len, endsLine);
  if (!want.equals(payload)) throw new CheckError(`chat piece #${sender}.${seq} differs from what was sent`, payload.length);
  return { sender, seq, payload, truncated: false };
}

/** The first offset where `got` differs from `want` (over want's length), or -1 when got starts with want. */
function firstDifference(want: Buffer, got: Buffer): number {
  for (let i = 0; i < want.length; i++) if (want[i] !== got[i]) return i;
  return -1;
}

enum Part { PREFIX, PAYLOAD }

/** Splits a receiver's stream into "[N] payload" messages, whatever the split of the arrivals. */
export class ChatReader {
  private part = Part.PREFIX;
  private prefix = '';
  private payload: Buffer[] = [];
  private payloadLen = 0;
  private serverId = 0;

  constructor(private readonly onMessage: (serverId: number, payload: Buffer) => void) {}

  /** Reads what arrived; throws CheckError on a malformed prefix. */
  feed(data: Buffer): void {
    let at = 0;
    while (at < data.length) {
      if (this.part === Part.PREFIX) {
        const c = data[at++];
        this.prefix += String.fromCharCode(c);
        if (this.prefix.length === 1 && c !== 0x5b) throw new CheckError(`chat message starts with ${describe(data.subarray(at - 1, at + 15))}, not "["`, data.length - at + 1);
        if (c !== 0x20) {
          if (this.prefix.length > 16) throw new CheckError(`chat prefix ${JSON.stringify(this.prefix)} too long`, this.prefix.length);
          continue;
        }
        const m = /^\[(\d+)\] $/.exec(this.prefix);
        if (!m) throw new CheckError(`malformed chat prefix ${JSON.stringify(this.prefix)}`, this.prefix.length);
        this.serverId = Number(m[1]);
        this.prefix = '';
        this.part = Part.PAYLOAD;
        continue;
      }
      const room = MAX_LINE - this.payloadLen;
      const nl = data.indexOf(NEWLINE, at);
      const end = nl >= 0 && nl - at < room ? nl + 1 : Math.min(data.length, at + room);
      this.payload.push(data.subarray(at, end));
      this.payloadLen += end - at;
      at = end;
      if (data[end - 1] === NEWLINE || this.payloadLen === MAX_LINE) {
        const payload = Buffer.concat(this.payload);
        this.payload = [];
        this.payloadLen = 0;
        this.part = Part.PREFIX;
        this.onMessage(this.serverId, payload);
      }
    }
  }

  /** A message has begun and not ended. */
  get midMessage(): boolean { return this.part === Part.PAYLOAD || this.prefix.length > 0; }
}

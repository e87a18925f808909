// The chat room as the soak sees it: which pieces each member sent, which it received from whom, and which it
// must receive. A member must receive every piece of a sender from the moment one of them saw the other's hello
// (the first line of every connection): the server had both in its client list by then. Before that (a member
// still joining) pieces may or may not arrive, but those that do must continue without gaps or repeats. A
// sender waits until its line reached every member that must receive it; after --stall the missing bytes are
// lost. At most two lines are in flight at once, so no member's backlog nears the server's drop bound.
import { CheckError } from './byte-checker.js';
import { checkPiece } from './chat-wire.js';
import { unexpected } from './counters.js';
import type { Leave, TrafficContext } from './traffic.js';

/** Lines in flight at once in one room. */
const LINES_IN_FLIGHT = 2;

interface Waiter { first: number; last: number; resolve: () => void; timer: NodeJS.Timeout }

/** One connection of the room, as sender and as receiver. */
export class Member {
  /** Still a receiver the room counts on (false once it half-closes, closes, resets or breaks). */
  receiving = true;
  /**
   * Left by a close or a reset: a line of its own still in flight may reach the others cut short. A close counts
   * too: the others' lines keep arriving, and Linux answers a close with unread data by a reset, which drops what
   * was not sent yet; the server then reads EOF in the middle of the line.
   */
  mayBeCutShort = false;
  /** Pieces sent so far (the next piece's seq). */
  sentSeq = 0;
  /** Length of each piece sent, by seq. */
  readonly pieceLens: number[] = [];
  /** The number the server relays this member's lines under ("[N] "). */
  serverId: number | null = null;
  /** Per sender: the last seq received from it. */
  readonly cursors = new Map<number, number>();
  /** Per sender: the first seq this member must receive from it (Infinity: no longer counted on). */
  readonly must = new Map<number, number>();
  waiter: Waiter | null = null;
  constructor(readonly id: number) {}
}

export class Room {
  private readonly members = new Map<number, Member>();
  private readonly receivers = new Set<Member>();
  private readonly waiting = new Set<Member>();
  private nextId = 1;
  private inFlight = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly ctx: TrafficContext) {}

  /** A new member (its connection is being opened). */
  join(): Member {
    const m = new Member(this.nextId++);
    this.members.set(m.id, m);
    this.receivers.add(m);
    return m;
  }

  /** A piece arrived at `to`, relayed under `serverId`. Throws CheckError on wrong bytes or a repeat. */
  receive(to: Member, serverId: number, payload: Buffer): void {
    const p = checkPiece(this.ctx.text, payload, (sender) => this.members.get(sender)?.mayBeCutShort === true);
    if (p.truncated) this.ctx.counters.expectedErrors++;
    this.ctx.counters.bytesChecked += payload.length;
    const from = this.members.get(p.sender);
    if (!from || p.seq >= from.sentSeq) throw new CheckError(`chat piece #${p.sender}.${p.seq} was never sent`, payload.length);
    if (from === to) throw new CheckError(`chat piece #${p.sender}.${p.seq} came back to its sender`, payload.length);
    from.serverId ??= serverId;
    if (from.serverId !== serverId) throw new CheckError(`chat sender relayed as [${serverId}], earlier as [${from.serverId}]`, payload.length);
    this.ctx.counters.ops++;
    const prev = to.cursors.get(from.id);
    if (prev !== undefined && p.seq <= prev) throw new CheckError(`chat piece #${from.id}.${p.seq} came after #${from.id}.${prev}`, payload.length);
    const expectedFrom = prev !== undefined ? prev + 1 : to.must.get(from.id) ?? p.seq;
    if (to.receiving && p.seq > expectedFrom) this.lost(to, from, expectedFrom, p.seq - 1, 'skipped');
    to.cursors.set(from.id, p.seq);
    if (p.seq === 0) {
      // Each saw the other registered: from now on both receive each other's lines.
      if (!to.must.has(from.id)) to.must.set(from.id, 0);
      if (from.receiving && !from.must.has(to.id)) from.must.set(to.id, to.sentSeq);
    }
    this.recheck(from);
  }

  /** `m` leaves `how`: it is no longer counted on as a receiver, and after a close or a reset its line may be cut. */
  leave(m: Member, how: Leave): void {
    if (how !== 'half-close') m.mayBeCutShort = true;
    this.stopReceiving(m);
  }

  /** `m` is no longer counted on as a receiver (it is leaving). */
  stopReceiving(m: Member): void {
    if (!m.receiving) return;
    m.receiving = false;
    this.receivers.delete(m);
    for (const w of [...this.waiting]) this.recheck(w);
  }

  /** `m`'s connection is over: it receives nothing more, and a line of its own still in flight is void. */
  gone(m: Member): void {
    this.stopReceiving(m);
    if (m.waiter) this.finish(m);
    m.cursors.clear();
    m.must.clear();
  }

  /** Waits for a turn to send a line (LINES_IN_FLIGHT at once); pair with release(). */
  token(): Promise<void> {
    if (this.inFlight < LINES_IN_FLIGHT) { this.inFlight++; return Promise.resolve(); }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  release(): void {
    const next = this.queue.shift();
    if (next) next(); else this.inFlight--;
  }

  /** Resolves once pieces first..last of `from` reached every member that must receive them, or --stall passed. */
  delivered(from: Member, first: number, last: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.timeout(from), this.ctx.stallMs);
      from.waiter = { first, last, resolve, timer };
      this.waiting.add(from);
      this.recheck(from);
    });
  }

  private lagging(from: Member, w: Waiter): Member[] {
    const out: Member[] = [];
    for (const m of this.receivers) {
      if (m === from) continue;
      const must = m.must.get(from.id);
      if (must === undefined || must > w.first) continue;
      if ((m.cursors.get(from.id) ?? -1) < w.last) out.push(m);
    }
    return out;
  }

  private recheck(from: Member): void {
    const w = from.waiter;
    if (w && this.lagging(from, w).length === 0) this.finish(from);
  }

  private finish(from: Member): void {
    const w = from.waiter!;
    clearTimeout(w.timer);
    from.waiter = null;
    this.waiting.delete(from);
    w.resolve();
  }

  private timeout(from: Member): void {
    const w = from.waiter;
    if (!w) return;
    for (const m of this.lagging(from, w)) {
      const start = Math.max((m.cursors.get(from.id) ?? -1) + 1, m.must.get(from.id) ?? 0);
      this.lost(m, from, start, w.last, `not delivered in ${this.ctx.stallMs} ms`);
      m.must.set(from.id, Infinity); // counted once: not counted on for this sender again
    }
    this.finish(from);
  }

  private lost(to: Member, from: Member, a: number, b: number, why: string): void {
    let bytes = 0;
    for (let s = a; s <= b; s++) bytes += from.pieceLens[s] ?? 0;
    this.ctx.counters.bytesLost += bytes;
    unexpected(this.ctx.counters, `${this.ctx.label}: chat pieces #${from.id}.${a}..${b} for member ${to.id} ${why} (${bytes} bytes)`);
  }
}

// One client connection of the soak. It feeds what arrives to a consumer (a ByteChecker, or the chat reader),
// watches for stalls, and ends in exactly one way, counted once: closed or half-closed by us, reset by us
// (its bytes in flight are forgiven), or broken (server EOF or error while bytes were expected, a stall, a
// mismatch), which is an unexpected error with its missing bytes counted lost.
import { createConnection, type Socket } from 'node:net';
import { ByteChecker, CheckError, type Expectation } from './byte-checker.js';
import { unexpected, type Counters } from './counters.js';

/** Thrown to the connection's owner once it is broken or reset; already counted, just stop using it. */
export class Broken extends Error {}

/** The life of a connection. Transitions happen only in `settle` (to a final state) and `halfClose`. */
enum State { OPEN, HALF_CLOSED, CLOSED, RESET, BROKEN }

/** Turns raw arrivals into checks; throws CheckError on bytes that are wrong. */
export interface Consumer {
  feed(data: Buffer): void;
  /** Bytes still expected (lost if the connection breaks now). */
  readonly missing: number;
  /** Forgets what is expected; returns the bytes it still missed. */
  abandon(): number;
  /** The connection reached its final state. */
  gone?(): void;
}

export interface SocketContext {
  port: number;
  counters: Counters;
  stallMs: number;
  label: string;
}

export class SoakSocket {
  private state = State.OPEN;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private endWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private gotEof = false;
  private stall: NodeJS.Timeout | null = null;
  private readonly checker: ByteChecker;
  private consumer: Consumer;

  private constructor(private readonly sock: Socket, private readonly ctx: SocketContext, consumer?: Consumer) {
    this.checker = new ByteChecker((n) => { ctx.counters.bytesChecked += n; });
    this.consumer = consumer ?? this.checker;
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('end', () => this.onEof());
    sock.on('error', (e: NodeJS.ErrnoException) => this.fail(`${e.code ?? e.message}`));
    sock.on('close', () => {
      if (this.gotEof && this.consumer.missing === 0) this.settle(State.CLOSED, 'closed');
      else this.fail('closed without EOF');
    });
  }

  /** Connects (counted); rejects with Broken (counted as unexpected) when the server does not answer in time. */
  static connect(ctx: SocketContext, consumer?: Consumer): Promise<SoakSocket> {
    return new Promise((resolve, reject) => {
      const sock = createConnection({ host: '127.0.0.1', port: ctx.port, noDelay: true });
      const timer = setTimeout(() => sock.destroy(new Error(`connect timed out after ${ctx.stallMs} ms`)), ctx.stallMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        ctx.counters.connects++;
        resolve(new SoakSocket(sock, ctx, consumer));
      });
      sock.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        unexpected(ctx.counters, `${ctx.label}: connect failed: ${e.code ?? e.message}`);
        reject(new Broken(e.message));
      });
    });
  }

  get isOpen(): boolean { return this.state === State.OPEN; }

  /** Writes bytes (counted as sent); a no-op once the connection has ended. */
  write(data: Buffer): void {
    if (this.state !== State.OPEN) return;
    this.ctx.counters.bytesSent += data.length;
    this.sock.write(data);
    this.armStall();
  }

  /** Queues an expectation and resolves once it is met; rejects with Broken if the connection breaks first. */
  expect(e: Expectation): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.state === State.BROKEN || this.state === State.RESET || this.state === State.CLOSED) { reject(new Broken('gone')); return; }
      const w = { resolve, reject };
      this.waiters.push(w);
      this.checker.expect(e, () => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        resolve();
      });
      this.armStall();
    });
  }

  /** Arms the stall watch while something is awaited (an expectation or EOF); disarms it otherwise. */
  private armStall(): void {
    const waiting = this.consumer.missing > 0 || this.endWaiters.length > 0 || this.waiters.length > 0;
    if (!waiting || this.state === State.CLOSED || this.state === State.RESET || this.state === State.BROKEN) {
      if (this.stall) { clearTimeout(this.stall); this.stall = null; }
      return;
    }
    if (this.stall) this.stall.refresh();
    else this.stall = setTimeout(() => this.fail(`stalled: nothing for ${this.ctx.stallMs} ms`), this.ctx.stallMs);
  }

  /** Half-closes (our side stops writing; counted); resolves at the server's EOF, once nothing is expected. */
  halfClose(): Promise<void> {
    if (this.state === State.OPEN) {
      this.state = State.HALF_CLOSED;
      this.ctx.counters.halfCloses++;
      this.sock.end();
    }
    return this.eof();
  }

  /**
   * Declares that the server will close and resolves at its EOF; rejects with Broken if the connection breaks
   * first. Call it before the request that makes the server close: an EOF nobody declared is an error.
   */
  eof(): Promise<void> {
    if (this.gotEof) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => {
      if (this.state === State.BROKEN || this.state === State.RESET || this.state === State.CLOSED) { reject(new Broken('gone')); return; }
      this.endWaiters.push({ resolve, reject });
      this.armStall();
    });
    p.catch(() => {}); // the owner may be awaiting something else when it breaks: never an unhandled rejection
    return p;
  }

  /** Closes both sides (counted as a close). Bytes still expected are lost: close only once idle. */
  close(): void { this.settle(State.CLOSED, 'closed by us'); }

  /** Resets (RST; counted); bytes still in flight are forgiven as one expected error. */
  reset(): void { this.settle(State.RESET, 'reset by us'); }

  /** Breaks the connection as an unexpected error (used by checks above the byte level). */
  fail(reason: string): void { this.settle(State.BROKEN, reason); }

  private onData(d: Buffer): void {
    if (this.state === State.BROKEN || this.state === State.RESET || this.state === State.CLOSED) return;
    try {
      this.consumer.feed(d);
    } catch (e) {
      if (!(e instanceof CheckError)) throw e;
      this.ctx.counters.bytesWrong += Math.max(1, e.wrongBytes);
      this.fail(e.message);
      return;
    }
    this.armStall();
  }

  private onEof(): void {
    this.gotEof = true;
    if (this.consumer.missing > 0) { this.fail('the server closed the connection while bytes were expected'); return; }
    if (this.endWaiters.length === 0 && this.state === State.OPEN) { this.fail('the server closed the connection unasked'); return; }
    const ws = this.endWaiters;
    this.endWaiters = [];
    for (const w of ws) w.resolve();
    this.armStall();
  }

  /** The one place a connection reaches a final state; counts it and wakes everyone waiting. */
  private settle(to: State.CLOSED | State.RESET | State.BROKEN, reason: string): void {
    if (this.state === State.CLOSED || this.state === State.RESET || this.state === State.BROKEN) return;
    const counters = this.ctx.counters;
    const missing = this.consumer.abandon();
    if (to === State.BROKEN) {
      counters.bytesLost += missing;
      unexpected(counters, `${this.ctx.label}: ${reason}${missing ? ` (${missing} bytes still expected)` : ''}`);
    } else if (to === State.RESET) {
      counters.resets++;
      if (missing > 0) counters.expectedErrors++;
    } else {
      counters.closes++;
      if (missing > 0) { counters.bytesLost += missing; unexpected(counters, `${this.ctx.label}: closed with ${missing} bytes still expected`); }
    }
    this.state = to;
    if (this.stall) { clearTimeout(this.stall); this.stall = null; }
    if (to === State.RESET) this.sock.resetAndDestroy();
    else this.sock.destroy();
    this.consumer.gone?.();
    const gone = new Broken(reason);
    for (const w of [...this.waiters, ...this.endWaiters]) w.reject(gone);
    this.waiters = [];
    this.endWaiters = [];
  }
}

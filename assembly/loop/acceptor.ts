import { Errno, errnoName } from "../wasi/errno";
import { logLine } from "../wasi/stderr";
import { Listener } from "../net/listener";
import { Watcher } from "./watcher";
import { ServerHandler } from "./handlers";
import { Connection } from "./connection";
import { EventLoop } from "./event-loop";
import { TimerCallback } from "./timers";
import { EVENT_READ } from "../select/selector";

/** Connections accepted per wakeup before the loop serves the ones it has (fairness under a flood). */
const ACCEPT_BUDGET: i32 = 64;
/** Pause after accept ran out of fds or memory, doubled while it keeps failing (the listener stays readable). */
const FIRST_BACKOFF_MS: i64 = 10;
const MAX_BACKOFF_MS: i64 = 1000;

/** Starts accepting again after a backoff. */
class ResumeAccepting extends TimerCallback {
  constructor(private acceptor: Acceptor) { super(); }
  fire(id: i32): void { this.acceptor.resume(); }
}

/** Watches a listener and turns each accepted stream into a Connection with the server's handler. */
export class Acceptor extends Watcher {
  /** The current pause after running out of fds (0: accepting normally). */
  private backoffMs: i64 = 0;
  private resumeTimer: i32 = 0;

  constructor(public readonly loop: EventLoop, public readonly listener: Listener, public readonly server: ServerHandler) { super(); }

  onReadable(): void {
    for (let i = 0; i < ACCEPT_BUDGET && !this.finished; i++) {
      const stream = this.listener.accept();
      if (stream == null) {
        const err = this.listener.lastErrno;
        if (err == Errno.AGAIN) return;
        this.onAcceptError(err);
        return;
      }
      this.backoffMs = 0;
      const conn = new Connection(this.loop, stream);
      this.loop.connectionOpened(conn);
      const handler = this.server.onConnect(conn);
      if (handler == null) { conn.close(0); continue; }
      conn.handler = handler;
      conn.start();
    }
  }

  onError(errno: u16): void { this.onAcceptError(errno); }

  /** @internal the backoff timer fired: watch the listener again. */
  resume(): void {
    this.resumeTimer = 0;
    if (!this.finished) this.loop.selector.register(this.listener.fd, EVENT_READ, this);
  }

  private onAcceptError(errno: u16): void {
    this.server.onAcceptError(errno);
    if (errno == Errno.MFILE || errno == Errno.NFILE || errno == Errno.NOBUFS || errno == Errno.NOMEM) {
      // The pending connection stays queued and the listener readable: polling it again at once
      // would spin until an fd frees up, so stop watching it for a while (as servers do on EMFILE).
      if (this.resumeTimer != 0) return;
      this.backoffMs = this.backoffMs == 0 ? FIRST_BACKOFF_MS : min(this.backoffMs * 2, MAX_BACKOFF_MS);
      this.loop.selector.unregister(this.listener.fd);
      this.resumeTimer = this.loop.setTimeout(this.backoffMs, new ResumeAccepting(this));
      return;
    }
    if (errno == Errno.BADF || errno == Errno.NOTSOCK || errno == Errno.INVAL) {
      // The listener itself is gone: stop watching it rather than spin on it.
      logLine("wasmux: listener fd " + this.listener.fd.toString() + " failed (" + errnoName(errno) + "), no longer accepting");
      this.finished = true;
      this.loop.selector.unregister(this.listener.fd);
    }
  }
}

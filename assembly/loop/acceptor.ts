import { Errno, errnoName } from "../wasi/errno";
import { logLine } from "../wasi/stderr";
import { Listener } from "../net/listener";
import { Watcher } from "./watcher";
import { ServerHandler } from "./handlers";
import { Connection } from "./connection";
import { EventLoop } from "./event-loop";

/** Connections accepted per wakeup before the loop serves the ones it has (fairness under a flood). */
const ACCEPT_BUDGET: i32 = 64;

/** Watches a listener and turns each accepted stream into a Connection with the server's handler. */
export class Acceptor extends Watcher {
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
      const conn = new Connection(this.loop, stream);
      this.loop.connectionOpened(conn);
      const handler = this.server.onConnect(conn);
      if (handler == null) { conn.close(0); continue; }
      conn.handler = handler;
      conn.start();
    }
  }

  onError(errno: u16): void { this.onAcceptError(errno); }

  private onAcceptError(errno: u16): void {
    this.server.onAcceptError(errno);
    if (errno == Errno.BADF || errno == Errno.NOTSOCK || errno == Errno.INVAL) {
      // The listener itself is gone: stop watching it rather than spin on it.
      logLine("wasmux: listener fd " + this.listener.fd.toString() + " failed (" + errnoName(errno) + "), no longer accepting");
      this.finished = true;
      this.loop.selector.unregister(this.listener.fd);
    }
  }
}

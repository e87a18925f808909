// A pre-opened TCP listener: a Node net.Server whose incoming connections wait in a queue until the guest accepts
// them (pauseOnConnect, so no data is read before the guest owns the socket).
import net from 'node:net';
import { acceptIntoSharedBuffer } from './shared-read-buffer.js';
import { Watchable } from './watchable.js';

/** Connections beyond this many un-accepted ones are refused (dropped), bounding memory under a flood. */
const MAX_PENDING = 4096;

/** A pre-opened listener: Node accepts, the guest takes connections from its bounded queue. */
export class TcpListener extends Watchable {
  /** NONBLOCK fdflag of the listener itself; listeners start non-blocking, like wasmtime's. */
  nonblock = true;
  private pending: net.Socket[] = [];
  /** True when accepted sockets read into the host's shared buffer (shared-read-buffer.ts); false on a Node
   *  whose server handle does not allow it, where they read through Node's 'data' events. */
  sharedBufferReads = false;
  private closed = false;

  private constructor(readonly server: net.Server, readonly host: string, readonly port: number) {
    super();
    server.on('connection', (s) => this.onConnection(s));
    server.on('error', () => this.changed());
  }

  /** Binds and listens; rejects with the Node error (EADDRINUSE, EADDRNOTAVAIL, ...) when that fails. */
  static open(host: string, port: number): Promise<TcpListener> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', onError);
        const addr = server.address() as net.AddressInfo;
        const listener = new TcpListener(server, addr.address, addr.port);
        listener.sharedBufferReads = acceptIntoSharedBuffer(server, true, (s) => listener.onConnection(s));
        resolve(listener);
      });
    });
  }

  private onConnection(s: net.Socket): void {
    if (this.closed || this.pending.length >= MAX_PENDING) {
      s.destroy();
      return;
    }
    // An error before accept (peer reset) must not crash the process; the stream reports it after accept.
    const onErr = () => {};
    s.on('error', onErr);
    (s as net.Socket & { __preAcceptErr?: () => void }).__preAcceptErr = onErr;
    this.pending.push(s);
    this.changed();
  }

  /** Number of connections waiting to be accepted (poll's nbytes for a listener). */
  get backlog(): number {
    return this.pending.length;
  }

  /** Takes the oldest pending connection, or null when none is waiting. */
  take(): net.Socket | null {
    const s = this.pending.shift() ?? null;
    if (s) {
      const onErr = (s as net.Socket & { __preAcceptErr?: () => void }).__preAcceptErr;
      if (onErr) s.off('error', onErr);
    }
    return s;
  }

  /** Stops listening and drops connections nobody accepted. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.close();
    for (const s of this.pending) s.destroy();
    this.pending = [];
    this.changed();
  }
}

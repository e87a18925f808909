// proxy: a TCP forwarder. Each accepted client gets its own connection to the upstream; bytes flow both
// ways, a half-close is passed on, and each direction is bounded: when one side cannot take more, the
// proxy stops reading from the other (backpressure), so a slow peer cannot grow its memory.
//   wasmux run --listen 127.0.0.1:7000 --allow-connect 127.0.0.1:6379 build/proxy.wasm -- 127.0.0.1:6379
// Outgoing connections use WASIX sockets: run it on the Node host (wasmtime has no such calls).
import { EventLoop, Connection, StreamHandler, ServerHandler, Stream, SocketAddress, logLine, errnoName, HostPort } from "../index";
import { listenersOrExit } from "./lib/listeners";

/** One direction's end: what it reads goes to its partner. */
class Side extends StreamHandler {
  partner: Connection | null = null;
  constructor(public label: string) { super(); }

  onData(conn: Connection, data: usize, len: i32): void {
    const to = this.partner;
    if (to == null || to.isClosed) { conn.close(); return; }
    // Past the partner's high watermark: stop reading here until the partner drains.
    if (!to.write(data, len)) conn.pauseReading();
  }

  onDrain(conn: Connection): void {
    const from = this.partner;
    if (from != null) from.resumeReading();
  }

  onEnd(conn: Connection): void {
    const to = this.partner;
    if (to == null) { conn.end(); return; }
    to.endWrite(); // pass the half-close on, after what is queued
    if (to.peerEnded) { conn.end(); to.end(); } // both directions done
  }

  onClose(conn: Connection, errno: u16): void {
    const other = this.partner;
    if (errno != 0) logLine("proxy: " + this.label + " closed (" + errnoName(errno) + ")");
    if (other == null || other.isClosed) return;
    if (errno != 0) other.close(errno); // one side failed: the other gets no half-finished stream
    else other.end();
  }
}

class Proxy extends ServerHandler {
  constructor(public loop: EventLoop, public upstream: SocketAddress) { super(); }

  onConnect(client: Connection): StreamHandler | null {
    const clientSide = new Side("client");
    const upstreamSide = new Side("upstream " + this.upstream.toString());
    const up = this.loop.connectTo(this.upstream, upstreamSide);
    if (up == null) {
      logLine("proxy: cannot connect to " + this.upstream.toString() + " (" + errnoName(this.loop.lastConnectErrno) + ")");
      return null; // closes the client
    }
    clientSide.partner = up;
    upstreamSide.partner = client;
    return clientSide;
  }
}

const args = process.argv;
if (args.length < 2 || HostPort.parse(args[1]) == null) {
  logLine("proxy: usage: proxy.wasm UPSTREAM_HOST:PORT (after `--` on the wasmux command line)");
  process.exit(2);
}
// Looked up once: a name would otherwise be resolved (a blocking host call) for every client.
const found = Stream.lookup(args[1]);
if (found.address == null) {
  logLine("proxy: cannot resolve " + args[1] + " (" + errnoName(found.errno) + ")");
  process.exit(1);
}
const upstream = found.address!;
const listeners = listenersOrExit("proxy");
const loop = new EventLoop();
for (let i = 0; i < listeners.length; i++) loop.listen(listeners[i], new Proxy(loop, upstream));
logLine("proxy: forwarding " + listeners.length.toString() + " listener(s) to " + upstream.toString());
loop.run();

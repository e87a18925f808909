// echo: sends every byte back. The smallest complete wasmux server.
//   wasmux run --listen 127.0.0.1:7000 build/echo.wasm
import { EventLoop, Connection, StreamHandler, ServerHandler, logLine } from "../index";
import { listenersOrExit } from "./lib/listeners";

class Echo extends StreamHandler {
  onData(conn: Connection, data: usize, len: i32): void {
    // write() queues what the peer cannot take yet; past the high watermark, stop reading
    // until the queue drains, so a client that sends without reading cannot grow our memory.
    if (!conn.write(data, len)) conn.pauseReading();
  }
  onDrain(conn: Connection): void { conn.resumeReading(); }
  // onEnd (the peer half-closed) keeps its default: flush what is pending, then close.
}

class EchoServer extends ServerHandler {
  handler: Echo = new Echo(); // stateless, so one handler serves every connection
  onConnect(conn: Connection): StreamHandler | null { return this.handler; }
}

const listeners = listenersOrExit("echo");
const loop = new EventLoop();
const server = new EchoServer();
for (let i = 0; i < listeners.length; i++) loop.listen(listeners[i], server);
logLine("echo: serving on " + listeners.length.toString() + " listener(s), first fd " + listeners[0].fd.toString());
loop.run();

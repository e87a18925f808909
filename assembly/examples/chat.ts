// chat: the classic select() chat server. Every line a client sends goes to every other client,
// as "[N] text". A client that stops reading is dropped once its backlog passes a bound, so one
// stalled reader never stalls the others or grows our memory.
//   wasmux run --listen 127.0.0.1:8080 build/chat.wasm      then: nc 127.0.0.1 8080
import { EventLoop, Connection, StreamHandler, ServerHandler, logLine } from "../index";
import { listenersOrExit } from "./lib/listeners";

/** Backlog (bytes queued for one client) past which that client is dropped. */
const DROP_BACKLOG: i64 = 256 * 1024;
/** A "line" longer than this without a newline is sent on as it is. */
const MAX_LINE: i32 = 8 * 1024;
const NEWLINE: u8 = 0x0a;

const clients = new Array<Connection>();
let nextId = 1;

class ChatSession extends StreamHandler {
  private line: Array<u8> = [];
  constructor(public id: i32) { super(); }

  onData(conn: Connection, data: usize, len: i32): void {
    for (let i = 0; i < len; i++) {
      const b = load<u8>(data + <usize>i);
      this.line.push(b);
      if (b == NEWLINE || this.line.length >= MAX_LINE) this.sendLine(conn);
    }
  }

  onEnd(conn: Connection): void {
    if (this.line.length > 0) { this.line.push(NEWLINE); this.sendLine(conn); }
    conn.end();
  }

  onClose(conn: Connection, errno: u16): void {
    const i = clients.indexOf(conn);
    if (i >= 0) clients.splice(i, 1);
  }

  private sendLine(from: Connection): void {
    // One buffer per line, "[N] " and the text, so each client gets it in one write.
    const prefix = String.UTF8.encode("[" + this.id.toString() + "] ");
    const n = prefix.byteLength;
    const message = new Uint8Array(n + this.line.length);
    memory.copy(message.dataStart, changetype<usize>(prefix), <usize>n);
    for (let i = 0; i < this.line.length; i++) message[n + i] = this.line[i];
    this.line.length = 0;
    // Walk a copy: dropping a client edits `clients`.
    const everyone = clients.slice(0);
    for (let i = 0; i < everyone.length; i++) {
      const to = everyone[i];
      if (to == from || to.isClosed) continue;
      if (!to.writeBytes(message)) {
        logLine("chat: dropping client " + (<ChatSession>to.handler).id.toString() + " (not reading, " + to.out.pending.toString() + " bytes behind)");
        to.close();
      }
    }
  }
}

class ChatServer extends ServerHandler {
  onConnect(conn: Connection): StreamHandler | null {
    conn.out.high = DROP_BACKLOG;
    clients.push(conn);
    return new ChatSession(nextId++);
  }
}

const listeners = listenersOrExit("chat");
const loop = new EventLoop();
for (let i = 0; i < listeners.length; i++) loop.listen(listeners[i], new ChatServer());
logLine("chat: serving on " + listeners.length.toString() + " listener(s), first fd " + listeners[0].fd.toString());
loop.run();

import { Connection } from "./connection";

/** What a connection does with its events. Override what you need; the defaults are sensible. */
export class StreamHandler {
  /** An outgoing connection (EventLoop.connect) is established; output queued before now is sent next. */
  onConnect(conn: Connection): void {}
  /** `len` bytes arrived at `data`; the bytes are only valid during the call (copy what you keep). */
  onData(conn: Connection, data: usize, len: i32): void {}
  /** The peer half-closed: no more data will come. Default: send what is pending, then close. */
  onEnd(conn: Connection): void { conn.end(); }
  /** The output queue fell back to its low watermark after passing the high one. */
  onDrain(conn: Connection): void {}
  /** The connection is closed; errno is 0 for a clean close, else why it ended. */
  onClose(conn: Connection, errno: u16): void {}
}

/** What a listening socket does with new connections. */
export abstract class ServerHandler {
  /** A client connected: return its handler, or null to close it at once. */
  abstract onConnect(conn: Connection): StreamHandler | null;
  /** accept failed with something other than AGAIN (the listener keeps going unless it is gone). */
  onAcceptError(errno: u16): void {}
}

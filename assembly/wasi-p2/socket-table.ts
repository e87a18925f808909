// The guest's own fd table for the sockets of the component backend: each fd names a wasi:sockets
// tcp-socket and, for a connection, its two streams. fds start at 3 (the first listener, as LISTEN_FDS
// says) and only grow, as on wasmtime's preview1 path, so a stale fd never names a newer socket.
import {
  RET, drop_input_stream, drop_output_stream, drop_pollable, drop_tcp_socket, input_subscribe, isErr,
  output_check_write, output_subscribe, streamErrorIsClosed, tcp_subscribe,
} from "./bindings";
import { SocketAddress } from "../net/socket-address";
import { Errno } from "../wasi/errno";

/**
 * What an fd is. A listener stays one; a client socket moves OPEN -> CONNECTING -> STREAM (or FAILED), in
 * Socket.moveTo only; an accepted connection starts as STREAM.
 */
export enum SocketState { LISTENER, OPEN, CONNECTING, STREAM, FAILED }

const NONE: i32 = -1;

/** One socket: its handles, and its pollables, made on the first poll that needs them and kept. */
export class Socket {
  private readPollable: i32 = NONE;
  private writePollable: i32 = NONE;
  /** Where a client socket connects to (a WASIX addr_port's fields), for sock_addr_peer. */
  target: SocketAddress | null = null;
  /** Why the connection failed (state FAILED). */
  failure: Errno = Errno.SUCCESS;

  constructor(public fd: u32, public state: SocketState, public socket: i32, public input: i32, public output: i32) {}

  /**
   * The one place the state changes. CONNECTING -> STREAM takes the connection's streams, and drops the
   * socket's pollables (from tcp-socket.subscribe), since a stream's readiness comes from its streams.
   */
  moveTo(next: SocketState, input: i32 = NONE, output: i32 = NONE): void {
    const from = this.state;
    const allowed = (from == SocketState.OPEN && next == SocketState.CONNECTING) ||
      (from == SocketState.OPEN && next == SocketState.FAILED) ||
      (from == SocketState.CONNECTING && (next == SocketState.STREAM || next == SocketState.FAILED));
    assert(allowed, "wasmux: bad socket state transition");
    if (next == SocketState.STREAM) {
      this.dropPollables();
      this.input = input;
      this.output = output;
    }
    this.state = next;
  }

  /** Ready when accept will not say would-block (listener), a read will not return nothing (stream), or the connect is done. */
  readable(): i32 {
    if (this.readPollable == NONE) {
      this.readPollable = this.state == SocketState.STREAM ? input_subscribe(this.input) : tcp_subscribe(this.socket);
    }
    return this.readPollable;
  }

  /** Ready when a write is possible, the connect is done (or the stream failed); NONE for a listener. */
  writable(): i32 {
    if (this.state == SocketState.LISTENER) return NONE;
    if (this.writePollable == NONE) {
      this.writePollable = this.state == SocketState.STREAM ? output_subscribe(this.output) : tcp_subscribe(this.socket);
    }
    return this.writePollable;
  }

  private dropPollables(): void {
    if (this.readPollable != NONE) drop_pollable(this.readPollable);
    if (this.writePollable != NONE) drop_pollable(this.writePollable);
    this.readPollable = NONE;
    this.writePollable = NONE;
  }

  /**
   * True while dropping the output stream would block the whole program: wasmtime's drop waits until the
   * stream can take a write again (its last write sent, the socket writable), which a peer that stops
   * reading can put off forever. check-write says 0 exactly then.
   */
  dropWouldWait(): bool {
    if (this.output == NONE) return false;
    output_check_write(this.output, RET);
    if (isErr(RET)) { streamErrorIsClosed(RET, 8); return false; }
    return load<u64>(RET, 8) == 0;
  }

  /** Drops every handle, children first (a pollable before its stream, the streams before the socket). */
  dispose(): void {
    this.dropPollables();
    if (this.input != NONE) drop_input_stream(this.input);
    if (this.output != NONE) drop_output_stream(this.output);
    drop_tcp_socket(this.socket);
  }
}

/** fd to Socket, and the closed sockets whose handles cannot be dropped yet. */
export class SocketTable {
  private byFd: Map<u32, Socket> = new Map();
  private nextFd: u32 = 3;
  /** Closed (their fds are gone) but not dropped yet: see Socket.dropWouldWait. */
  private closing: Array<Socket> = [];

  /** Adds a socket under the next fd and returns it. */
  add(state: SocketState, socket: i32, input: i32, output: i32): Socket {
    const s = new Socket(this.nextFd++, state, socket, input, output);
    this.byFd.set(s.fd, s);
    return s;
  }

  /** The socket of `fd`, or null. */
  get(fd: u32): Socket | null {
    return this.byFd.has(fd) ? this.byFd.get(fd) : null;
  }

  /** Forgets `fd` and drops its handles, now or (when that would block) at a later sweep; false when it was not there. */
  close(fd: u32): bool {
    if (!this.byFd.has(fd)) return false;
    const s = this.byFd.get(fd);
    this.byFd.delete(fd);
    if (s.dropWouldWait()) this.closing.push(s);
    else s.dispose();
    return true;
  }

  /** Drops the closed sockets that can be dropped now without blocking. O(closed-but-not-dropped). */
  sweep(): void {
    const closing = this.closing;
    for (let i = closing.length - 1; i >= 0; i--) {
      const s = unchecked(closing[i]);
      if (s.dropWouldWait()) continue;
      s.dispose();
      unchecked(closing[i] = closing[closing.length - 1]);
      closing.pop();
    }
  }
}

/** The one table of the program (lazy: a preview1 build compiles none of this). */
// @ts-ignore: decorator
@lazy export const sockets = new SocketTable();

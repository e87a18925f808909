// Reading sockets into one buffer of the host's instead of a fresh Buffer per read.
//
// By default Node reads a socket into a new 64 KiB allocation, shrinks it to the bytes read, wraps it in a Buffer
// and pushes that through the socket's Readable ('data'): per message a malloc, a free after the next scavenge
// and a stream's bookkeeping, which together cost about as much CPU as everything else the host does for a
// message. A socket made with Node's `onread` option reads into a buffer it is given and calls back with the
// count instead; the stream keeps working for everything else (pause/resume stop and restart reading, EOF still
// ends it with 'end', errors still destroy it).
//
// Every socket shares one buffer: Node runs one read callback at a time, and the receiver copies the bytes out
// before it returns. Accepted sockets get the option through a replacement of the listening handle's
// connection callback (net.Server has no public way to pass it); where the handle does not have that callback
// the listener falls back to Node's own 'connection' event and its sockets to 'data'.
import { Buffer } from 'node:buffer';
import net from 'node:net';

/** What a socket reading into the shared buffer delivers its bytes to (the TcpStream that owns it). */
export interface Receiver {
  /** Takes a copy of `bytes`: the bytes of one read, a view of the shared buffer that the next read overwrites. */
  received(bytes: Buffer): void;
}

/** As large as the read buffer Node uses by default: one read takes what one default read would. */
const SHARED_BYTES = 64 * 1024;
const shared = Buffer.allocUnsafeSlow(SHARED_BYTES);
/** The last view of `shared` handed out (its first `length` bytes): a request/response peer sends the same size
 *  again and again, and a view per read cost more than the copy out of it. */
let sharedView = shared.subarray(0, 0);

/** The first `n` bytes of the shared buffer as a Buffer (valid until the next read). */
function readBytes(n: number): Buffer {
  if (sharedView.length !== n) sharedView = shared.subarray(0, n);
  return sharedView;
}

/** Each socket's receiver, set when a TcpStream takes it over; a socket present here reads into `shared`. */
const receivers = new WeakMap<net.Socket, Receiver | null>();

/** Node calls this with the socket as `this` after each read into `shared`. */
function onRead(this: net.Socket, n: number): void {
  // pauseOnCreate keeps a socket from reading before a TcpStream owns it; should bytes come anyway, they are
  // dropped rather than delivered to nobody.
  receivers.get(this)?.received(readBytes(n));
}

/** The `onread` option of a socket that reads into the shared buffer. */
const ONREAD = { buffer: shared, callback: onRead };

/** A new unconnected socket that reads into the shared buffer (for outgoing connections). */
export function newSharedBufferSocket(opts: net.SocketConstructorOpts): net.Socket {
  const s = new net.Socket({ ...opts, onread: ONREAD } as net.SocketConstructorOpts);
  receivers.set(s, null);
  return s;
}

/** True when `s` reads into the shared buffer (then its bytes go to setReceiver's receiver, never to 'data'). */
export function readsIntoSharedBuffer(s: net.Socket): boolean {
  return receivers.has(s);
}

/** Makes `r` the receiver of a socket that reads into the shared buffer. */
export function setReceiver(s: net.Socket, r: Receiver): void {
  receivers.set(s, r);
}

/** The listening handle's connection callback, as net.Server installs it (not public API: checked before use). */
type ServerHandle = { onconnection?: (err: number, clientHandle: unknown) => void };

/**
 * Makes `server` (listening) hand its accepted connections to `onSocket` as paused sockets that read into the
 * shared buffer, instead of emitting 'connection'. Returns false, changing nothing, when this Node's server
 * handle has no connection callback to replace: its 'connection' event then carries on as before.
 */
export function acceptIntoSharedBuffer(server: net.Server, allowHalfOpen: boolean, onSocket: (s: net.Socket) => void): boolean {
  const handle = (server as unknown as { _handle?: ServerHandle | null })._handle;
  if (!handle || typeof handle.onconnection !== 'function') return false;
  handle.onconnection = (err: number, clientHandle: unknown) => {
    if (err) {
      // Node reports accept failures (EMFILE, ...) as the server's 'error'; the connection never existed.
      server.emit('error', Object.assign(new Error(`accept failed (errno ${err})`), { errno: err }));
      return;
    }
    const s = new net.Socket({
      handle: clientHandle, allowHalfOpen, pauseOnCreate: true, readable: true, writable: true, onread: ONREAD,
    } as net.SocketConstructorOpts);
    receivers.set(s, null);
    onSocket(s);
  };
  return true;
}

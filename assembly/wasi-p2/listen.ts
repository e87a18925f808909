// The component's listeners: wasi:sockets has no pre-opened sockets, so the backend creates, binds and
// listens on the addresses the runner passes in WASMUX_LISTEN ("127.0.0.1:7000,[::1]:7001"), in that
// order, as fds 3, 4, ... — the numbering LISTEN_FDS announces, so the layers above see what preview1
// hosts give them. Done once, on the backend's first call; a failure is one line on stderr and exit 1.
import { getenv } from "../wasi/environ";
import { logLine } from "../wasi/stderr";
import { HostPort, SocketAddress, literalAddress } from "../net/socket-address";
import { AF_INET4 } from "../wasi/wasix";
import {
  FAMILY_IPV4, FAMILY_IPV6, RET, create_tcp_socket, drop_network, drop_pollable, drop_tcp_socket, errorCodeAt1,
  errorCodeAt4, handleAt, instance_network, isErr, poll, tcp_finish_bind, tcp_finish_listen, tcp_start_bind,
  tcp_start_listen, tcp_subscribe,
} from "./bindings";
import { ErrorCode, errorCodeName } from "./errors";
import { SocketKind, sockets } from "./socket-table";

/** Whether the listeners exist yet; moves once, from UNBOUND to BOUND (or the program exits). */
enum ListenState { UNBOUND, BOUND }

let state = ListenState.UNBOUND;

/** Creates the listeners on the first call; later calls return at once. */
export function ensureListening(): void {
  if (state == ListenState.BOUND) return;
  state = ListenState.BOUND;
  const spec = getenv("WASMUX_LISTEN");
  if (spec == null || spec.length == 0) return;
  const network = instance_network();
  const items = spec.split(",");
  for (let i = 0; i < items.length; i++) {
    const text = items[i];
    const hp = HostPort.parse(text);
    let addr: SocketAddress | null = null;
    if (hp != null) addr = literalAddress(hp);
    if (addr == null) fail(text, "not a literal IP address with a port from 1 to 65535");
    else listenOn(network, addr, text);
  }
  drop_network(network);
}

function listenOn(network: i32, addr: SocketAddress, text: string): void {
  create_tcp_socket(addr.family == AF_INET4 ? FAMILY_IPV4 : FAMILY_IPV6, RET);
  if (isErr(RET)) { fail(text, errorCodeName(errorCodeAt4(RET))); return; }
  const socket = handleAt(RET, 0);
  startBind(socket, network, addr);
  if (isErr(RET) || !finish(socket, true)) {
    fail(text, errorCodeName(errorCodeAt1(RET)));
    drop_tcp_socket(socket);
    return;
  }
  tcp_start_listen(socket, RET);
  if (isErr(RET) || !finish(socket, false)) {
    fail(text, errorCodeName(errorCodeAt1(RET)));
    drop_tcp_socket(socket);
    return;
  }
  sockets.add(SocketKind.LISTENER, socket, -1, -1);
}

/** start-bind with the address flattened as the canonical ABI wants: the case, then eleven slots. */
function startBind(socket: i32, network: i32, addr: SocketAddress): void {
  const b = addr.bytes;
  const port = <i32>addr.port;
  if (addr.family == AF_INET4) {
    tcp_start_bind(socket, network, 0, port, b[0], b[1], b[2], b[3], 0, 0, 0, 0, 0, 0, RET);
    return;
  }
  // ipv6-socket-address: port, flow-info, eight u16 groups, scope-id.
  tcp_start_bind(socket, network, 1, port, 0, group(b, 0), group(b, 1), group(b, 2), group(b, 3), group(b, 4),
    group(b, 5), group(b, 6), group(b, 7), 0, RET);
}

/** The i-th 16-bit group of an IPv6 address in network order. */
function group(b: Uint8Array, i: i32): i32 {
  return (<i32>b[i * 2] << 8) | <i32>b[i * 2 + 1];
}

/** finish-bind / finish-listen, waiting on the socket while the host says would-block. */
function finish(socket: i32, bind: bool): bool {
  for (;;) {
    if (bind) tcp_finish_bind(socket, RET); else tcp_finish_listen(socket, RET);
    if (!isErr(RET)) break;
    if (errorCodeAt1(RET) != ErrorCode.WOULD_BLOCK) return false;
    const p = tcp_subscribe(socket);
    store<i32>(RET + 8, p);
    poll(RET + 8, 1, RET);
    heap.free(load<usize>(RET)); // the ready list: one index, nothing to read
    drop_pollable(p);
  }
  return true;
}

function fail(text: string, why: string): void {
  logLine("wasmux: failed to bind " + text + ": " + why);
  process.exit(1);
}

// The component's listeners: wasi:sockets has no pre-opened sockets, so the backend creates, binds and
// listens on the addresses the runner passes in WASMUX_LISTEN ("127.0.0.1:7000,[::1]:7001"), in that
// order, as fds 3, 4, ... — the numbering LISTEN_FDS announces, so the layers above see what preview1
// hosts give them. Done once, on the backend's first call; a failure is one line on stderr and exit 1.
import { getenv } from "../wasi/environ";
import { logLine } from "../wasi/stderr";
import { HostPort, SocketAddress, literalAddress } from "../net/socket-address";
import { AF_INET4 } from "../wasi/wasix";
import {
  FAMILY_IPV4, FAMILY_IPV6, RET, create_tcp_socket, drop_network, drop_tcp_socket, errorCodeAt1, errorCodeAt4,
  handleAt, instance_network, isErr, tcp_finish_bind, tcp_finish_listen, tcp_start_bind, tcp_start_listen,
  tcp_subscribe, waitFor,
} from "./bindings";
import { SLOTS, flattenAddress } from "./address-slots";
import { ErrorCode, errorCodeName } from "./errors";
import { SocketState, sockets } from "./socket-table";

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
  sockets.add(SocketState.LISTENER, socket, -1, -1);
}

/** start-bind with the address flattened as the canonical ABI wants (address-slots.ts). */
function startBind(socket: i32, network: i32, addr: SocketAddress): void {
  flattenAddress(addr);
  const s = SLOTS;
  tcp_start_bind(socket, network, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], RET);
}

/** finish-bind / finish-listen, waiting on the socket while the host says would-block. */
function finish(socket: i32, bind: bool): bool {
  for (;;) {
    if (bind) tcp_finish_bind(socket, RET); else tcp_finish_listen(socket, RET);
    if (!isErr(RET)) break;
    if (errorCodeAt1(RET) != ErrorCode.WOULD_BLOCK) return false;
    waitFor(tcp_subscribe(socket));
  }
  return true;
}

function fail(text: string, why: string): void {
  logLine("wasmux: failed to bind " + text + ": " + why);
  process.exit(1);
}

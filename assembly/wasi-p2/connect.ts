// The WASIX client calls the core makes (assembly/wasi/wasix.ts: sock_open, sock_connect, sock_addr_peer,
// sock_addr_local, resolve), carried out on wasi:sockets for the component build (the two address calls
// also answer for accepted connections and listeners). A connection is made the
// non-blocking way the core expects: sock_connect starts it and answers INPROGRESS; the socket becomes
// readable and writable when it is done; sock_addr_peer then finishes it (SUCCESS, or why it failed).
import { SocketAddress } from "../net/socket-address";
import { Errno } from "../wasi/errno";
import { AF_INET4, AF_INET6, ADDR_IP_SIZE, PROTO_TCP, SOCK_STREAM } from "../wasi/wasix";
import { SLOTS, flattenAddress, readAddress } from "./address-slots";
import {
  FAMILY_IPV4, FAMILY_IPV6, RET, create_tcp_socket, drop_network, drop_resolve_stream, errorCodeAt1,
  errorCodeAt4, handleAt, instance_network, isErr, resolve_addresses, resolve_next_address, resolve_subscribe,
  tcp_finish_connect, tcp_local_address, tcp_remote_address, tcp_start_connect, waitFor,
} from "./bindings";
import { ErrorCode, errnoOf } from "./errors";
import { ensureListening } from "./listen";
import { SocketState, sockets } from "./socket-table";

/** sock_open(af, socktype, proto, *fd): a TCP socket of family INET4 or INET6, not connected yet. */
export function open(af: u32, socktype: u32, proto: u32, fdOut: usize): Errno {
  if (af != AF_INET4 && af != AF_INET6) return Errno.AFNOSUPPORT;
  if (socktype != SOCK_STREAM || (proto != 0 && proto != PROTO_TCP)) return Errno.NOTSUP;
  ensureListening(); // the listeners are fds 3, 4, ... even when the program connects before anything else
  create_tcp_socket(af == AF_INET4 ? FAMILY_IPV4 : FAMILY_IPV6, RET);
  if (isErr(RET)) return errnoOf(errorCodeAt4(RET));
  store<u32>(fdOut, sockets.add(SocketState.OPEN, handleAt(RET, 0), -1, -1).fd);
  return Errno.SUCCESS;
}

/** sock_connect(fd, *addr_port): starts the connection; INPROGRESS until the socket is writable. */
export function connect(fd: u32, addrPort: usize): Errno {
  const s = sockets.get(fd);
  if (s == null) return Errno.BADF;
  if (s.state == SocketState.CONNECTING) return Errno.ALREADY;
  if (s.state != SocketState.OPEN) return Errno.ISCONN;
  const target = SocketAddress.readFrom(addrPort);
  if (target == null) return Errno.AFNOSUPPORT;
  flattenAddress(target);
  const a = SLOTS;
  const network = instance_network();
  tcp_start_connect(s.socket, network, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], RET);
  drop_network(network);
  if (isErr(RET)) {
    const err = errnoOf(errorCodeAt1(RET));
    s.failure = err;
    s.moveTo(SocketState.FAILED);
    return err;
  }
  s.target = target;
  s.moveTo(SocketState.CONNECTING);
  return Errno.INPROGRESS;
}

/**
 * sock_addr_peer(fd, *addr_port): the address connected to. On a connecting socket it finishes the
 * connection first: AGAIN while it is still being made, its error when it failed (then and later).
 */
export function peer(fd: u32, out: usize): Errno {
  const s = sockets.get(fd);
  if (s == null) return Errno.BADF;
  if (s.state == SocketState.CONNECTING) {
    tcp_finish_connect(s.socket, RET);
    if (isErr(RET)) {
      const code = errorCodeAt4(RET);
      if (code == ErrorCode.WOULD_BLOCK) return Errno.AGAIN;
      s.failure = errnoOf(code);
      s.moveTo(SocketState.FAILED);
    } else {
      s.moveTo(SocketState.STREAM, handleAt(RET, 0), handleAt(RET, 1));
    }
  }
  if (s.state == SocketState.FAILED) return s.failure;
  if (s.state != SocketState.STREAM) return Errno.NOTCONN;
  const target = s.target;
  if (target != null) { target.writeTo(out); return Errno.SUCCESS; }
  // An accepted connection: its peer as the host sees it.
  tcp_remote_address(s.socket, RET);
  return addressResult(out);
}

/** sock_addr_local(fd, *addr_port): the address the socket is bound to (a listener's, or a connection's end). */
export function local(fd: u32, out: usize): Errno {
  const s = sockets.get(fd);
  if (s == null) return Errno.BADF;
  tcp_local_address(s.socket, RET);
  return addressResult(out);
}

/** Writes the ip-socket-address of an ok result in RET as a WASIX addr_port at `out`; else the errno. */
function addressResult(out: usize): Errno {
  if (isErr(RET)) return errnoOf(errorCodeAt4(RET));
  readAddress(RET + 4).writeTo(out);
  return Errno.SUCCESS;
}

/**
 * resolve(host, len, port, *addr_ip, n, *count): the name's addresses through ip-name-lookup, at most
 * n, written as WASIX addr_ip structs. Blocks until the lookup ends, as the WASIX call does.
 */
export function resolve(host: usize, hostLen: u32, port: u32, addrs: usize, naddrs: u32, countOut: usize): Errno {
  store<u32>(countOut, 0);
  const network = instance_network();
  resolve_addresses(network, host, hostLen, RET);
  drop_network(network);
  if (isErr(RET)) return lookupErrno(errorCodeAt4(RET));
  const stream = handleAt(RET, 0);
  let count: u32 = 0;
  let err = Errno.SUCCESS;
  while (count < naddrs) {
    resolve_next_address(stream, RET);
    if (isErr(RET)) {
      const code = load<u8>(RET, 2);
      if (code == ErrorCode.WOULD_BLOCK) { waitFor(resolve_subscribe(stream)); continue; }
      err = lookupErrno(code);
      break;
    }
    if (load<u8>(RET, 2) == 0) break; // none: the end of the list
    writeAddrIp(addrs + <usize>count * ADDR_IP_SIZE, RET + 4);
    count++;
  }
  drop_resolve_stream(stream);
  store<u32>(countOut, count);
  return count > 0 ? Errno.SUCCESS : err != Errno.SUCCESS ? err : Errno.NOENT;
}

/** An ip-address (case u8, then four u8 or eight u16 from offset 2) as a WASIX addr_ip. */
function writeAddrIp(out: usize, ip: usize): void {
  memory.fill(out, 0, ADDR_IP_SIZE);
  if (load<u8>(ip) == 0) {
    store<u8>(out, AF_INET4);
    memory.copy(out + 2, ip + 2, 4);
    return;
  }
  store<u8>(out, AF_INET6);
  for (let i: usize = 0; i < 8; i++) {
    const g = load<u16>(ip + 2 + i * 2);
    store<u8>(out + 2 + i * 2, <u8>(g >> 8));
    store<u8>(out + 3 + i * 2, <u8>g);
  }
}

/** A lookup's error: a name that does not resolve is NOENT, as the Node host says. */
function lookupErrno(code: u8): Errno {
  return code == ErrorCode.NAME_UNRESOLVABLE ? Errno.NOENT : errnoOf(code);
}

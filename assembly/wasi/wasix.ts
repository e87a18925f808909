// The WASIX socket calls (import module "wasix_32v1") that preview1 lacks: opening and connecting a
// TCP client. AssemblyScript emits an import only when it is used, so modules that never connect
// (every server) import nothing from here and still run under wasmtime.
//
// Layouts, as in wasix-libc (libc-bottom-half/headers/public/wasi/api_wasix.h):
//   addr_port (110 bytes, align 2): tag u8 @0 (1 INET4, 2 INET6); port u16 @2 as a plain little-endian
//     number (wasix-libc stores ntohs(sin_port)); address @4 in network byte order (4 or 16 bytes).
//   addr_ip (18 bytes, align 2): tag u8 @0; address @2.
//
// Like imports.ts, this is a seam: built with `--use WASMUX_SOCKETS_P2=1` (the component build), the calls go
// to ../wasi-p2/connect.ts on wasi:sockets instead, and the module imports nothing from wasix_32v1.
import * as p2 from "../wasi-p2/connect";

// @ts-ignore: decorator
@external("wasix_32v1", "sock_open")
declare function wasix_sock_open(af: u32, socktype: u32, proto: u32, fdOut: usize): u16;
/** WASIX sock_open (opens a TCP socket), or the component backend's. */
// @ts-ignore: decorator
@inline export function sock_open(af: u32, socktype: u32, proto: u32, fdOut: usize): u16 {
  if (isDefined(WASMUX_SOCKETS_P2)) return p2.open(af, socktype, proto, fdOut);
  return wasix_sock_open(af, socktype, proto, fdOut);
}

// @ts-ignore: decorator
@external("wasix_32v1", "sock_connect")
declare function wasix_sock_connect(fd: u32, addrPort: usize): u16;
/** WASIX sock_connect (starts a connection), or the component backend's. */
// @ts-ignore: decorator
@inline export function sock_connect(fd: u32, addrPort: usize): u16 {
  if (isDefined(WASMUX_SOCKETS_P2)) return p2.connect(fd, addrPort);
  return wasix_sock_connect(fd, addrPort);
}

// @ts-ignore: decorator
@external("wasix_32v1", "sock_addr_local")
declare function wasix_sock_addr_local(fd: u32, addrPortOut: usize): u16;
/** WASIX sock_addr_local (the local address), or the component backend's. */
// @ts-ignore: decorator
@inline export function sock_addr_local(fd: u32, addrPortOut: usize): u16 {
  if (isDefined(WASMUX_SOCKETS_P2)) return p2.local(fd, addrPortOut);
  return wasix_sock_addr_local(fd, addrPortOut);
}

// @ts-ignore: decorator
@external("wasix_32v1", "sock_addr_peer")
declare function wasix_sock_addr_peer(fd: u32, addrPortOut: usize): u16;
/** WASIX sock_addr_peer (the peer's address (finishes a connection)), or the component backend's. */
// @ts-ignore: decorator
@inline export function sock_addr_peer(fd: u32, addrPortOut: usize): u16 {
  if (isDefined(WASMUX_SOCKETS_P2)) return p2.peer(fd, addrPortOut);
  return wasix_sock_addr_peer(fd, addrPortOut);
}

// @ts-ignore: decorator
@external("wasix_32v1", "resolve")
declare function wasix_resolve(host: usize, hostLen: u32, port: u32, addrs: usize, naddrs: u32, nresolvedOut: usize): u16;
/** WASIX resolve (a name's addresses), or the component backend's. */
// @ts-ignore: decorator
@inline export function resolve(host: usize, hostLen: u32, port: u32, addrs: usize, naddrs: u32, nresolvedOut: usize): u16 {
  if (isDefined(WASMUX_SOCKETS_P2)) return p2.resolve(host, hostLen, port, addrs, naddrs, nresolvedOut);
  return wasix_resolve(host, hostLen, port, addrs, naddrs, nresolvedOut);
}

export const AF_INET4: u8 = 1;
export const AF_INET6: u8 = 2;
export const SOCK_STREAM: u32 = 1;
export const PROTO_TCP: u32 = 6;
export const ADDR_PORT_SIZE: usize = 110;
export const ADDR_IP_SIZE: usize = 18;

// The WASIX socket calls (import module "wasix_32v1") that preview1 lacks: opening and connecting a
// TCP client. AssemblyScript emits an import only when it is used, so modules that never connect
// (every server) import nothing from here and still run under wasmtime.
//
// Layouts, as in wasix-libc (libc-bottom-half/headers/public/wasi/api_wasix.h):
//   addr_port (110 bytes, align 2): tag u8 @0 (1 INET4, 2 INET6); port u16 @2 as a plain little-endian
//     number (wasix-libc stores ntohs(sin_port)); address @4 in network byte order (4 or 16 bytes).
//   addr_ip (18 bytes, align 2): tag u8 @0; address @2.

// @ts-ignore: decorator
@external("wasix_32v1", "sock_open")
export declare function sock_open(af: u32, socktype: u32, proto: u32, fdOut: usize): u16;

// @ts-ignore: decorator
@external("wasix_32v1", "sock_connect")
export declare function sock_connect(fd: u32, addrPort: usize): u16;

// @ts-ignore: decorator
@external("wasix_32v1", "sock_addr_local")
export declare function sock_addr_local(fd: u32, addrPortOut: usize): u16;

// @ts-ignore: decorator
@external("wasix_32v1", "sock_addr_peer")
export declare function sock_addr_peer(fd: u32, addrPortOut: usize): u16;

// @ts-ignore: decorator
@external("wasix_32v1", "resolve")
export declare function resolve(host: usize, hostLen: u32, port: u32, addrs: usize, naddrs: u32, nresolvedOut: usize): u16;

export const AF_INET4: u8 = 1;
export const AF_INET6: u8 = 2;
export const SOCK_STREAM: u32 = 1;
export const PROTO_TCP: u32 = 6;
export const ADDR_PORT_SIZE: usize = 110;
export const ADDR_IP_SIZE: usize = 18;

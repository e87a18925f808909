// An ip-socket-address as the canonical ABI passes it to start-bind and start-connect: the variant's case,
// then eleven i32 slots, the width of its IPv6 case (port, flow-info, eight u16 groups, scope-id); the IPv4
// case uses the first five (port, four bytes) and leaves the rest 0. And as local-address and
// remote-address return it in memory: the case (u8) at 0, the payload at 4: port u16 at 4, then the IPv4
// bytes at 6, or flow-info u32 at 8 and the eight u16 groups at 12.
import { SocketAddress } from "../net/socket-address";
import { AF_INET4, AF_INET6 } from "../wasi/wasix";

/** The case (slot 0) and the eleven payload slots of the last address flattened; read them right away. */
// @ts-ignore: decorator
@lazy export const SLOTS = new StaticArray<i32>(12);

/** Flattens `addr` into SLOTS. */
export function flattenAddress(addr: SocketAddress): void {
  const b = addr.bytes;
  const s = SLOTS;
  for (let i = 0; i < 12; i++) unchecked(s[i] = 0);
  s[1] = <i32>addr.port;
  if (addr.family == AF_INET4) {
    for (let i = 0; i < 4; i++) s[2 + i] = <i32>b[i];
    return;
  }
  s[0] = 1;
  for (let i = 0; i < 8; i++) s[3 + i] = (<i32>b[i * 2] << 8) | <i32>b[i * 2 + 1];
}

/** The ip-socket-address stored at `p` (as local-address and remote-address return it). */
export function readAddress(p: usize): SocketAddress {
  const port = load<u16>(p, 4);
  if (load<u8>(p) == 0) {
    const b = new Uint8Array(4);
    memory.copy(b.dataStart, p + 6, 4);
    return new SocketAddress(AF_INET4, b, port);
  }
  const b = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = load<u16>(p + 12 + <usize>i * 2);
    b[i * 2] = <u8>(g >> 8);
    b[i * 2 + 1] = <u8>g;
  }
  return new SocketAddress(AF_INET6, b, port);
}

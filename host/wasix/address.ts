// IP addresses as bytes, and the WASIX address structs in guest memory (layouts of wasix-libc):
//   addr_port (110 bytes, align 2): tag u8 @0 (1 INET4, 2 INET6), port u16 @2 as a plain little-endian number
//     (wasix-libc stores ntohs(sin_port)), address @4 in network byte order: 4 bytes for IPv4; 16 bytes for IPv6,
//     then flow info u32 @20 and scope id u32 @24 (written as 0, ignored when read).
//   addr_ip (18 bytes, align 2): tag u8 @0, address @2 (4 or 16 bytes).
// Only the bytes a struct's tag gives meaning to are read or written (and bounds-checked): 8 for an IPv4
// addr_port, 28 for IPv6 (20 when read: flow info and scope id are ignored), 18 for an addr_ip.
import net from 'node:net';
import { Errno } from '../wasi/abi.js';
import type { GuestMemory } from '../wasi/guest-memory.js';

export const TAG_INET4 = 1;
export const TAG_INET6 = 2;
export const ADDR_IP_SIZE = 18;

/** An IP address: 4 bytes (IPv4) or 16 bytes (IPv6), network order. */
export type IpBytes = Uint8Array;

/** An address and port as the guest passed it. */
export interface AddrPort {
  ip: IpBytes;
  port: number;
}

/** Bytes of a literal IPv4 or IPv6 address (an IPv6 zone '%eth0' is dropped), or null when it is not one. */
export function parseIp(text: string): IpBytes | null {
  const t = text.includes('%') ? text.slice(0, text.indexOf('%')) : text;
  if (net.isIPv4(t)) return Uint8Array.from(t.split('.').map(Number));
  if (!net.isIPv6(t)) return null;
  let s = t;
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) { // embedded IPv4 (::ffff:1.2.3.4): as two hex groups
    const v4 = last.split('.').map(Number);
    s = `${s.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = s.split('::');
  const parse = (h: string) => (h === '' ? [] : h.split(':').map((g) => parseInt(g, 16)));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  const groups = [...head];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 2) for (let i = 0; i < fill; i++) groups.push(0);
  groups.push(...rest);
  if (groups.length !== 8 || groups.some((g) => !(g >= 0 && g <= 0xffff))) return null;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff; });
  return out;
}

/** Text of an address: dotted IPv4, or IPv6 with the longest run of zero groups compressed. */
export function formatIp(ip: IpBytes): string {
  if (ip.length === 4) return Array.from(ip).join('.');
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((ip[i] << 8) | ip[i + 1]);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** 'a.b.c.d:port' or '[v6]:port'. */
export function formatAddrPort(ip: IpBytes, port: number): string {
  return ip.length === 4 ? `${formatIp(ip)}:${port}` : `[${formatIp(ip)}]:${port}`;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), or the address itself. */
export function unmapIp(ip: IpBytes): IpBytes {
  if (ip.length !== 16) return ip;
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return ip;
  if (ip[10] !== 0xff || ip[11] !== 0xff) return ip;
  return ip.slice(12);
}

/** Reads an addr_port: the address and port, or an errno (FAULT out of bounds, INVAL for an unknown tag). */
export function readAddrPort(mem: GuestMemory, ptr: number): AddrPort | number {
  if (!mem.ok(ptr, 1)) return Errno.FAULT;
  const tag = mem.u8[ptr >>> 0];
  const len = tag === TAG_INET4 ? 4 : tag === TAG_INET6 ? 16 : 0;
  if (len === 0) return Errno.INVAL;
  if (!mem.ok(ptr, 4 + len)) return Errno.FAULT;
  const p = ptr >>> 0;
  return { ip: mem.u8.slice(p + 4, p + 4 + len), port: mem.dv.getUint16(p + 2, true) };
}

/** Writes an addr_port; FAULT when its bytes are out of bounds. */
export function writeAddrPort(mem: GuestMemory, ptr: number, ip: IpBytes, port: number): number {
  const size = ip.length === 4 ? 8 : 28;
  if (!mem.ok(ptr, size)) return Errno.FAULT;
  const p = ptr >>> 0;
  mem.u8.fill(0, p, p + size);
  mem.u8[p] = ip.length === 4 ? TAG_INET4 : TAG_INET6;
  mem.dv.setUint16(p + 2, port, true);
  mem.u8.set(ip, p + 4);
  return Errno.SUCCESS;
}

/** Writes one addr_ip (all 18 bytes: an IPv4 one is padded with zeros); the caller checked the bounds. */
export function writeAddrIp(mem: GuestMemory, ptr: number, ip: IpBytes): void {
  const p = ptr >>> 0;
  mem.u8.fill(0, p, p + ADDR_IP_SIZE);
  mem.u8[p] = ip.length === 4 ? TAG_INET4 : TAG_INET6;
  mem.u8.set(ip, p + 2);
}

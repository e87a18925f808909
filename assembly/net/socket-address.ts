import { AF_INET4, AF_INET6, ADDR_PORT_SIZE } from "../wasi/wasix";

/** An IPv4 or IPv6 address and a port. */
export class SocketAddress {
  /** 4 bytes (IPv4) or 16 bytes (IPv6), network order. */
  bytes: Uint8Array;
  constructor(public family: u8, bytes: Uint8Array, public port: u16) { this.bytes = bytes; }

  /** "1.2.3.4:80" or "[::1]:80". */
  toString(): string {
    if (this.family == AF_INET4) {
      return this.bytes[0].toString() + "." + this.bytes[1].toString() + "." + this.bytes[2].toString() + "." +
        this.bytes[3].toString() + ":" + this.port.toString();
    }
    const groups = new Array<string>();
    for (let i = 0; i < 16; i += 2) groups.push(((<u32>this.bytes[i] << 8) | this.bytes[i + 1]).toString(16));
    return "[" + groups.join(":") + "]:" + this.port.toString();
  }

  /** Writes the WASIX addr_port struct at `p` (ADDR_PORT_SIZE bytes). */
  writeTo(p: usize): void {
    memory.fill(p, 0, ADDR_PORT_SIZE);
    store<u8>(p, this.family);
    store<u16>(p, this.port, 2);
    memory.copy(p + 4, this.bytes.dataStart, <usize>this.bytes.length);
  }

  /** Reads a WASIX addr_port struct; null when its tag is not INET4/INET6. */
  static readFrom(p: usize): SocketAddress | null {
    const family = load<u8>(p);
    const len = family == AF_INET4 ? 4 : family == AF_INET6 ? 16 : 0;
    if (len == 0) return null;
    const b = new Uint8Array(len);
    memory.copy(b.dataStart, p + 4, <usize>len);
    return new SocketAddress(family, b, load<u16>(p, 2));
  }

  /** Reads a WASIX addr_ip struct (as written by resolve) with `port`. */
  static readIp(p: usize, port: u16): SocketAddress | null {
    const family = load<u8>(p);
    const len = family == AF_INET4 ? 4 : family == AF_INET6 ? 16 : 0;
    if (len == 0) return null;
    const b = new Uint8Array(len);
    memory.copy(b.dataStart, p + 2, <usize>len);
    return new SocketAddress(family, b, port);
  }
}

/** Splits "HOST:PORT" / "[V6]:PORT" into host and port; null when malformed (port 1-65535). */
export class HostPort {
  constructor(public host: string, public port: u16) {}
  static parse(s: string): HostPort | null {
    let host: string;
    let portText: string;
    if (s.startsWith("[")) {
      const close = s.indexOf("]:");
      if (close < 0) return null;
      host = s.substring(1, close);
      portText = s.substring(close + 2);
    } else {
      const colon = s.lastIndexOf(":");
      if (colon <= 0 || s.indexOf(":") != colon) return null;
      host = s.substring(0, colon);
      portText = s.substring(colon + 1);
    }
    if (host.length == 0 || portText.length == 0 || portText.length > 5) return null;
    let port: u32 = 0;
    for (let i = 0; i < portText.length; i++) {
      const c = portText.charCodeAt(i);
      if (c < 48 || c > 57) return null;
      port = port * 10 + <u32>(c - 48);
    }
    if (port == 0 || port > 65535) return null;
    return new HostPort(host, <u16>port);
  }
}

/** Parses a literal IPv4 ("1.2.3.4") address; null when it is not one. */
export function parseIPv4(s: string): Uint8Array | null {
  const parts = s.split(".");
  if (parts.length != 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (p.length == 0 || p.length > 3) return null;
    let v: u32 = 0;
    for (let j = 0; j < p.length; j++) {
      const c = p.charCodeAt(j);
      if (c < 48 || c > 57) return null;
      v = v * 10 + <u32>(c - 48);
    }
    if (v > 255) return null;
    out[i] = <u8>v;
  }
  return out;
}

/** Parses a literal IPv6 address ("::1", "fe80::1:2"); null when it is not one. No zone ids, no embedded IPv4. */
export function parseIPv6(s: string): Uint8Array | null {
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const head = halves[0].length > 0 ? halves[0].split(":") : new Array<string>();
  const tail = halves.length == 2 && halves[1].length > 0 ? halves[1].split(":") : new Array<string>();
  const groups = head.length + tail.length;
  if (groups > 8 || (halves.length == 1 && groups != 8) || (halves.length == 2 && groups > 7)) return null;
  const out = new Uint8Array(16);
  for (let i = 0; i < head.length; i++) if (!putGroup(out, i, head[i])) return null;
  for (let i = 0; i < tail.length; i++) if (!putGroup(out, 8 - tail.length + i, tail[i])) return null;
  return out;
}

function putGroup(out: Uint8Array, index: i32, g: string): bool {
  if (g.length == 0 || g.length > 4) return false;
  let v: u32 = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g.charCodeAt(i);
    let d: i32 = -1;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    if (d < 0) return false;
    v = (v << 4) | <u32>d;
  }
  out[index * 2] = <u8>(v >> 8);
  out[index * 2 + 1] = <u8>v;
  return true;
}

/** The literal address in `hp`, or null when its host is a name (to be resolved). */
export function literalAddress(hp: HostPort): SocketAddress | null {
  const v4 = parseIPv4(hp.host);
  if (v4 != null) return new SocketAddress(AF_INET4, v4, hp.port);
  const v6 = parseIPv6(hp.host);
  if (v6 != null) return new SocketAddress(AF_INET6, v6, hp.port);
  return null;
}

// The outgoing-connection policy: which addresses a guest may connect to (WASIX sock_connect) and which names
// it may look up (WASIX resolve). Deny by default: no rule, no connection.
//
// A rule (--allow-connect RULE, or allowConnect: [RULE] in start()) is TARGET:PORTS where PORTS is a port
// 1-65535 or '*' (any port) and TARGET is
//   - an IPv4 address or CIDR (10.0.0.1, 10.0.0.0/8), or an IPv6 address or CIDR in brackets ([::1], [fd00::/8]);
//   - 'localhost': 127.0.0.1 and ::1 (no lookup);
//   - another host name: looked up once at start (allowed: the user named it); its addresses are allowed, and so
//     are the addresses a later guest `resolve` of that name returns.
// An IPv4-mapped IPv6 target (::ffff:a.b.c.d) is checked as the IPv4 address.
// The rule 'any' allows every address, port and name: the only rule a wasmtime >= 47 can carry out, since its
// CLI grants a component the whole network or none of it.
import { lookup } from 'node:dns/promises';
import { WasmuxError } from './errors.js';
import { formatIp, parseIp, unmapIp, type IpBytes } from './wasix/address.js';

/** A parsed rule, before names are looked up. */
interface ConnectRule {
  text: string;
  /** A host name (lower case, no trailing dot), or null for an address/CIDR rule. */
  name: string | null;
  /** Address ranges (for names: filled at start and by later guest lookups). */
  nets: Cidr[];
  /** null = any port. */
  port: number | null;
}

interface Cidr {
  ip: IpBytes;
  bits: number;
}

const NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function malformed(spec: unknown): WasmuxError {
  return new WasmuxError(
    `malformed --allow-connect rule '${String(spec)}' (expected HOST:PORT, HOST:*, CIDR:PORT, CIDR:* or any)`,
    { usage: true },
  );
}

/** Parses an address or CIDR ('10.0.0.0/8', '::1', 'fd00::/8'), or null. */
function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const ipText = slash < 0 ? text : text.slice(0, slash);
  if (ipText.includes('%')) return null;
  const ip = parseIp(ipText);
  if (!ip) return null;
  const max = ip.length * 8;
  let bits = max;
  if (slash >= 0) {
    const b = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(b) || Number(b) > max) return null;
    bits = Number(b);
  }
  // A mapped IPv4 address given as IPv6 (/96 or longer) means the IPv4 address: targets are checked that way.
  const un = unmapIp(ip);
  if (un.length === 4 && bits >= 96) return { ip: un, bits: bits - 96 };
  return { ip, bits };
}

/** The rule that allows everything, and the name it answers to (no host name can be '*'). */
export const ANY_RULE = 'any';
const ANY_NAME = '*';

/** Parses one rule; throws a usage WasmuxError with the expected syntax when it is malformed. */
export function parseRule(spec: string): ConnectRule {
  if (typeof spec !== 'string') throw malformed(spec);
  if (spec === ANY_RULE) return { text: spec, name: ANY_NAME, nets: [{ ip: new Uint8Array(4), bits: 0 }, { ip: new Uint8Array(16), bits: 0 }], port: null };
  let target: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:([^:]+)$/.exec(spec);
  if (v6) {
    [, target, portText] = v6;
    if (!target.includes(':')) throw malformed(spec); // brackets are for IPv6 only
  } else {
    const i = spec.lastIndexOf(':');
    if (i <= 0) throw malformed(spec);
    target = spec.slice(0, i);
    portText = spec.slice(i + 1);
    if (target.includes(':')) throw malformed(spec); // bare IPv6 needs brackets
  }
  let port: number | null;
  if (portText === '*') port = null;
  else if (/^\d{1,5}$/.test(portText) && Number(portText) >= 1 && Number(portText) <= 65535) port = Number(portText);
  else throw malformed(spec);
  const cidr = parseCidr(target);
  if (cidr) return { text: spec, name: null, nets: [cidr], port };
  if (v6 || target.includes('/')) throw malformed(spec);
  const name = target.toLowerCase().replace(/\.$/, '');
  if (!NAME.test(name) || /^[\d.]+$/.test(name)) throw malformed(spec); // '1.2.3' is not a name
  if (name === 'localhost') {
    return { text: spec, name, nets: [{ ip: Uint8Array.of(127, 0, 0, 1), bits: 32 }, { ip: parseIp('::1')!, bits: 128 }], port };
  }
  return { text: spec, name, nets: [], port };
}

function inCidr(ip: IpBytes, c: Cidr): boolean {
  if (ip.length !== c.ip.length) return false;
  let bits = c.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip[i] & mask) !== (c.ip[i] & mask)) return false;
  }
  return true;
}

/** The checked allow-list of one guest. */
export class ConnectPolicy {
  private constructor(readonly rules: ConnectRule[]) {}

  /** Parses every rule (usage error on the first malformed one) and looks up the names they give. */
  static async create(specs: readonly string[]): Promise<ConnectPolicy> {
    const rules = specs.map(parseRule);
    const lookups = new Map<string, Promise<IpBytes[]>>();
    for (const r of rules) {
      if (r.name === null || r.name === 'localhost' || r.name === ANY_NAME || lookups.has(r.name)) continue;
      const name = r.name;
      lookups.set(name, lookup(name, { all: true }).then(
        (addrs) => addrs.map((a) => parseIp(a.address)).filter((a): a is IpBytes => a !== null),
        (e: NodeJS.ErrnoException) => {
          throw new WasmuxError(`cannot resolve --allow-connect host '${name}': ${e.code ?? e.message}`);
        },
      ));
    }
    const policy = new ConnectPolicy(rules);
    for (const r of rules) {
      const p = r.name !== null ? lookups.get(r.name) : undefined;
      if (p) policy.learn([r], await p);
    }
    return policy;
  }

  /** True when a rule allows a connection to ip:port (anyPort: to ip on some port). */
  allows(ip: IpBytes, port: number, anyPort = false): boolean {
    const target = unmapIp(ip);
    return this.rules.some((r) => (anyPort || r.port === null || r.port === port) && r.nets.some((c) => inCidr(target, c)));
  }

  /**
   * The rules that let the guest look up `name` for `port` (port 0: any port); empty means the lookup is denied.
   * Names compare case-insensitively, without a trailing dot.
   */
  rulesNaming(name: string, port: number): ConnectRule[] {
    const n = name.toLowerCase().replace(/\.$/, '');
    return this.rules.filter((r) => (r.name === n || r.name === ANY_NAME) && (port === 0 || r.port === null || r.port === port));
  }

  /** Records that a guest lookup of a name gave these addresses: they are allowed for the rules naming it. */
  learn(rules: ConnectRule[], addrs: IpBytes[]): void {
    for (const r of rules) {
      if (r.name === ANY_NAME) continue; // allows every address already
      for (const ip of addrs) {
        const u = unmapIp(ip);
        if (!r.nets.some((c) => c.bits === u.length * 8 && inCidr(u, c))) r.nets.push({ ip: u, bits: u.length * 8 });
      }
    }
  }

  /** For messages and tests: the addresses and ranges each rule allows. */
  describe(): string[] {
    return this.rules.map((r) => `${r.text} -> ${r.nets.map((c) => `${formatIp(c.ip)}/${c.bits}`).join(', ') || '(nothing)'}`);
  }
}

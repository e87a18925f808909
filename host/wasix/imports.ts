// The wasix_32v1 import object: the five WASIX calls a TCP client needs (sock_open, sock_connect,
// sock_addr_local, sock_addr_peer, resolve). Sockets live in the same fd table as everything else: sock_open
// adds a TcpStream in phase 'unconnected'; once connected it is the same object as an accepted stream.
// Rule as for preview1 (wasi/table.ts): nothing here throws on guest input; every pointer is checked (FAULT).
// One builder per function; WASIX_IMPORTS is this module's row of the import table.
import { Buffer } from 'node:buffer';
import { lookup } from 'node:dns/promises';
import type { Writable } from 'node:stream';
import { Errno } from '../wasi/abi.js';
import type { GuestMemory } from '../wasi/guest-memory.js';
import type { FdTable } from '../fd-table.js';
import { TcpStream, type SockName } from '../sockets/tcp-stream.js';
import { newSharedBufferSocket } from '../sockets/shared-read-buffer.js';
import type { Waker } from '../wait/waker.js';
import type { WaitStrategy } from '../wait/strategy.js';
import type { ImportSpec } from '../wasi/context.js';
import type { ConnectPolicy } from '../policy.js';
import {
  ADDR_IP_SIZE, formatAddrPort, formatIp, parseIp, readAddrPort, TAG_INET4, TAG_INET6, writeAddrIp, writeAddrPort,
  type IpBytes,
} from './address.js';

const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const IPPROTO_TCP = 6;
/** Longest host name resolve accepts (DNS allows 253 characters). */
const MAX_NAME = 1024;

export interface WasixContext {
  mem: GuestMemory;
  fds: FdTable;
  waker: Waker;
  strategy: WaitStrategy;
  policy: ConnectPolicy;
  /** Where the "connect ... denied" line goes (the guest's stderr sink, or the process's stderr). */
  stderr: Writable;
}

/** Writes a socket's name as an addr_port, or NOTCONN when it has none. */
function writeName(mem: GuestMemory, ptr: number, name: SockName | null): number {
  if (!name) return Errno.NOTCONN;
  const ip = parseIp(name.address);
  if (!ip) return Errno.NOTCONN;
  return writeAddrPort(mem, ptr, ip, name.port);
}

/** sock_open(af, socktype, proto, *fd): an unconnected TCP stream (no UDP). */
function sockOpen(ctx: WasixContext) {
  const { mem, fds, waker } = ctx;
  return (af: number, socktype: number, proto: number, fdPtr: number): number => {
    af &= 0xff;
    socktype &= 0xff;
    proto &= 0xffff;
    if (af !== TAG_INET4 && af !== TAG_INET6) return Errno.AFNOSUPPORT;
    if (socktype === SOCK_DGRAM) return Errno.NOTSUP; // no UDP
    if (socktype !== SOCK_STREAM) return Errno.INVAL;
    if (proto !== 0 && proto !== IPPROTO_TCP) return Errno.PROTONOSUPPORT;
    if (!mem.ok(fdPtr, 4)) return Errno.FAULT;
    const socket = newSharedBufferSocket({ allowHalfOpen: true });
    const stream = new TcpStream(socket, false, waker.hub, { phase: 'unconnected', family: af === TAG_INET4 ? 4 : 6 });
    mem.setU32(fdPtr, fds.add({ kind: 'stream', stream }));
    return Errno.SUCCESS;
  };
}

/** sock_connect(fd, *addr_port): only to destinations the --allow-connect policy allows. */
function sockConnect(ctx: WasixContext) {
  const { mem, fds, waker, policy } = ctx;
  return ctx.strategy.wrap((fd: number, addrPtr: number): number | Promise<number> => {
    const e = fds.socket(fd);
    if (typeof e === 'number') return e;
    if (e.kind === 'listener') return Errno.ISCONN; // a listening socket cannot connect (Linux: EISCONN/EINVAL)
    const st = e.stream;
    const a = readAddrPort(mem, addrPtr);
    if (typeof a === 'number') return a;
    switch (st.phase) {
      case 'connecting': return Errno.ALREADY;
      case 'connected': return Errno.ISCONN;
      case 'failed': return st.takeConnectError() || Errno.CONNABORTED; // a failed socket is not reused
      case 'unconnected': break;
    }
    if ((a.ip.length === 4 ? 4 : 6) !== st.family) return Errno.AFNOSUPPORT;
    if (!policy.allows(a.ip, a.port)) {
      ctx.stderr.write(`wasmux: connect to ${formatAddrPort(a.ip, a.port)} denied (no --allow-connect rule matches)\n`);
      return Errno.NOTCAPABLE;
    }
    st.connect(formatIp(a.ip), a.port);
    if (st.nonblock) return Errno.INPROGRESS;
    // Blocking: wait until the outcome is known; a failure is answered here (and so taken).
    return (async () => {
      while (st.phase === 'connecting') await waker.wait(null);
      if (st.phase === 'connected') return Errno.SUCCESS;
      return st.takeConnectError() || Errno.CONNABORTED;
    })();
  });
}

/** sock_addr_local(fd, *addr_port). */
function sockAddrLocal(ctx: WasixContext) {
  const { mem, fds } = ctx;
  return (fd: number, ptr: number): number => {
    const e = fds.socket(fd);
    if (typeof e === 'number') return e;
    if (e.kind === 'listener') {
      const ip = parseIp(e.listener.host);
      return ip ? writeAddrPort(mem, ptr, ip, e.listener.port) : Errno.INVAL;
    }
    const st = e.stream;
    if (st.phase !== 'connected') return st.takeConnectError() || Errno.NOTCONN;
    return writeName(mem, ptr, st.localName);
  };
}

/** sock_addr_peer(fd, *addr_port). */
function sockAddrPeer(ctx: WasixContext) {
  const { mem, fds } = ctx;
  return (fd: number, ptr: number): number => {
    const e = fds.socket(fd);
    if (typeof e === 'number') return e;
    if (e.kind === 'listener') return Errno.NOTCONN;
    const st = e.stream;
    if (st.phase !== 'connected') return st.takeConnectError() || Errno.NOTCONN;
    return writeName(mem, ptr, st.peerName);
  };
}

/** resolve(host, len, port, *addrs, naddrs, *n): only names (or literals) an --allow-connect rule names. */
function resolve(ctx: WasixContext) {
  const { mem, policy } = ctx;
  return ctx.strategy.wrap((
    hostPtr: number, hostLen: number, port: number, addrsPtr: number, naddrs: number, nPtr: number,
  ): number | Promise<number> => {
    hostLen >>>= 0;
    naddrs >>>= 0;
    port >>>= 0;
    if (hostLen === 0 || hostLen > MAX_NAME || port > 65535) return Errno.INVAL;
    if (!mem.ok(hostPtr, hostLen) || !mem.ok(nPtr, 4) || !mem.ok(addrsPtr, naddrs * ADDR_IP_SIZE)) return Errno.FAULT;
    const name = Buffer.from(mem.bytes(hostPtr, hostLen)).toString('utf8');
    const answer = (ips: IpBytes[]): number => {
      const n = Math.min(ips.length, naddrs);
      for (let i = 0; i < n; i++) writeAddrIp(mem, addrsPtr + i * ADDR_IP_SIZE, ips[i]);
      mem.setU32(nPtr, n);
      return Errno.SUCCESS;
    };
    const literal = parseIp(name);
    if (literal) return policy.allows(literal, port, port === 0) ? answer([literal]) : Errno.NOTCAPABLE;
    const rules = policy.rulesNaming(name, port);
    if (rules.length === 0) return Errno.NOTCAPABLE; // not named by any rule: no DNS query
    if (rules[0].name === 'localhost') return answer([Uint8Array.of(127, 0, 0, 1), parseIp('::1')!]);
    return lookup(rules[0].name!, { all: true }).then(
      (addrs) => {
        const ips = addrs.map((x) => parseIp(x.address)).filter((x): x is IpBytes => x !== null);
        policy.learn(rules, ips);
        return answer(ips);
      },
      (err: NodeJS.ErrnoException) => (err.code === 'ENOTFOUND' || err.code === 'ENODATA' ? Errno.NOENT : Errno.IO),
    );
  });
}

/** The wasix_32v1 rows of the import table: the five calls a TCP client needs, all implemented by the host. */
export const WASIX_IMPORTS: Readonly<Record<string, ImportSpec<WasixContext>>> = {
  sock_open: { decision: 'ours', why: 'an unconnected host TCP stream', make: sockOpen },
  sock_connect: { decision: 'ours', why: 'only where --allow-connect allows', make: sockConnect },
  sock_addr_local: { decision: 'ours', why: 'host sockets; NOTSOCK on anything else', make: sockAddrLocal },
  sock_addr_peer: { decision: 'ours', why: 'host sockets; NOTSOCK on anything else', make: sockAddrPeer },
  resolve: { decision: 'ours', why: 'only names an --allow-connect rule names', make: resolve },
};

/** The functions of wasix_32v1 that wasmux provides (the runner refuses modules importing any other). */
export const WASIX_FUNCTIONS = Object.keys(WASIX_IMPORTS);

/** Builds the wasix_32v1 import object from the table. */
export function makeWasixImports(ctx: WasixContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(WASIX_IMPORTS)) out[name] = spec.make(ctx);
  return out;
}

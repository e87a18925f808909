// Parsing of the user-facing address forms: listen addresses 'HOST:PORT' / '[IPv6]:PORT' and dir specs
// 'HOST[::GUEST]'.
import net from 'node:net';
import { WasmuxError } from './errors.js';

/** A parsed listen address. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses 'HOST:PORT' or '[IPv6]:PORT' (port 0 = ephemeral); throws WasmuxError on anything else. */
export function parseListen(spec: string): ListenAddress {
  const bad = () => new WasmuxError(`malformed listen address '${spec}' (expected HOST:PORT or [IPv6]:PORT)`, { usage: true });
  if (typeof spec !== 'string') throw new WasmuxError('listen address must be a string like 127.0.0.1:8080', { usage: true });
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(spec);
  if (v6) {
    host = v6[1];
    portText = v6[2];
    if (net.isIPv6(host) === false) throw bad();
  } else {
    const i = spec.lastIndexOf(':');
    if (i <= 0) throw bad();
    host = spec.slice(0, i);
    portText = spec.slice(i + 1);
    if (host.includes(':')) throw bad(); // bare IPv6 needs brackets
    if (!net.isIPv4(host) && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) throw bad();
  }
  if (!/^\d{1,5}$/.test(portText)) throw bad();
  const port = Number(portText);
  if (port > 65535) throw bad();
  return { host, port };
}

/** A parsed directory preopen: host path and the name the guest sees. */
export interface DirSpec {
  hostPath: string;
  guestPath: string;
}

/** Parses 'HOST[::GUEST]'; the guest path defaults to the host path. */
export function parseDir(spec: string): DirSpec {
  if (typeof spec !== 'string' || spec.length === 0) throw new WasmuxError(`malformed dir '${String(spec)}' (expected HOST[::GUEST])`, { usage: true });
  const i = spec.indexOf('::');
  const hostPath = i < 0 ? spec : spec.slice(0, i);
  const guestPath = i < 0 ? spec : spec.slice(i + 2);
  if (!hostPath || !guestPath) throw new WasmuxError(`malformed dir '${spec}' (expected HOST[::GUEST])`, { usage: true });
  return { hostPath, guestPath };
}

/** Formats host:port with brackets for IPv6, as printed by the CLI. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// The embedding API's types: what start() takes (StartOptions) and what it answers (Running). Checked by
// validate-options.ts; carried out by the runners in runners/.
import type { Writable } from 'node:stream';

/** Options of start(); see docs/host.md. */
export interface StartOptions {
  /** Path of a .wasm file, or its bytes. */
  module: string | Uint8Array | ArrayBuffer;
  /** Listen addresses 'HOST:PORT' or '[IPv6]:PORT'; they become guest fds 3, 4, ... in this order. */
  listen?: string[];
  /** Guest arguments after argv[0] (argv[0] is the module's file name). */
  args?: string[];
  /** Guest environment (the host's own environment is not passed on). LISTEN_FDS is added. */
  env?: Record<string, string>;
  /** Directory preopens 'HOST[::GUEST]', guest fds after the listeners. */
  dirs?: string[];
  /** Where guest stdout / stderr go: the process's own fds ('inherit', default) or a Writable. */
  stdout?: 'inherit' | Writable;
  stderr?: 'inherit' | Writable;
  /** Wait strategy; default: WASMUX_WAIT, else JSPI when available, else Asyncify. Node host only. */
  wait?: 'jspi' | 'asyncify';
  /** Largest module file accepted, in bytes (default 256 MiB); a path must name a regular file. */
  maxModuleSize?: number;
  /** Which runtime runs the module: the embedded Node host (default) or the wasmtime CLI. */
  host?: 'node' | 'wasmtime';
  /** The wasmtime CLI to use (host wasmtime); default: the pinned one in the cache, $WASMTIME, PATH, the current one in the cache. */
  wasmtime?: string;
  /**
   * Outgoing connections the guest may make with the WASIX calls: rules HOST:PORT, HOST:*, CIDR:PORT, CIDR:*
   * (IPv6 in brackets; 'localhost' = 127.0.0.1 and ::1), or 'any' (every address, port and name). Default:
   * none (deny all). wasmtime 47 and later cannot restrict addresses: there 'any' is the only rule accepted.
   */
  allowConnect?: string[];
}

/** A listener as bound: the actual port (useful with port 0) and its guest fd. */
export interface BoundAddress {
  host: string;
  port: number;
  fd: number;
}

/** A running guest. */
export interface Running {
  addresses: BoundAddress[];
  /** The runtime running the guest. */
  host: 'node' | 'wasmtime';
  /** How the guest waits: 'jspi' or 'asyncify' on the Node host; 'os' under wasmtime (it blocks in the kernel). */
  wait: 'jspi' | 'asyncify' | 'os';
  /** Resolves with the exit code: proc_exit's code, 0 when _start returns, 134 on a trap. Never rejects. */
  exited: Promise<number>;
  /** Set when the guest trapped (or the host failed inside an import). */
  readonly error: Error | null;
  /** Closes listeners and connections and ends the guest (exit code `code`, default 0); resolves like exited. */
  stop(code?: number): Promise<number>;
}

/** Exit code reported when the guest traps, like a process killed by SIGABRT. */
export const TRAP_EXIT_CODE = 134;

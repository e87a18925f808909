// The one check of start()'s options, used by start() (and so by both runners, which take only checked
// options) and by the CLI. Every bad option is a usage WasmuxError with one line that names the option the
// way the caller wrote it: `option wait` in the API, `--wait` on the command line.
import type { Writable } from 'node:stream';
import { parseDir, parseListen, type ListenAddress } from './address.js';
import { WasmuxError } from './errors.js';
import type { StartOptions } from './options.js';
import { ANY_RULE, parseRule } from './policy.js';

/** start()'s options once checked: defaults filled in, listen addresses parsed, sinks resolved. */
export interface CheckedOptions {
  module: string | Uint8Array | ArrayBuffer;
  host: 'node' | 'wasmtime';
  /** The listen addresses as given (for messages) and parsed, in the same order. */
  listen: string[];
  addresses: ListenAddress[];
  args: string[];
  env: Record<string, string>;
  dirs: string[];
  /** undefined: the process's own stdout / stderr. */
  stdout: Writable | undefined;
  stderr: Writable | undefined;
  wait: 'jspi' | 'asyncify' | undefined;
  allowConnect: string[];
  /** Largest module file accepted, in bytes; undefined: the loader's default. */
  maxModuleSize: number | undefined;
  /** An explicit wasmtime CLI (host wasmtime only). */
  wasmtime: string | undefined;
}

/** How messages name an option: as an API option or as a command-line flag. */
export type OptionStyle = 'api' | 'cli';

const FLAGS: Record<string, string> = {
  module: 'MODULE', listen: '--listen', args: 'ARGS', env: '--env', dirs: '--dir', stdout: 'stdout', stderr: 'stderr',
  wait: '--wait', host: '--host', allowConnect: '--allow-connect', maxModuleSize: '--max-module-size', wasmtime: 'wasmtime',
};

/** Checks start()'s options; throws a one-line usage WasmuxError on the first bad one. */
export function validateOptions(options: StartOptions, style: OptionStyle = 'api'): CheckedOptions {
  const name = (key: string) => (style === 'cli' ? FLAGS[key] : `option ${key}`);
  const bad = (message: string) => new WasmuxError(message, { usage: true });
  if (!options || typeof options !== 'object') throw bad('start() needs an options object');
  const host = options.host ?? 'node';
  if (host !== 'node' && host !== 'wasmtime') throw bad(`unknown host '${String(host)}' (expected node or wasmtime)`);
  const module = options.module;
  const isBytes = module instanceof Uint8Array || module instanceof ArrayBuffer;
  if (!isBytes && (typeof module !== 'string' || module === '')) throw bad(`${name('module')} must be a file path or bytes`);
  const listen = stringList(options.listen, `${name('listen')} must be an array of HOST:PORT strings`);
  const args = stringList(options.args, `${name('args')} must be an array of strings`);
  const dirs = stringList(options.dirs, `${name('dirs')} must be an array of HOST[::GUEST] strings`);
  const allowConnect = stringList(options.allowConnect, `${name('allowConnect')} must be an array of rule strings like 127.0.0.1:6379`);
  const env = options.env === undefined ? {} : options.env;
  if (typeof env !== 'object' || env === null || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string')) {
    throw bad(`${name('env')} must be an object of strings`);
  }
  const wait = options.wait;
  if (wait !== undefined && wait !== 'jspi' && wait !== 'asyncify') {
    throw bad(`unknown wait strategy '${String(wait)}' (expected jspi or asyncify)`);
  }
  const maxModuleSize = options.maxModuleSize;
  if (maxModuleSize !== undefined && (!Number.isSafeInteger(maxModuleSize) || maxModuleSize <= 0)) {
    throw bad(`${name('maxModuleSize')} must be a positive whole number of bytes`);
  }
  const wasmtime = options.wasmtime;
  if (wasmtime !== undefined && (typeof wasmtime !== 'string' || wasmtime === '')) throw bad(`${name('wasmtime')} must be the path of a wasmtime CLI`);
  const checked: CheckedOptions = {
    module, host, listen, addresses: listen.map(parseListen), args, env, dirs,
    stdout: sink(options.stdout, name('stdout')), stderr: sink(options.stderr, name('stderr')), wait, allowConnect,
    maxModuleSize, wasmtime,
  };
  dirs.forEach(parseDir);
  allowConnect.forEach(parseRule);
  if (host === 'wasmtime') checkWasmtimeRules(checked, name);
  return checked;
}

/** What only the Node host can do. */
function checkWasmtimeRules(o: CheckedOptions, name: (key: string) => string): void {
  if (o.wait !== undefined) {
    throw new WasmuxError(`${name('wait')} applies to the Node host only (wasmtime blocks in the OS)`, { usage: true });
  }
  // wasmtime >= 47 can grant a component every address or none (its CLI has no per-address rule), and
  // wasmtime 36 runs no connecting program at all: the one rule it takes is 'any', and only on its own.
  if (o.allowConnect.some((r) => r !== ANY_RULE)) {
    throw new WasmuxError(
      `${name('allowConnect')} on wasmtime takes only '${ANY_RULE}' (wasmtime 47 and later cannot restrict addresses; '${ANY_RULE}' grants every address); address rules apply to the Node host only`,
      { usage: true },
    );
  }
}

/** An optional array of strings, else a usage error with `message`. */
function stringList(value: unknown, message: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new WasmuxError(message, { usage: true });
  return value as string[];
}

/** 'inherit' (or nothing) becomes undefined; a Writable is kept; anything else is a usage error. */
function sink(value: unknown, label: string): Writable | undefined {
  if (value === undefined || value === 'inherit') return undefined;
  if (typeof value === 'object' && value !== null && typeof (value as Writable).write === 'function') return value as Writable;
  throw new WasmuxError(`${label} must be 'inherit' or a Writable stream`, { usage: true });
}

// Command-line parsing for the `wasmux` binary. Hand-written (no dependency) so that every mistake becomes one
// clear usage line. Options may be given as `--opt value` or `--opt=value`; everything after the module path
// (an optional leading `--` is dropped) is passed to the guest unchanged.

/** A usage error: printed as one `wasmux: ...` line, exit code 2. */
export class UsageError extends Error {}

/** Parsed `wasmux run` options. */
export interface RunArgs {
  command: 'run';
  listen: string[];
  env: Record<string, string>;
  dirs: string[];
  allowConnect: string[];
  wait?: 'jspi' | 'asyncify';
  host: 'node' | 'wasmtime';
  /** --max-module-size in bytes, when given. */
  maxModuleSize?: number;
  module: string;
  args: string[];
}

export type Parsed =
  | RunArgs
  | { command: 'bench'; argv: string[] }
  | { command: 'soak'; argv: string[] }
  | { command: 'help'; topic: 'main' | 'run' }
  | { command: 'version' };

export const MAIN_HELP = `Usage: wasmux <command> [options]

Commands:
  run      Run a WASI preview1 command module with pre-opened TCP listeners
  bench    Benchmark the core loop and the example servers against their peers (wasmux bench --help)
  soak     Run the example servers under long random load and check every byte (wasmux soak --help)

Options:
  -h, --help     Show this help (wasmux run --help for the run options)
  -V, --version  Show the version
`;

export const RUN_HELP = `Usage: wasmux run [options] MODULE.wasm [--] [ARGS...]

Runs MODULE.wasm (a WASI preview1 command module). Listeners are guest fds 3, 4, ... in the order given,
then the --dir preopens; LISTEN_FDS=<number of listeners> is set in the guest environment.

Options:
  -l, --listen HOST:PORT     Pre-open a TCP listener (repeatable; port 0 = any free port; IPv6 as [::1]:PORT)
  -e, --env KEY=VALUE        Set a guest environment variable (repeatable; the host environment is not passed)
      --dir HOST[::GUEST]    Pre-open a host directory, seen by the guest as GUEST (repeatable)
      --allow-connect RULE   Let the guest connect out (WASIX sockets; repeatable; default: none):
                             HOST:PORT, HOST:*, CIDR:PORT or CIDR:* (IPv6 in brackets: [::1]:*, [fd00::/8]:443;
                             localhost = 127.0.0.1 and ::1; other names are looked up once at start), or
                             'any': every address, port and name. wasmtime >= 47 cannot restrict addresses,
                             so there 'any' is the only rule, and it grants every address (Node host: all rules)
      --wait jspi|asyncify   How the guest waits for I/O (default: WASMUX_WAIT, else jspi on Node >= 24, else asyncify)
      --host node|wasmtime   Runtime that runs the module (default node: the embedded host, nothing to install;
                             wasmtime: the pinned CLI from npm run setup:wasmtime, then $WASMTIME, then PATH)
      --max-module-size SIZE Largest module file accepted (default 256M; bytes, or with a K, M or G suffix)
  -h, --help                 Show this help

Exit status: the guest's exit code; 130 after SIGINT, 143 after SIGTERM; 134 when the guest traps;
1 when the module cannot be run; 2 for usage errors.
`;

const RUN_VALUE_OPTS: Record<string, string> = {
  '-l': 'listen', '--listen': 'listen', '-e': 'env', '--env': 'env', '--dir': 'dir', '--wait': 'wait', '--host': 'host',
  '--allow-connect': 'allow-connect', '--max-module-size': 'max-module-size',
};

/** Parses a size like 300M (K, M, G: powers of 1024) into bytes; null when malformed or zero. */
function parseSize(text: string): number | null {
  const m = /^(\d+)([KMG]?)$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]) * 1024 ** ' KMG'.indexOf(m[2].toUpperCase() || ' ');
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Parses argv (without node and script path). Throws UsageError on bad input. */
export function parseArgs(argv: string[]): Parsed {
  if (argv.length === 0) throw new UsageError("missing command (try 'wasmux --help')");
  const [cmd, ...rest] = argv;
  if (cmd === '-h' || cmd === '--help' || cmd === 'help') return { command: 'help', topic: 'main' };
  if (cmd === '-V' || cmd === '--version') return { command: 'version' };
  if (cmd.startsWith('-')) throw new UsageError(`unknown option '${cmd}' (try 'wasmux --help')`);
  if (cmd === 'bench') return { command: 'bench', argv: rest };
  if (cmd === 'soak') return { command: 'soak', argv: rest };
  if (cmd !== 'run') throw new UsageError(`unknown command '${cmd}' (try 'wasmux --help')`);
  return parseRun(rest);
}

function parseRun(argv: string[]): Parsed {
  const out: RunArgs = { command: 'run', listen: [], env: {}, dirs: [], allowConnect: [], host: 'node', module: '', args: [] };
  let i = 0;
  while (i < argv.length) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return { command: 'help', topic: 'run' };
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break; // the module path
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const opt = RUN_VALUE_OPTS[name];
    if (!opt) throw new UsageError(`unknown option '${name}' (try 'wasmux run --help')`);
    let value: string;
    if (eq > 0) value = a.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`option ${name} needs a value`);
      value = argv[++i];
    }
    i++;
    switch (opt) {
      case 'listen': out.listen.push(value); break;
      case 'dir': out.dirs.push(value); break;
      case 'allow-connect': out.allowConnect.push(value); break;
      case 'env': {
        const k = value.indexOf('=');
        if (k <= 0) throw new UsageError(`malformed --env '${value}' (expected KEY=VALUE)`);
        out.env[value.slice(0, k)] = value.slice(k + 1);
        break;
      }
      case 'wait':
        if (value !== 'jspi' && value !== 'asyncify') throw new UsageError(`unknown --wait '${value}' (expected jspi or asyncify)`);
        out.wait = value;
        break;
      case 'max-module-size': {
        const n = parseSize(value);
        if (n === null) throw new UsageError(`malformed --max-module-size '${value}' (expected a size like 300M)`);
        out.maxModuleSize = n;
        break;
      }
      case 'host':
        if (value !== 'node' && value !== 'wasmtime') throw new UsageError(`unknown --host '${value}' (expected node or wasmtime)`);
        out.host = value;
        break;
    }
  }
  if (i >= argv.length) throw new UsageError("missing MODULE.wasm (try 'wasmux run --help')");
  out.module = argv[i++];
  if (argv[i] === '--') i++;
  out.args = argv.slice(i);
  return out;
}

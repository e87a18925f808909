// `wasmux soak` options: the help text and the parser. Durations accept 90, 90s, 10m or 1h; every mistake is
// one usage line (exit 2), never a stack trace.
import { NODE_HOST_V8_FLAGS } from '../../host/cli/node-flags.js';

/** The example servers the soak drives, each with its own traffic and checker. */
export const SOAK_SERVERS = ['echo', 'chat', 'http', 'kv'] as const;
export type SoakServerName = (typeof SOAK_SERVERS)[number];
/** The hosts a server runs on: the embedded Node host and the wasmtime CLI. */
export const SOAK_HOSTS = ['node', 'wasmtime'] as const;
export type SoakHost = (typeof SOAK_HOSTS)[number];

export interface SoakOptions {
  durationS: number;
  servers: SoakServerName[];
  hosts: SoakHost[];
  connections: number;
  seed: number;
  out: string | null;
  /** Seconds between RSS samples and progress lines. */
  intervalS: number;
  /** How many host+server pairs run at the same time. */
  parallel: number;
  /** Largest write or value, in bytes. */
  maxSize: number;
  /** Seconds without progress after which an exchange counts as stalled (its bytes lost). */
  stallS: number;
  /** Flags for node in front of every server's `wasmux run` (the wasmux process of both hosts). */
  nodeFlags: readonly string[];
}

export const SOAK_HELP = `Usage: wasmux soak [options]

Drives the example servers (echo, chat, http, kv) on both hosts with many connections, random sizes,
random half-closes and resets, and checks every byte that comes back. Samples each server's RSS, prints a
progress line every interval, and writes soak.json and soak.svg (RSS and ops/s over time) to --out.
Exits 1 with one line per missed goal: 0 bytes lost, 0 unexpected errors, RSS growth after the first
minute < 5 %.

Options:
  --duration TIME      How long each host+server pair runs: 90, 90s, 10m, 1h (default 10m)
  --servers LIST       Servers, comma-separated: echo, chat, http, kv (default: all)
  --hosts LIST         Hosts, comma-separated: node, wasmtime (default: both)
  --connections N      Connections per host+server pair (default 100)
  --parallel N         Pairs running at the same time (default: all of them; 1 = one after another)
  --seed N             Seed of the traffic's random choices and bytes (default: from the clock, printed)
  --out DIR            Where soak.json and soak.svg go (default: no files)
  --interval TIME      RSS sample and progress interval (default 10s)
  --max-size BYTES     Largest write or value (default 65536)
  --stall TIME         No progress for this long counts as a stall: its bytes are lost (default 30s)
  --node-flags FLAGS   Flags for node running each server's wasmux process, space-separated; '' for
                       none (default: the wasmux bin's, ${NODE_HOST_V8_FLAGS.join(' ')})
  -h, --help           Show this help
`;

/** A usage error of `wasmux soak`: one line, exit code 2. */
export class SoakUsage extends Error {}

/** Seconds in "90", "90s", "10m", "1h" or "1.5m"; throws SoakUsage otherwise. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!m) throw new SoakUsage(`${what} must look like 90, 90s, 10m or 1h, not '${text}'`);
  const n = Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
  if (!(n > 0)) throw new SoakUsage(`${what} must be more than 0`);
  return n;
}

function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new SoakUsage(`${what} must be a positive integer, not '${text}'`);
  return n;
}

function list<T extends string>(text: string, known: readonly T[], what: string): T[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new SoakUsage(`${what} needs at least one of ${known.join(', ')}`);
  for (const s of items) if (!known.includes(s as T)) throw new SoakUsage(`unknown ${what.replace(/^--/, '').replace(/s$/, '')} '${s}' (expected ${known.join(', ')})`);
  return [...new Set(items)] as T[];
}

/** Parses `wasmux soak` argv; 'help' for -h/--help. Throws SoakUsage on bad input. */
export function parseSoakArgs(argv: string[]): SoakOptions | 'help' {
  const o: SoakOptions = {
    durationS: 600, servers: [...SOAK_SERVERS], hosts: [...SOAK_HOSTS], connections: 100,
    seed: Date.now() % 0x7fffffff, out: null, intervalS: 10, parallel: 0, maxSize: 65536, stallS: 30, nodeFlags: NODE_HOST_V8_FLAGS,
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let value: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { value = a.slice(eq + 1); a = a.slice(0, eq); }
    const take = (): string => {
      const v = value ?? argv[++i];
      if (v === undefined) throw new SoakUsage(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '-h': case '--help': return 'help';
      case '--duration': o.durationS = parseDuration(take(), a); break;
      case '--interval': o.intervalS = parseDuration(take(), a); break;
      case '--stall': o.stallS = parseDuration(take(), a); break;
      case '--servers': o.servers = list(take(), SOAK_SERVERS, a); break;
      case '--hosts': o.hosts = list(take(), SOAK_HOSTS, a); break;
      case '--connections': o.connections = positiveInt(take(), a); break;
      case '--parallel': o.parallel = positiveInt(take(), a); break;
      case '--max-size': o.maxSize = positiveInt(take(), a); break;
      case '--seed': {
        const v = take();
        if (!/^\d+$/.test(v)) throw new SoakUsage(`--seed must be a non-negative integer, not '${v}'`);
        o.seed = Number(v) % 0x7fffffff;
        break;
      }
      case '--out': o.out = take(); break;
      case '--node-flags': {
        const flags = take().split(/\s+/).filter(Boolean);
        const bad = flags.find((f) => !f.startsWith('-'));
        if (bad !== undefined) throw new SoakUsage(`--node-flags takes node flags (each starting with -), not '${bad}'`);
        o.nodeFlags = flags;
        break;
      }
      default: throw new SoakUsage(`unknown option '${a}' (try 'wasmux soak --help')`);
    }
  }
  if (o.parallel === 0) o.parallel = o.servers.length * o.hosts.length;
  return o;
}

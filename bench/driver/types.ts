// The shape of one result row of `wasmux bench --json` (see docs/bench.md).
export interface Row {
  scenario: string;
  server: string;
  size: number | null;
  concurrency: number | null;
  rps: number | null;
  mibps: number | null;
  p50_us: number | null;
  p99_us: number | null;
  error?: string;
  [extra: string]: unknown;
}

export interface Options {
  quick: boolean;
  smoke: boolean;
  only: Set<string> | null;
  json: string | null;
  /** Seconds measured per echo point, and warm-up before it. */
  duration: number;
  warmup: number;
  sizes: number[];
  concurrencies: number[];
  /** Idle connection counts of the many scenario. */
  idle: number[];
  coreNs: number[];
  /** Guest variants for core and many: 'hot' and/or 'full' (see variants.ts). */
  variants: string[];
  /** Another build directory measured as variant 'baseline', or null. */
  baseline: string | null;
  servers: Set<string> | null;
  /** Echo and many: rounds per point (echo: servers interleaved in each), a dist directory run as 'wasmux-node-base', profiling. */
  rounds: number;
  hostBaseline: string | null;
  profile: boolean;
  /** Echo: run the Node-side servers on these Nodes (pinned versions or paths) instead of this one, or null. */
  nodes: string[] | null;
}

/** Reports progress (one line per scenario step) on stderr. */
export function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

export function errorRow(scenario: string, server: string, reason: string, extra: Partial<Row> = {}): Row {
  return { scenario, server, size: null, concurrency: null, rps: null, mibps: null, p50_us: null, p99_us: null, ...extra, error: reason };
}

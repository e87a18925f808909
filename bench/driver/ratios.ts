// Echo ratios of each wasmux host to each peer, round by round: round i of the host against round i of the peer
// (the servers are interleaved within a round, so a noisy neighbour hits both alike). Every round counts; the
// summary is the median with the lowest and highest, never a best-of.
import { splitServer } from './nodes.js';
import type { Row } from './types.js';

/** One host x peer x point: request-rate and p99-latency ratios of every round both completed. */
export interface EchoRatio {
  size: number;
  concurrency: number;
  host: string;
  peer: string;
  /** The peer's column: its kind when it runs on the host's Node (node-net@26 for wasmux-node@26), else its name. */
  column: string;
  rounds: number[];
  /** host req/s / peer req/s, per round (higher is better for the host). */
  rps: number[];
  /** host p99 / peer p99, per round (lower is better for the host). */
  p99: number[];
}

/** The middle value (mean of the two middle ones for an even count); NaN for none. */
export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Whether a host row may be compared with a peer row: both on the same Node when both carry a Node label. */
function comparable(host: string, peer: string): boolean {
  const [, hl] = splitServer(host);
  const [, pl] = splitServer(peer);
  return hl === null || pl === null || hl === pl;
}

/** Every echo ratio of the run, in row order of first appearance. */
export function echoRatios(rows: Row[]): EchoRatio[] {
  const ok = rows.filter((r) => r.scenario === 'echo' && !r.error && r.rps);
  const key = (r: Row) => `${r.server}|${r.size}|${r.concurrency}|${r.round ?? 1}`;
  const byKey = new Map(ok.map((r) => [key(r), r]));
  const out = new Map<string, EchoRatio>();
  for (const h of ok.filter((r) => r.server.startsWith('wasmux-'))) {
    for (const peer of new Set(ok.filter((r) => !r.server.startsWith('wasmux-')).map((r) => r.server))) {
      if (!comparable(h.server, peer)) continue;
      const p = byKey.get(key({ ...h, server: peer }));
      if (!p) continue;
      const k = `${h.server}|${peer}|${h.size}|${h.concurrency}`;
      let e = out.get(k);
      if (!e) {
        const column = splitServer(h.server)[1] !== null && splitServer(peer)[1] !== null ? splitServer(peer)[0] : peer;
        e = { size: h.size!, concurrency: h.concurrency!, host: h.server, peer, column, rounds: [], rps: [], p99: [] };
        out.set(k, e);
      }
      e.rounds.push(Number(h.round ?? 1));
      e.rps.push(h.rps! / p.rps!);
      e.p99.push(h.p99_us && p.p99_us ? h.p99_us / p.p99_us : Number.NaN);
    }
  }
  return [...out.values()];
}

/** "0.85x" for one round, "0.85x [0.80..0.91]" (median [lowest..highest]) for several. */
export function ratioCell(xs: number[]): string {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return '-';
  const f = (x: number) => `${x.toFixed(2)}x`;
  return v.length === 1 ? f(v[0]) : `${f(median(v))} [${Math.min(...v).toFixed(2)}..${Math.max(...v).toFixed(2)}]`;
}

// Server memory over time: finds the process to watch (a named descendant, for wasmtime under wasmux) and
// samples its VmRSS with the bench's reader, next to the pair's op count, so the report can draw both.
import { readdirSync, readFileSync } from 'node:fs';
import { rssKiB } from '../driver/proc.js';

/** One sample: seconds since the pair started, the server's RSS (KiB, null once gone) and ops so far. */
export interface Sample { t_s: number; rss_kib: number | null; ops: number }

function parentAndName(pid: number): { ppid: number; name: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = stat.indexOf('('), close = stat.lastIndexOf(')');
    return { name: stat.slice(open + 1, close), ppid: Number(stat.slice(close + 2).split(' ')[1]) };
  } catch {
    return null;
  }
}

/** The pid of a process named `name` among the descendants of `root` (from /proc), or null. */
export function descendantNamed(root: number, name: string): number | null {
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const info = parentAndName(pid);
    if (!info) continue;
    names.set(pid, info.name);
    children.set(info.ppid, [...(children.get(info.ppid) ?? []), pid]);
  }
  const todo = [...(children.get(root) ?? [])];
  while (todo.length > 0) {
    const pid = todo.shift()!;
    if (names.get(pid) === name) return pid;
    todo.push(...(children.get(pid) ?? []));
  }
  return null;
}

/** Takes a sample of `pid` now. */
export function sample(pid: number, startedAt: number, ops: number): Sample {
  return { t_s: Math.round((Date.now() - startedAt) / 100) / 10, rss_kib: rssKiB(pid), ops };
}

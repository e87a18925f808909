// Checks of the host process against itself, made inside the host process (the fuzz child): its open fds and
// its stdio fds' identity before and after a guest, and its CPU time while the guest is parked in a long poll.
import { fstatSync, readdirSync, readlinkSync } from 'node:fs';

/** The host's open fds as {fd: what it points to}, from /proc/self/fd. */
export function fdSnapshot() {
  const out = {};
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      out[name] = readlinkSync(`/proc/self/fd/${name}`);
    } catch { /* the fd readdir itself used, already closed */ }
  }
  return out;
}

/** dev:ino of fds 0-2 (or 'closed'): a guest must never close or replace them. */
export function stdioIdentity() {
  return [0, 1, 2].map((fd) => {
    try {
      const st = fstatSync(fd);
      return `${st.dev}:${st.ino}`;
    } catch {
      return 'closed';
    }
  });
}

/** Differences between two fd snapshots as lines ('' entries mean none). Sockets and anon inodes are named by
 *  kind only when `loose` (their numbers change with every connection, which is not what this check is about). */
export function fdDiff(before, after) {
  const lines = [];
  for (const [fd, target] of Object.entries(before)) {
    if (!(fd in after)) lines.push(`host fd ${fd} (${target}) was closed`);
    else if (after[fd] !== target) lines.push(`host fd ${fd} changed from ${target} to ${after[fd]}`);
  }
  for (const [fd, target] of Object.entries(after)) if (!(fd in before)) lines.push(`host fd ${fd} (${target}) was left open`);
  return lines;
}

/** Differences of stdio identity as lines. */
export function stdioDiff(before, now) {
  return before.flatMap((id, fd) => (now[fd] === id ? [] : [`host fd ${fd} is no longer the host's own (${id} -> ${now[fd]})`]));
}

/** Measures CPU time over wall time while a condition holds (sampled by the caller's ticks). */
export class CpuWindow {
  constructor() {
    this.start = null;
  }

  /** Called on every tick while the guest is in the long poll. */
  tick() {
    const now = { cpu: process.cpuUsage(), wall: performance.now() };
    if (!this.start) this.start = now;
    this.last = now;
  }

  /** CPU share (0..1) over the window, or null when the window was too short to say. */
  share(minMs) {
    if (!this.start) return null;
    const wall = this.last.wall - this.start.wall;
    if (wall < minMs) return null;
    const cpu = (this.last.cpu.user - this.start.cpu.user + this.last.cpu.system - this.start.cpu.system) / 1000;
    return cpu / wall;
  }
}

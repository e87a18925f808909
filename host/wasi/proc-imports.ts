// The calls that take no fd: arguments, environment, clocks, randomness, yielding, exit, signals and
// poll_oneoff. All are answered by the host; none reaches node:wasi. proc_raise is refused with NOSYS: a guest
// never raises a signal on the host process (node:wasi would raise the real one, killing or stopping the host).
import { Buffer } from 'node:buffer';
import { randomFillSync } from 'node:crypto';
import { Clock, Errno } from './abi.js';
import type { ImportContext, ImportSpec } from './context.js';
import { makePollOneoff } from '../poll.js';
import { GuestExit } from '../wait/exit.js';
import { nowNs } from '../wait/waker.js';

type Spec = ImportSpec<ImportContext>;

/** Writes NUL-terminated strings and the pointers to them (args_get / environ_get). */
function writeStrings(ctx: ImportContext, list: string[], ptrsPtr: number, bufPtr: number): number {
  const { mem } = ctx;
  const bytes = list.map((s) => Buffer.from(`${s}\0`, 'utf8'));
  const total = bytes.reduce((n, b) => n + b.length, 0);
  if (!mem.ok(ptrsPtr, list.length * 4) || !mem.ok(bufPtr, total)) return Errno.FAULT;
  let at = bufPtr >>> 0;
  bytes.forEach((b, i) => {
    mem.setU32(ptrsPtr + i * 4, at);
    mem.bytes(at, b.length).set(b);
    at += b.length;
  });
  return Errno.SUCCESS;
}

/** Writes the count and total byte size of NUL-terminated strings (args_sizes_get / environ_sizes_get). */
function writeSizes(ctx: ImportContext, list: string[], countPtr: number, sizePtr: number): number {
  const { mem } = ctx;
  if (!mem.ok(countPtr, 4) || !mem.ok(sizePtr, 4)) return Errno.FAULT;
  mem.setU32(countPtr, list.length);
  mem.setU32(sizePtr, list.reduce((n, s) => n + Buffer.byteLength(s, 'utf8') + 1, 0));
  return Errno.SUCCESS;
}

/** Current value of a clock in ns, or null for an unknown clock id. Monotonic is poll_oneoff's clock. */
function clockNow(id: number): bigint | null {
  switch (id >>> 0) {
    case Clock.REALTIME: return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
    case Clock.MONOTONIC: return nowNs();
    case Clock.PROCESS_CPUTIME:
    case Clock.THREAD_CPUTIME: {
      const u = process.cpuUsage();
      return BigInt(u.user + u.system) * 1000n;
    }
    default: return null;
  }
}

/** clock_time_get(id, precision, *time). */
function clockTimeGet(ctx: ImportContext) {
  return (id: number, _precision: bigint, ptr: number) => {
    const t = clockNow(id);
    if (t === null) return Errno.INVAL;
    if (!ctx.mem.ok(ptr, 8)) return Errno.FAULT;
    ctx.mem.setU64(ptr, t);
    return Errno.SUCCESS;
  };
}

/** clock_res_get(id, *resolution): 1 ns for the monotonic clock, 1 µs for the others. */
function clockResGet(ctx: ImportContext) {
  return (id: number, ptr: number) => {
    if (clockNow(id) === null) return Errno.INVAL;
    if (!ctx.mem.ok(ptr, 8)) return Errno.FAULT;
    ctx.mem.setU64(ptr, (id >>> 0) === Clock.MONOTONIC ? 1n : 1000n);
    return Errno.SUCCESS;
  };
}

/** random_get(buf, len): cryptographic random bytes. */
function randomGet(ctx: ImportContext) {
  return (ptr: number, len: number) => {
    len >>>= 0;
    if (!ctx.mem.ok(ptr, len)) return Errno.FAULT;
    if (len > 0) randomFillSync(ctx.mem.bytes(ptr, len));
    return Errno.SUCCESS;
  };
}

/** The rows of the import table for calls that take no fd. */
export const PROC_IMPORTS: Record<string, Spec> = {
  args_get: { decision: 'ours', why: 'the configured argv', make: (ctx) => (p: number, b: number) => writeStrings(ctx, ctx.args, p, b) },
  args_sizes_get: { decision: 'ours', why: 'the configured argv', make: (ctx) => (c: number, s: number) => writeSizes(ctx, ctx.args, c, s) },
  environ_get: { decision: 'ours', why: 'the configured environment only', make: (ctx) => (p: number, b: number) => writeStrings(ctx, ctx.env, p, b) },
  environ_sizes_get: { decision: 'ours', why: 'the configured environment only', make: (ctx) => (c: number, s: number) => writeSizes(ctx, ctx.env, c, s) },
  clock_res_get: { decision: 'ours', why: 'REALTIME, MONOTONIC, CPU time', make: clockResGet },
  clock_time_get: { decision: 'ours', why: 'REALTIME, MONOTONIC (poll_oneoff\'s clock), CPU time', make: clockTimeGet },
  random_get: { decision: 'ours', why: 'crypto.randomFillSync', make: randomGet },
  sched_yield: { decision: 'ours', why: 'nothing to yield to: SUCCESS', make: () => () => Errno.SUCCESS },
  poll_oneoff: { decision: 'ours', why: 'host readiness and clamped timers', make: (ctx) => ctx.strategy.wrap(makePollOneoff(ctx.mem, ctx.fds, ctx.waker, ctx.journaled)) },
  proc_exit: { decision: 'ours', why: 'ends the guest, never the host', make: () => (code: number) => { throw new GuestExit(code >>> 0); } },
  proc_raise: { decision: 'errno', why: 'NOSYS: a guest never signals the host', make: () => () => Errno.NOSYS },
};

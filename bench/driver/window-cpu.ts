// A server's CPU time over a client's measured window only. The many scenario's client spends seconds opening its idle
// connections before that window, and the server's CPU time then (accepting thousands of connections) would swamp
// the per-request figure; so /proc is read when the window opens and when it closes, by timers.
import { cpuTimes } from './proc.js';

/** User and system CPU seconds a process used in a window. */
export interface WindowCpu { user: number; sys: number }

/** Reads `pid`'s CPU time `startInMs` from now and again `lengthMs` later; resolves to the difference, or null. */
export function cpuOverWindow(pid: number, startInMs: number, lengthMs: number): Promise<WindowCpu | null> {
  return new Promise((resolve) => {
    setTimeout(() => {
      const c0 = cpuTimes(pid);
      setTimeout(() => {
        const c1 = cpuTimes(pid);
        resolve(c0 === null || c1 === null ? null : { user: c1.user - c0.user, sys: c1.sys - c0.sys });
      }, lengthMs);
    }, startInMs);
  });
}

/** Microseconds of CPU per request: `seconds` spread over `requests` (null when either is missing). */
export function usPerRequest(seconds: number | null, requests: number): number | null {
  return seconds === null || !(requests > 0) ? null : Math.round((seconds / requests) * 1e8) / 100;
}

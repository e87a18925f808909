// Tells the parent which call the guest is in, through a pipe (fd 4 of the host process): every import is
// wrapped so that the number of the call is written, synchronously, before the host runs it. A crash or a
// frozen main thread therefore cannot hide which call did it.
import { writeSync } from 'node:fs';

/** Writes call numbers to `fd` as 4-byte little-endian integers; `begin(n)` is cheap and synchronous. */
export function progressWriter(fd) {
  const cell = Buffer.alloc(4);
  let last = -1;
  return {
    begin(n) {
      if (n === last) return; // Asyncify re-enters a blocking import when it resumes: same call
      last = n;
      cell.writeInt32LE(n, 0);
      try {
        writeSync(fd, cell);
      } catch { /* the parent is gone: nothing left to tell */ }
    },
  };
}

/** Wraps every function of an import object so that `before()` runs first (Suspending objects stay as they are). */
export function wrapImports(importObject, before) {
  const out = {};
  for (const [mod, fns] of Object.entries(importObject ?? {})) {
    out[mod] = {};
    for (const [name, fn] of Object.entries(fns)) {
      out[mod][name] = typeof fn === 'function'
        ? function (...args) {
          before();
          return fn.apply(this, args);
        }
        : fn;
    }
  }
  return out;
}

/** Reads the call numbers from a stream; calls `onCall(n)` with the latest one of every chunk. */
export function readProgress(stream, onCall) {
  let pending = Buffer.alloc(0);
  stream.on('data', (d) => {
    pending = pending.length ? Buffer.concat([pending, d]) : d;
    const whole = pending.length - (pending.length % 4);
    if (whole === 0) return;
    onCall(pending.readInt32LE(whole - 4));
    pending = pending.subarray(whole);
  });
}

// Faults the fuzzer's own tests put into the host process at a chosen call, to prove that each check can fail:
// a crash, a frozen main thread, an exception thrown from an import, a closed host stdout, a spinning timer.
import { closeSync } from 'node:fs';

/** The fault kinds `injectFault` knows. */
export const FAULTS = ['crash', 'freeze', 'throw', 'close-stdout', 'spin'];

/** Runs fault `what` now, inside an import call; 'throw' throws like a broken import would. */
export function injectFault(what) {
  switch (what) {
    case 'crash': process.kill(process.pid, 'SIGSEGV'); break;
    case 'freeze': for (;;); // eslint-disable-line no-constant-condition
    case 'throw': throw new TypeError('injected: an import that throws');
    case 'close-stdout': closeSync(1); break;
    case 'spin': setInterval(() => { const t = performance.now(); while (performance.now() - t < 3); }, 1); break;
    default: throw new Error(`unknown fault ${what}`);
  }
}

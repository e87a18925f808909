// wasmux embedding API: run a WASI preview1 command module with pre-opened TCP listeners inside Node.
export { start, TRAP_EXIT_CODE } from './runners/node.js';
export type { StartOptions, Running, BoundAddress } from './runners/node.js';
export { WasmuxError } from './errors.js';
export { jspiAvailable } from './wait/strategy.js';
export { asyncifyTransform } from './wait/asyncify.js';

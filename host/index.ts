// wasmux embedding API: run a WASI preview1 command module with pre-opened TCP listeners inside Node.
export { start } from './start.js';
export { TRAP_EXIT_CODE } from './runners/node.js';
export { locateWasmtime, WASMTIME_PIN } from './wasmtime/locate.js';
export type { StartOptions, Running, BoundAddress } from './runners/node.js';
export { WasmuxError } from './errors.js';
export { jspiAvailable } from './wait/strategy.js';
export { asyncifyTransform } from './wait/asyncify.js';
export { importTable, type ImportRow } from './import-table.js';

// How a conformance suite names a host on the wasmux command line (and to an embedding program): node and
// wasmtime as themselves; wasmtime-latest as --host wasmtime with only the current wasmtime to be found (an
// empty cache, $WASMTIME set to it), so that the pinned wasmtime 36 in the real cache is not picked first.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestWasmtime } from '../host/helpers.js';
import { LATEST } from './hosts.js';

/** The host's name for --host / start(), and the environment that makes wasmux find the right wasmtime. */
export function cliHost(host) {
  if (host !== LATEST) return { name: host, env: {} };
  return { name: 'wasmtime', env: { WASMTIME: latestWasmtime(), WASMUX_CACHE: mkdtempSync(join(tmpdir(), 'wasmux-latest-')) } };
}

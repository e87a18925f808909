// start(): the one entry point of the embedding API, whichever runtime runs the guest.
import type { Running, StartOptions } from './options.js';
import { startNode } from './runners/node.js';
import { startWasmtime } from './runners/wasmtime.js';
import { validateOptions } from './validate-options.js';

/**
 * Starts a WASI preview1 command module with pre-opened TCP listeners, on the embedded Node host
 * (default) or under the wasmtime CLI (`host: 'wasmtime'`). Both answer with the same Running object.
 * Rejects with a one-line WasmuxError on bad options, an unusable module or a failed bind.
 */
export async function start(options: StartOptions): Promise<Running> {
  const checked = validateOptions(options);
  return checked.host === 'wasmtime' ? startWasmtime(checked) : startNode(checked);
}

// start(): the one entry point of the embedding API, whichever runtime runs the guest.
import { WasmuxError } from './errors.js';
import { startNode, type Running, type StartOptions } from './runners/node.js';
import { startWasmtime } from './runners/wasmtime.js';

/**
 * Starts a WASI preview1 command module with pre-opened TCP listeners, on the embedded Node host
 * (default) or under the wasmtime CLI (`host: 'wasmtime'`). Both answer with the same Running object.
 * Rejects with a one-line WasmuxError on bad options, an unusable module or a failed bind.
 */
export async function start(options: StartOptions): Promise<Running> {
  const host = options?.host ?? 'node';
  if (host === 'node') return startNode(options);
  if (host === 'wasmtime') {
    if (options.wait !== undefined) throw new WasmuxError("option wait applies to the Node host only (wasmtime blocks in the OS)", { usage: true });
    if (options.allowConnect !== undefined && options.allowConnect.length > 0) {
      throw new WasmuxError('option allowConnect applies to the Node host only (wasmtime has no outgoing connections for preview1 modules)', { usage: true });
    }
    return startWasmtime(options);
  }
  throw new WasmuxError(`unknown host '${String(host)}' (expected node or wasmtime)`, { usage: true });
}

// The script of one batch from its configuration, computed the same way in the host process (which runs it)
// and in the parent (which names the call of a crash or hang): same seed, batch, calls, host and ports.
import { hostImportNames } from './host-imports.js';
import { resolveImports } from './signatures.js';
import { generateBatch } from './script.js';

/** The imports under test on `host`: everything the Node host offers; preview1 only under wasmtime. */
export async function importsFor(host) {
  const names = await hostImportNames();
  return resolveImports(host === 'wasmtime' ? { wasi_snapshot_preview1: names.wasi_snapshot_preview1 } : names);
}

/** {imports, batch} for a batch configuration {seed, batch, calls, capacity, host, ports, deny}. */
export async function scriptFor(cfg) {
  const imports = await importsFor(cfg.host);
  const env = { host: cfg.host, listenerFd: 3, dirFd: 4, ports: cfg.ports };
  return { imports, batch: generateBatch({ seed: cfg.seed, batch: cfg.batch, calls: cfg.calls, capacity: cfg.capacity, imports, env, deny: cfg.deny ?? [] }) };
}

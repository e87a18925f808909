// The import names the Node host offers, read from the host's own import objects at run time (built exactly as
// the Node runner builds them), so a function added to the host is fuzzed without anyone listing it here.
import { FdTable } from '../../dist/host/fd-table.js';
import { GuestMemory } from '../../dist/host/wasi/guest-memory.js';
import { makeImports } from '../../dist/host/wasi/imports.js';
import { makeWasixImports } from '../../dist/host/wasix/imports.js';
import { ConnectPolicy } from '../../dist/host/policy.js';
import { asyncifyStrategy } from '../../dist/host/wait/asyncify.js';
import { Waker } from '../../dist/host/wait/waker.js';
import { loadWasi } from '../../dist/host/runners/load-wasi.js';

/** {module: [function names]} of the Node host, for `resolveImports`. */
export async function hostImportNames() {
  const WASI = loadWasi();
  const wasi = new WASI({ version: 'preview1', args: [], env: {}, preopens: {}, returnOnExit: true });
  const ctx = {
    mem: new GuestMemory(), fds: new FdTable(), waker: new Waker(), strategy: asyncifyStrategy(),
    wasi: wasi.getImportObject().wasi_snapshot_preview1,
  };
  const preview1 = makeImports(ctx);
  const wasix = makeWasixImports({ ...ctx, policy: await ConnectPolicy.create([]), stderr: process.stderr });
  const names = (o) => Object.keys(o).filter((k) => typeof o[k] === 'function');
  return { wasi_snapshot_preview1: names(preview1), wasix_32v1: names(wasix) };
}

// The import names the Node host offers, read at run time from the host's own import table (every function of
// wasi_snapshot_preview1 and wasix_32v1 with its decision), so a function added to the host is fuzzed without
// anyone listing it here. The host process also checks the import object the host really instantiates with
// against this list (child.js), so the table cannot drift from what the guest gets.
import { importTable } from '../../dist/host/import-table.js';

/** {module: [function names]} of the Node host, for `resolveImports`. */
export async function hostImportNames() {
  const out = {};
  for (const row of importTable()) {
    out[row.module] ??= [];
    out[row.module].push(row.name);
  }
  return out;
}

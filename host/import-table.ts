// The Node host's import table as data: every function of wasi_snapshot_preview1 and wasix_32v1 the host
// offers, with its decision. For documentation, tests and the fuzzer, which enumerate it at run time.
import type { Decision } from './wasi/context.js';
import { PREVIEW1_IMPORTS } from './wasi/table.js';
import { WASIX_IMPORTS } from './wasix/imports.js';

/** One offered import and how the host answers it. */
export interface ImportRow {
  module: 'wasi_snapshot_preview1' | 'wasix_32v1';
  name: string;
  decision: Decision;
  why: string;
}

/** Every import the Node host offers, preview1 first, each with its decision. */
export function importTable(): ImportRow[] {
  const rows = (module: ImportRow['module'], t: Record<string, { decision: Decision; why: string }>) =>
    Object.entries(t).map(([name, s]) => ({ module, name, decision: s.decision, why: s.why }));
  return [...rows('wasi_snapshot_preview1', PREVIEW1_IMPORTS), ...rows('wasix_32v1', WASIX_IMPORTS)];
}

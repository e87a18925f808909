// Loads node:wasi without its one-time "WASI is an experimental feature" warning, which would otherwise be
// printed on the embedder's stderr by every program that uses wasmux (the warning says nothing actionable).
import { createRequire } from 'node:module';
import type { WASI as WasiClass } from 'node:wasi';

let cached: typeof WasiClass | null = null;

/** Returns node:wasi's WASI class, loaded synchronously with the experimental warning filtered out. */
export function loadWasi(): typeof WasiClass {
  if (cached) return cached;
  const original = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: any[]) {
    const text = typeof warning === 'string' ? warning : warning?.message;
    if (typeof text === 'string' && text.startsWith('WASI is an experimental feature')) return;
    return (original as Function).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    cached = (createRequire(import.meta.url)('node:wasi') as { WASI: typeof WasiClass }).WASI;
  } finally {
    process.emitWarning = original;
  }
  return cached;
}

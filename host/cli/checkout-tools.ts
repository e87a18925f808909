// `wasmux bench` and `wasmux soak` (the development commands) load their code from bench/ on demand. That code
// is compiled into dist/bench/ in a source checkout but is not shipped in the npm package, so an
// installed wasmux answers with one line saying where the command lives instead of a module error.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WasmuxError } from '../errors.js';

const benchMain = new URL('../../bench/driver/main.js', import.meta.url);
const soakMain = new URL('../../bench/soak/main.js', import.meta.url);

/** Imports a development module of the checkout; rejects with a WasmuxError naming `npmScript` when it is absent. */
async function loadFromCheckout<T>(url: URL, what: string, npmScript: string): Promise<T> {
  if (!existsSync(fileURLToPath(url))) {
    throw new WasmuxError(`${what} is not part of the installed package: run it from a source checkout with npm run ${npmScript}`);
  }
  return (await import(url.href)) as T;
}

/** Runs the benchmark driver with argv; rejects with a WasmuxError when this copy has no bench/. */
export async function runBenchFromCheckout(argv: string[]): Promise<number> {
  const { runBench } = await loadFromCheckout<{ runBench: (argv: string[]) => Promise<number> }>(benchMain, 'the benchmark', 'bench');
  return runBench(argv);
}

/** Runs the soak with argv; rejects with a WasmuxError when this copy has no bench/. */
export async function runSoakFromCheckout(argv: string[]): Promise<number> {
  const { runSoak } = await loadFromCheckout<{ runSoak: (argv: string[]) => Promise<number> }>(soakMain, 'the soak', 'soak');
  return runSoak(argv);
}

// `wasmux bench` (and the other development commands) load their code from bench/ on demand. That code
// is compiled into dist/bench/ in a source checkout but is not shipped in the npm package, so an
// installed wasmux answers with one line saying where the command lives instead of a module error.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WasmuxError } from '../errors.js';

const benchMain = new URL('../../bench/driver/main.js', import.meta.url);

/** Runs the benchmark driver with argv; rejects with a WasmuxError when this copy has no bench/. */
export async function runBenchFromCheckout(argv: string[]): Promise<number> {
  if (!existsSync(fileURLToPath(benchMain))) {
    throw new WasmuxError('the benchmark is not part of the installed package: run it from a source checkout with npm run bench');
  }
  const { runBench } = (await import(benchMain.href)) as { runBench: (argv: string[]) => Promise<number> };
  return runBench(argv);
}

// The builds and settings of the wasmux guests that the core and many scenarios measure side by side: this
// tree's build with the selector's hot set on (its default) or off (every select polls every fd), and
// optionally another checkout's build (--baseline DIR, e.g. the main branch's build/) for a before/after.
import { join } from 'node:path';
import type { BenchEnv } from './env.js';
import type { Options } from './types.js';

/** One way to run the wasmux guests: where their modules are and the guest environment that goes with it. */
export interface Variant {
  /** 'hot' (this build, default settings), 'full' (this build, WASMUX_WAKE_MS=0) or 'baseline'. */
  name: string;
  /** A build directory: NAME.wasm and bench/select-cost.wasm in it. */
  dir: string;
  env: Record<string, string>;
}

export const VARIANT_NAMES = ['hot', 'full'];

/** The variants `o` asks for, in the order they are measured. */
export function variantsOf(env: BenchEnv, o: Options): Variant[] {
  const build = join(env.root, 'build');
  const out: Variant[] = [];
  if (o.baseline) out.push({ name: 'baseline', dir: o.baseline, env: {} });
  if (o.variants.includes('full')) out.push({ name: 'full', dir: build, env: { WASMUX_WAKE_MS: '0' } });
  if (o.variants.includes('hot')) out.push({ name: 'hot', dir: build, env: {} });
  return out;
}

/** The module NAME of a variant (NAME = echo, or bench/select-cost). */
export function variantModule(v: Variant, name: string): string {
  return join(v.dir, `${name}.wasm`);
}

// The per-user cache shared by every clone: the pinned wasmtime, Node 24 for the tests, transformed modules.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** WASMUX_CACHE, else ~/.cache/wasmux (the same folder the setup scripts use). */
export function cacheDir(): string {
  return process.env.WASMUX_CACHE || join(homedir(), '.cache', 'wasmux');
}

// Finds the wasmtime CLI and checks that it can run wasmux servers: 15 to 46 as preview1 modules with
// TCP listeners handed in, 47 and later as WASI 0.2 components (see component.ts).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../cache-dir.js';
import { WasmuxError } from '../errors.js';

/** The version scripts/setup-wasmtime.sh installs (the 36.x LTS, supported until 2027-08-20). */
export const WASMTIME_PIN = '36.0.20';
/**
 * The cache folder's name for the pinned build: 36.0.20 with our one-line exact-readiness fix in
 * wasi-common's poll_oneoff (idle fds are no longer reported ready). A new name makes old caches rebuild.
 */
export const WASMTIME_BUILD = `${WASMTIME_PIN}-exact-readiness`;
/** wasmtime 47 removed wasi-common, and with it `-S tcplisten` for preview1 modules: it runs components. */
export const FIRST_VERSION_WITHOUT_SOCKETS = 47;
/** `-S preview2=n -S tcplisten` first appeared in wasmtime 15. */
const FIRST_VERSION_WITH_SOCKETS = 15;

/** A usable wasmtime: where it is and what version it says it is. */
export interface Wasmtime {
  path: string;
  version: string;
  major: number;
}

/** Where setup-wasmtime.sh puts the pinned CLI. */
export function pinnedPath(): string {
  return join(cacheDir(), `wasmtime-${WASMTIME_BUILD}`, 'bin', 'wasmtime');
}

/**
 * Where setup-components.sh puts the current wasmtime (its version pinned in scripts/components.json,
 * which ships with the package); null when that file cannot be read.
 */
export function latestPath(): string | null {
  try {
    const pins = JSON.parse(readFileSync(fileURLToPath(new URL('../../../scripts/components.json', import.meta.url)), 'utf8'));
    return join(cacheDir(), `wasmtime-${pins.wasmtime}`, 'bin', 'wasmtime');
  } catch {
    return null;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

function versionOf(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, ['--version'], { timeout: 10000 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout.trim());
    });
  });
}

/**
 * Finds wasmtime: `preferred` when given (and only it), else the pinned one in the cache, then $WASMTIME,
 * then PATH, then the current one in the cache. Rejects with one clear line when there is none, or when it
 * is older than 15.
 */
export async function locateWasmtime(preferred?: string): Promise<Wasmtime> {
  if (preferred !== undefined && !existsSync(preferred)) throw new WasmuxError(`wasmtime not found at ${preferred}`);
  const candidates = preferred !== undefined ? [preferred] : [pinnedPath(), process.env.WASMTIME, onPath('wasmtime'), latestPath()].filter((p): p is string => !!p);
  const path = candidates.find((p) => existsSync(p));
  if (!path) {
    throw new WasmuxError(`wasmtime not found (looked in ${pinnedPath()}, $WASMTIME, PATH and ${latestPath() ?? 'the cache'}); install the pinned ${WASMTIME_PIN} with: npm run setup:wasmtime (or a current one with: npm run setup:components)`);
  }
  let text: string;
  try {
    text = await versionOf(path);
  } catch (e) {
    throw new WasmuxError(`cannot run ${path} --version: ${(e as Error).message.split('\n')[0]}`);
  }
  const m = /wasmtime(?:-cli)? (\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!m) throw new WasmuxError(`${path} does not look like wasmtime (it says '${text.split('\n')[0]}')`);
  const major = Number(m[1]);
  const version = `${m[1]}.${m[2]}.${m[3]}`;
  if (major < FIRST_VERSION_WITH_SOCKETS) {
    throw new WasmuxError(`wasmtime ${version} at ${path} is too old for -S tcplisten (needs 15 or later); install ${WASMTIME_PIN} with: npm run setup:wasmtime`);
  }
  return { path, version, major };
}

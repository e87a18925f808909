// Finds the wasmtime CLI and checks that it can still hand TCP listeners to preview1 modules.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { cacheDir } from '../cache-dir.js';
import { WasmuxError } from '../errors.js';

/** The version scripts/setup-wasmtime.sh installs (the 36.x LTS, supported until 2027-08-20). */
export const WASMTIME_PIN = '36.0.20';
/**
 * The cache folder's name for the pinned build: 36.0.20 with our one-line exact-readiness fix in
 * wasi-common's poll_oneoff (idle fds are no longer reported ready). A new name makes old caches rebuild.
 */
const WASMTIME_BUILD = `${WASMTIME_PIN}-exact-readiness`;
/** wasmtime 47 removed wasi-common, and with it `-S tcplisten` for preview1 modules. */
const FIRST_VERSION_WITHOUT_SOCKETS = 47;
/** `-S preview2=n -S tcplisten` first appeared in wasmtime 15. */
const FIRST_VERSION_WITH_SOCKETS = 15;

/** A usable wasmtime: where it is and what version it says it is. */
interface Wasmtime {
  path: string;
  version: string;
  major: number;
}

/** Where setup-wasmtime.sh puts the pinned CLI. */
function pinnedPath(): string {
  return join(cacheDir(), `wasmtime-${WASMTIME_BUILD}`, 'bin', 'wasmtime');
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
 * Finds wasmtime: the pinned one in the cache, then $WASMTIME, then PATH. Rejects with one clear
 * line when there is none, or when its version cannot run wasmux servers (>= 47, or < 15).
 */
export async function locateWasmtime(): Promise<Wasmtime> {
  const candidates = [pinnedPath(), process.env.WASMTIME, onPath('wasmtime')].filter((p): p is string => !!p);
  const path = candidates.find((p) => existsSync(p));
  if (!path) {
    throw new WasmuxError(`wasmtime not found (looked in ${pinnedPath()}, $WASMTIME and PATH); install the pinned ${WASMTIME_PIN} with: npm run setup:wasmtime`);
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
  if (major >= FIRST_VERSION_WITHOUT_SOCKETS) {
    throw new WasmuxError(`wasmtime ${version} at ${path} cannot give preview1 modules TCP listeners (removed in 47); install ${WASMTIME_PIN} with: npm run setup:wasmtime, or use --host node`);
  }
  if (major < FIRST_VERSION_WITH_SOCKETS) {
    throw new WasmuxError(`wasmtime ${version} at ${path} is too old for -S tcplisten (needs 15 to 46); install ${WASMTIME_PIN} with: npm run setup:wasmtime`);
  }
  return { path, version, major };
}

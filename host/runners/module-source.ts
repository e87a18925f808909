// What both runners check before they start anything: the module (a path or bytes, a WASI command module) and
// the directories to pre-open. Every failure is a one-line WasmuxError. A module path must name a regular file of
// at most maxModuleSize bytes: it is opened without blocking (a FIFO never hangs the start), checked with fstat,
// and read to its size, never further (/dev/zero or a growing file cannot exhaust memory).
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseDir, type DirSpec } from '../address.js';
import { WasmuxError } from '../errors.js';

/** A module's bytes, the name it goes by in messages (and argv[0]), and its file when it came from one. */
export interface ModuleSource {
  bytes: Uint8Array;
  name: string;
  path: string | null;
}

/** Default cap on a module file's size: 256 MiB. */
export const DEFAULT_MAX_MODULE_SIZE = 256 * 1024 * 1024;

/** What a non-regular file is, for the error line. */
function kindOf(st: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A size in bytes for messages: MiB when it is a whole number of them. */
function formatSize(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

/** Reads a module file: a regular file of at most `max` bytes, read to its size. */
async function readModuleFile(path: string, max: number): Promise<Uint8Array> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new WasmuxError(`cannot read module '${path}': ${kindOf(st)}, not a regular file`);
    if (st.size > max) {
      throw new WasmuxError(`module '${path}' is ${st.size} bytes, over the limit of ${formatSize(max)} (raise it with --max-module-size / maxModuleSize)`);
    }
    const bytes = new Uint8Array(st.size);
    let off = 0;
    while (off < bytes.length) {
      const { bytesRead } = await fh.read(bytes, off, bytes.length - off, off);
      if (bytesRead === 0) break; // shrank meanwhile: the module check reports what is left
      off += bytesRead;
    }
    return off === bytes.length ? bytes : bytes.subarray(0, off);
  } finally {
    await fh.close();
  }
}

/** Reads the module file (or takes the bytes) with one-line errors; a file may be at most `maxSize` bytes. */
export async function loadModule(module: string | Uint8Array | ArrayBuffer, maxSize = DEFAULT_MAX_MODULE_SIZE): Promise<ModuleSource> {
  if (module instanceof Uint8Array) return { bytes: module, name: 'module.wasm', path: null };
  if (module instanceof ArrayBuffer) return { bytes: new Uint8Array(module), name: 'module.wasm', path: null };
  if (typeof module !== 'string' || module === '') throw new WasmuxError('option module must be a file path or bytes');
  if (!Number.isSafeInteger(maxSize) || maxSize <= 0) throw new WasmuxError('option maxModuleSize must be a positive whole number of bytes', { usage: true });
  try {
    return { bytes: await readModuleFile(module, maxSize), name: basename(module), path: module };
  } catch (e) {
    if (e instanceof WasmuxError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    throw new WasmuxError(`cannot read module '${module}': ${why}`);
  }
}

/** Checks that the bytes are a WebAssembly module exporting `_start`; returns it for further checks. */
export function inspectCommand(src: ModuleSource): WebAssembly.Module {
  const { bytes, name } = src;
  if (!WebAssembly.validate(bytes)) {
    const magic = bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
    throw new WasmuxError(magic ? `'${name}' is not a valid WebAssembly module` : `'${name}' is not a WebAssembly module`);
  }
  const m = new WebAssembly.Module(bytes);
  if (!WebAssembly.Module.exports(m).some((e) => e.name === '_start' && e.kind === 'function')) {
    throw new WasmuxError(`'${name}' has no _start export (wasmux runs WASI command modules)`);
  }
  return m;
}

/** Parses `HOST[::GUEST]` specs and checks each host path is an existing directory and each guest path unique. */
export async function checkDirs(specs: string[]): Promise<DirSpec[]> {
  const dirs = specs.map(parseDir);
  const seen = new Set<string>();
  for (const d of dirs) {
    if (seen.has(d.guestPath)) throw new WasmuxError(`guest path '${d.guestPath}' is given twice in dirs`);
    seen.add(d.guestPath);
    const isDir = await stat(d.hostPath).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new WasmuxError(`dir '${d.hostPath}' is not an existing directory`);
  }
  return dirs;
}

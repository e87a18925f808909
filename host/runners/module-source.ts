// What both runners check before they start anything: the module (a path or bytes, a WASI command module) and
// the directories to pre-open. Every failure is a one-line WasmuxError.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseDir, type DirSpec } from '../address.js';
import { WasmuxError } from '../errors.js';

/** A module's bytes, the name it goes by in messages (and argv[0]), and its file when it came from one. */
export interface ModuleSource {
  bytes: Uint8Array;
  name: string;
  path: string | null;
}

/** Reads the module file (or takes the bytes) with one-line errors. */
export async function loadModule(module: string | Uint8Array | ArrayBuffer): Promise<ModuleSource> {
  if (module instanceof Uint8Array) return { bytes: module, name: 'module.wasm', path: null };
  if (module instanceof ArrayBuffer) return { bytes: new Uint8Array(module), name: 'module.wasm', path: null };
  if (typeof module !== 'string' || module === '') throw new WasmuxError('option module must be a file path or bytes');
  try {
    return { bytes: await readFile(module), name: basename(module), path: module };
  } catch (e) {
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

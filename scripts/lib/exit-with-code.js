// The exit path of the component build. The preview1 adapter implements proc_exit with wasi:cli/exit's
// `exit(result)`, which can only say success or failure, so every non-zero code would leave as 1. WASI
// 0.2.12 has `exit-with-code(u8)`, which wasmtime 47 and later always provide; its core signature is
// proc_exit's ((i32) -> ()), so pointing the core's proc_exit import at it keeps codes 0-255 intact.
import binaryen from 'binaryen';

/** The import the core module's proc_exit becomes; the world (server.wit) imports its interface. */
export const EXIT_WITH_CODE = { module: 'wasi:cli/exit@0.2.12', base: 'exit-with-code' };

/**
 * Returns the core module `bytes` with its `wasi_snapshot_preview1.proc_exit` import replaced by
 * wasi:cli/exit's exit-with-code (same signature, same internal name, so every call site stays), or
 * the bytes unchanged when the module does not import proc_exit. Throws when the result does not validate.
 */
export function exitWithCode(bytes) {
  // What AssemblyScript emits. Not Features.All: that enables encodings (compact imports) engines reject.
  const F = binaryen.Features;
  const mod = binaryen.readBinary(bytes, F.MutableGlobals | F.SignExt | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt);
  try {
    let found = null;
    for (let i = 0; i < mod.getNumFunctions(); i++) {
      const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
      if (info.module === 'wasi_snapshot_preview1' && info.base === 'proc_exit') found = info;
    }
    if (!found) return bytes;
    mod.removeFunction(found.name);
    mod.addFunctionImport(found.name, EXIT_WITH_CODE.module, EXIT_WITH_CODE.base, found.params, found.results);
    if (!mod.validate()) throw new Error('the module with exit-with-code in place of proc_exit does not validate');
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}

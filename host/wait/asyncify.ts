// Binaryen Asyncify: the module is rewritten at load so that a call to a blocking import can unwind the Wasm
// stack into a buffer, return to JS, and later rewind to the same point. Works on any Node (no engine support).
//
// Where the unwind buffer lives: a module may reserve a region for it (unwind-region.ts; our AssemblyScript
// builds do), and then the data stays there while the guest is suspended and nothing is copied. Otherwise the
// guest's allocator owns all of memory (growing a page for us is not safe), so the host borrows a fixed region
// (REGION_ADDR, up to REGION_SIZE bytes). Before unwinding it saves the region's bytes; once _start has returned
// from the unwind it copies the unwind data out and puts the original bytes back. Before rewinding it does the
// reverse, and the re-entered import restores the original bytes right after asyncify_stop_rewind. No other guest
// store runs during an unwind or rewind, so the guest never sees the borrowed bytes, and while the guest is
// suspended (when JS reads and writes results) memory is intact.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { cacheDir as wasmuxCacheDir } from '../cache-dir.js';
import { join } from 'node:path';
import { BLOCKING_IMPORT_PATHS, withArity, type BlockingImport, type Pace, type WaitStrategy } from './strategy.js';
import { declaredUnwindRegion, type UnwindRegion } from './unwind-region.js';

const REGION_ADDR = 16;
const REGION_SIZE = 32 * 1024;
const STATE_UNWINDING = 1;
const CACHE_VERSION = 'v2'; // v2: the import list includes wasix_32v1.sock_connect and .resolve

type AsyncifyExports = {
  memory: WebAssembly.Memory;
  _start: () => void;
  asyncify_start_unwind: (p: number) => void;
  asyncify_stop_unwind: () => void;
  asyncify_start_rewind: (p: number) => void;
  asyncify_stop_rewind: () => void;
  asyncify_get_state: () => number;
};

const memoryCache = new Map<string, Promise<WebAssembly.Module>>();

/** Directory of the on-disk cache of transformed modules (WASMUX_CACHE or ~/.cache/wasmux, then asyncify/). */
export function cacheDir(): string {
  return join(wasmuxCacheDir(), 'asyncify');
}

/** Runs the Asyncify transform on module bytes (instrumenting only paths to the blocking imports). */
export async function asyncifyTransform(bytes: Uint8Array): Promise<Uint8Array> {
  const { default: binaryen } = await import('binaryen');
  const mod = (binaryen.readBinary as (b: Uint8Array, f?: number) => ReturnType<typeof binaryen.readBinary>)(
    bytes,
    // Features every Node >= 20 runs. Not Features.All: that enables encodings (compact imports, ...) V8 rejects.
    binaryen.Features.MutableGlobals | binaryen.Features.SignExt | binaryen.Features.NontrappingFPToInt |
      binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt | binaryen.Features.SIMD128 |
      binaryen.Features.Multivalue | binaryen.Features.ReferenceTypes | binaryen.Features.TailCall,
  );
  try {
    binaryen.setOptimizeLevel(1);
    binaryen.setShrinkLevel(0);
    binaryen.setPassArgument(
      'asyncify-imports',
      BLOCKING_IMPORT_PATHS.join(','),
    );
    mod.runPasses(['asyncify']);
    mod.optimize();
    return mod.emitBinary();
  } finally {
    binaryen.setPassArgument('asyncify-imports', null);
    mod.dispose();
  }
}

/** Transformed module for these bytes, cached by content hash in memory and on disk (best effort). */
async function compileCached(bytes: Uint8Array): Promise<WebAssembly.Module> {
  const hash = createHash('sha256').update(CACHE_VERSION).update(bytes).digest('hex');
  let p = memoryCache.get(hash);
  if (!p) {
    p = (async () => {
      const file = join(cacheDir(), `${hash}.wasm`);
      try {
        return await WebAssembly.compile(await readFile(file));
      } catch { /* not cached or unreadable: transform below */ }
      const out = await asyncifyTransform(bytes);
      const compiled = await WebAssembly.compile(out); // only a module that compiles is cached
      try {
        await mkdir(cacheDir(), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, out);
        await rename(tmp, file);
      } catch { /* a read-only home is fine: the memory cache still works */ }
      return compiled;
    })();
    memoryCache.set(hash, p);
    p.catch(() => memoryCache.delete(hash));
  }
  return p;
}

/** Creates a fresh Asyncify strategy (one per instance: it holds the suspended state). */
export function asyncifyStrategy(): WaitStrategy {
  let ex: AsyncifyExports | null = null;
  let pending: Promise<number> | null = null; // what the unwound import waits for
  let result = 0; // its errno, handed back on rewind
  let used = 0; // bytes of the region the unwind wrote (header + saved frames)
  let rewinding = false; // mirrors asyncify_get_state() === REWINDING without a call into Wasm per import
  let declared: UnwindRegion | null = null; // what the compiled module reserves, if anything
  let own: UnwindRegion | null = null; // the reserved region in use: set at run when memory holds it
  // Preallocated copies (no allocation per wait): the guest's bytes and the unwind data.
  const saved = new Uint8Array(REGION_SIZE);
  const data = new Uint8Array(REGION_SIZE);

  const region = (len: number) => new Uint8Array(ex!.memory.buffer, REGION_ADDR, len);

  return {
    name: 'asyncify',
    compile: async (bytes: Uint8Array) => {
      const module = await compileCached(bytes);
      declared = declaredUnwindRegion(module);
      return module;
    },
    wrap: (fn: BlockingImport, pace?: Pace) => withArity(fn.length, (a, b, c, d, e, f) => {
      if (rewinding) {
        rewinding = false;
        ex!.asyncify_stop_rewind();
        if (own === null) region(used).set(saved.subarray(0, used)); // the guest's own bytes come back before it runs again
        return result;
      }
      const r = pace ? pace.pace(fn(a, b, c, d, e, f)) : fn(a, b, c, d, e, f);
      if (typeof r === 'number') return r;
      pending = r;
      const addr = own?.addr ?? REGION_ADDR;
      const size = own?.size ?? Math.min(REGION_SIZE, ex!.memory.buffer.byteLength - REGION_ADDR);
      if (own === null) saved.set(region(size)); // the unwind may write anywhere in a borrowed region: keep all of it
      const dv = new DataView(ex!.memory.buffer);
      dv.setUint32(addr, addr + 8, true); // asyncify data: current position ...
      dv.setUint32(addr + 4, addr + size, true); // ... and end of the unwind stack
      ex!.asyncify_start_unwind(addr);
      return 0; // ignored: the caller unwinds
    }),
    run: async (instance) => {
      ex = instance.exports as unknown as AsyncifyExports;
      if (typeof ex.asyncify_get_state !== 'function') throw new Error('asyncify exports missing');
      // Memory only grows, so a reserved region that fits now fits for the whole run.
      own = declared !== null && declared.addr + declared.size <= ex.memory.buffer.byteLength ? declared : null;
      for (;;) {
        ex._start();
        if (ex.asyncify_get_state() !== STATE_UNWINDING) return;
        ex.asyncify_stop_unwind();
        if (own === null) {
          // Only [header, position) was written: copy that out and put the guest's bytes back.
          used = new DataView(ex.memory.buffer).getUint32(REGION_ADDR, true) - REGION_ADDR;
          data.set(region(used));
          region(used).set(saved.subarray(0, used)); // memory is the guest's own while JS works on it
        } // a reserved region keeps the data while JS works: nothing of the guest's lives there
        try {
          result = await pending!;
        } finally {
          pending = null;
        }
        if (own === null) {
          // Rewinding reads the data and moves the header's position, nothing else.
          saved.set(region(used));
          region(used).set(data.subarray(0, used));
        }
        rewinding = true; // the next call of a wrapped import is the one being re-entered
        ex.asyncify_start_rewind(own?.addr ?? REGION_ADDR);
      }
    },
  };
}

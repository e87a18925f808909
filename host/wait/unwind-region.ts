// A module may reserve a region of its memory for the Asyncify unwind data, declared in a custom section
// `wasmux.unwind-region` (address and size, two little-endian u32; scripts/lib/unwind-region.js writes it). Our AssemblyScript builds do (their data starts
// above it: asconfig.json's memoryBase), so a suspension there copies nothing; any other module gets a borrowed
// region whose bytes are saved and put back around every suspension. The declaration is only trusted as far as
// the host's safety goes: a module that lies about it can corrupt nothing but its own memory.

/** Name of the custom section that declares the region. */
export const UNWIND_REGION_SECTION = 'wasmux.unwind-region';
/** Bounds a declared region must keep: room for Asyncify's frames, and nothing absurd. */
export const MIN_UNWIND_REGION = 4 * 1024;
export const MAX_UNWIND_REGION = 1024 * 1024;

/** A range of guest memory: [addr, addr + size). */
export interface UnwindRegion {
  addr: number;
  size: number;
}

/** The region `module` reserves, or null when it declares none or declares one badly (absent, twice, malformed). */
export function declaredUnwindRegion(module: WebAssembly.Module): UnwindRegion | null {
  const sections = WebAssembly.Module.customSections(module, UNWIND_REGION_SECTION);
  if (sections.length !== 1 || sections[0].byteLength !== 8) return null;
  const dv = new DataView(sections[0]);
  const addr = dv.getUint32(0, true);
  const size = dv.getUint32(4, true);
  // Asyncify's header is two aligned u32 at addr; address 0 stays unused so a null pointer never lands in it.
  if (addr === 0 || addr % 4 !== 0) return null;
  if (size < MIN_UNWIND_REGION || size > MAX_UNWIND_REGION) return null;
  return { addr, size };
}

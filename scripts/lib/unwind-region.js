// The build's half of the Asyncify unwind region (host/wait/unwind-region.ts reads it): our AssemblyScript modules
// keep their data above asconfig.json's memoryBase, and the bytes below it, from UNWIND_ADDR on, are declared to
// the Node host in a custom section so that it keeps its unwind data there instead of saving and restoring a
// borrowed region of the guest's memory at every suspension.
import { appendCustomSection, customSection } from "./custom-section.js";

/** Name of the custom section (the host looks for exactly this). */
export const UNWIND_REGION_SECTION = "wasmux.unwind-region";
/** Start of the region: address 0 stays unused. */
export const UNWIND_ADDR = 16;

/** Two little-endian u32: the region's address and size. */
function payload(addr, size) {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setUint32(0, addr, true);
  new DataView(bytes.buffer).setUint32(4, size, true);
  return bytes;
}

/** The custom section's bytes that declare [addr, addr + size). */
export function unwindRegionSection(addr, size) {
  return customSection(UNWIND_REGION_SECTION, payload(addr, size));
}

/** Appends the declaration of [UNWIND_ADDR, memoryBase) to the module file `path`. */
export function declareUnwindRegion(path, memoryBase) {
  appendCustomSection(path, UNWIND_REGION_SECTION, payload(UNWIND_ADDR, memoryBase - UNWIND_ADDR));
}

// The build's half of the Asyncify unwind region (host/wait/unwind-region.ts reads it): our AssemblyScript modules
// keep their data above asconfig.json's memoryBase, and the bytes below it, from UNWIND_ADDR on, are declared to
// the Node host in a custom section so that it keeps its unwind data there instead of saving and restoring a
// borrowed region of the guest's memory at every suspension.
import { readFileSync, writeFileSync } from "node:fs";

/** Name of the custom section (the host looks for exactly this). */
export const UNWIND_REGION_SECTION = "wasmux.unwind-region";
/** Start of the region: address 0 stays unused. */
export const UNWIND_ADDR = 16;

/** Unsigned LEB128 of `n`. */
function leb128(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** The custom section's bytes that declare [addr, addr + size): id 0, size, name, two little-endian u32. */
export function unwindRegionSection(addr, size) {
  const name = new TextEncoder().encode(UNWIND_REGION_SECTION);
  const payload = new Uint8Array(8);
  new DataView(payload.buffer).setUint32(0, addr, true);
  new DataView(payload.buffer).setUint32(4, size, true);
  const content = [...leb128(name.length), ...name, ...payload];
  return Uint8Array.from([0, ...leb128(content.length), ...content]);
}

/** Appends the declaration of [UNWIND_ADDR, memoryBase) to the module file `path` (a custom section may come last). */
export function declareUnwindRegion(path, memoryBase) {
  const section = unwindRegionSection(UNWIND_ADDR, memoryBase - UNWIND_ADDR);
  writeFileSync(path, Buffer.concat([readFileSync(path), section]));
}

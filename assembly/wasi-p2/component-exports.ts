// A second entry file of every component build: what the main module must export beside _start and
// memory, so that the canonical ABI can place the lists WASI 0.2 functions return.
import { cabiRealloc } from "./realloc";

/** The canonical ABI allocator (see realloc.ts). */
export function cabi_realloc(old: usize, oldSize: usize, align: usize, newSize: usize): usize {
  return cabiRealloc(old, oldSize, align, newSize);
}

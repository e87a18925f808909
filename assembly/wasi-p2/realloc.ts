// The allocator the canonical ABI calls to place a list a WASI 0.2 function returns (bytes read, ready
// indices). A caller that knows where the list should go (the caller's own buffer) says so first, and the
// next allocation lands there without a copy; anything else comes from the heap.

let target: usize = 0;
let targetCapacity: usize = 0;

/**
 * The next allocation of at most `capacity` bytes lands at `buf` (one allocation only). A list that
 * comes back elsewhere was larger, or was the heap's: the caller copies it and frees it with heap.free.
 */
export function placeNextList(buf: usize, capacity: usize): void {
  target = buf;
  targetCapacity = capacity;
}

/** cabi_realloc(old, oldSize, align, newSize): the canonical ABI's allocation entry point. */
export function cabiRealloc(old: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (old == 0 && target != 0 && newSize <= targetCapacity && align <= 16) {
    const p = target;
    target = 0;
    return p;
  }
  target = 0;
  // heap blocks are 16-byte aligned, enough for every canonical ABI type.
  if (newSize == 0) return align;
  return old == 0 || oldSize == 0 ? heap.alloc(newSize) : heap.realloc(old, newSize);
}

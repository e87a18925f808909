// Small out-parameter cells for host calls, allocated once. The core is single-threaded and never
// re-entered during a host call, so one set of cells serves every call.

/** Eight bytes for a u32/u64 result, eight more for a second one, then an iovec and an fdstat. */
const CELLS: usize = heap.alloc(64);

// @ts-ignore: decorator
@inline export function outA(): usize { return CELLS; }
// @ts-ignore: decorator
@inline export function outB(): usize { return CELLS + 8; }
// @ts-ignore: decorator
@inline export function iovecCell(): usize { return CELLS + 16; }
// @ts-ignore: decorator
@inline export function fdstatCell(): usize { return CELLS + 32; }

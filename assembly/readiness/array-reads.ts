// Reading an Array's length and elements without a call. Each of the standard accessors builds a frame on the
// incremental collector's shadow stack, and that frame keeps the optimizer from inlining it: in the loops that run
// once per ready fd those calls were about a tenth of the guest's time. Reads only (a store must go through the
// array, for the collector's write barrier), and only below the length.

/** `a.length`, read from the array's header. */
// @ts-ignore: decorator
@inline export function lengthOf<T>(a: Array<T>): i32 {
  return load<i32>(changetype<usize>(a), offsetof<Array<T>>("length_"));
}

/** `unchecked(a[i])` for an array of references, `i` below the length. */
// @ts-ignore: decorator
@inline export function itemAt<T>(a: Array<T>, i: i32): T {
  return changetype<T>(load<usize>(a.dataStart + (<usize>i << alignof<usize>())));
}

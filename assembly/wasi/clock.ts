import { clock_time_get } from "./imports";
import { CLOCK_MONOTONIC } from "./layout";
import { outA } from "./scratch";

/** Monotonic time in nanoseconds (0 if the host has no monotonic clock). */
export function monotonicNs(): u64 {
  if (clock_time_get(CLOCK_MONOTONIC, 1000, outA()) != 0) return 0;
  return load<u64>(outA());
}

/** Monotonic time in milliseconds, the unit of every timeout and timer in wasmux. */
export function monotonicMs(): i64 {
  return <i64>(monotonicNs() / 1_000_000);
}

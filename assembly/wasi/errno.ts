// WASI preview1 errno values, as the WASI shim declares them (the alphabetical enum of the preview1 spec).
// Every fallible function in the core returns one of these; 0 is success.
import { errno, errnoToString } from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";

export { errno as Errno } from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";

/** Short symbolic name of an errno, for log lines ("EBADF"); unknown values print as "E<n>". */
export function errnoName(e: u16): string {
  if (e == errno.SUCCESS) return "SUCCESS";
  const name = errnoToString(e);
  return name == "UNKNOWN" ? "E" + e.toString() : "E" + name;
}

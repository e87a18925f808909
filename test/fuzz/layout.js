// Where things live in the fuzz guest's linear memory. The fuzzer aims its "valid" pointers only into the two
// scratch regions (and its invalid ones at or past the end of memory), so the host can never legitimately
// write into the script or the results: what the guest does next stays what the seed says.
//
//   [0, 64 KiB)                 low scratch (fd slots at SLOT_BASE; the report cell for wasmtime at REPORT_BASE)
//   [64 KiB, ...)               script, then results (one u16 errno per call; 0xffff = never answered)
//   last HIGH_PAGES pages       high scratch, ending exactly at the end of memory

export const PAGE = 65536;
export const LOW_END = PAGE;
export const SLOT_BASE = 0x100;
export const SLOT_COUNT = 16;
/** iovec {REPORT_BASE + 16, 4} and the 4-byte report value, written by the interpreter before each report. */
export const REPORT_BASE = 0xff00;
export const SCRIPT_BASE = PAGE;
export const HIGH_PAGES = 8;
/** Size of one call record: a 16-byte header and ten i64 arguments. */
export const CALL_SIZE = 96;
export const MAX_ARGS = 10;
export const OP = { END: 0, WRITE: 1, CALL: 2, COPY32: 3 };

/** Script bytes budgeted per call (the generator stops adding calls when a script would outgrow its budget). */
export const SCRIPT_BYTES_PER_CALL = 512;

/** The layout for a batch of up to `calls` calls; fixed before the script is drawn, which needs memSize. */
export function makeLayout(calls) {
  const scriptLimit = SCRIPT_BASE + calls * SCRIPT_BYTES_PER_CALL + PAGE;
  const resultsBase = scriptLimit;
  const resultsEnd = resultsBase + calls * 2;
  const highBase = Math.ceil(resultsEnd / PAGE) * PAGE;
  const pages = highBase / PAGE + HIGH_PAGES;
  return { calls, scriptLimit, resultsBase, highBase, pages, memSize: pages * PAGE };
}

/** The scratch regions [start, end) valid pointers are drawn from (the low one skips the fd slots and report). */
export function scratchRegions(memSize) {
  return [[SLOT_BASE + SLOT_COUNT * 4, REPORT_BASE], [memSize - HIGH_PAGES * PAGE, memSize]];
}

// Emits the fuzz guest: a small interpreter (WAT text, assembled with binaryen) that first loads its call script
// from SCRIPT_FILE in its preopen (fd 4; before any fuzzing, so nothing has been broken yet), then runs it: it
// performs the script's memory writes, makes each call through one dispatch function, stores the errno at the
// call's results slot and publishes its progress in two exported globals (fuzz_started: calls begun, fuzz_done:
// calls answered), which the host process reads. Under wasmtime (no access to the instance) it also writes each
// errno as 4 bytes to fd 1. The module is the same for every batch of a campaign (only the script file differs),
// so the host's Asyncify cache and V8 see one module, not one per batch.
import binaryen from 'binaryen';
import { CALL_SIZE, MAX_ARGS, OP, REPORT_BASE, SCRIPT_BASE } from './layout.js';
import { JOURNAL_VERSION, SUBSCRIPTION_JOURNAL_SECTION } from '../../dist/host/subscription-journal.js';
import { customSection } from '../../scripts/lib/custom-section.js';

/** The script's file name in the guest's preopen. */
export const SCRIPT_FILE = 'fuzz-script.bin';
/** Where the interpreter keeps the file name and its iovec while loading (low scratch, before any call). */
const LOAD_BASE = 0x80;

const A = [...Array(MAX_ARGS).keys()];

/** The dispatch function: `$call(index, a0..a9)` calls import `index` with its arguments, returns its errno. */
function dispatch(imports) {
  const params = A.map((k) => `(param $a${k} i64)`).join(' ');
  let body = `(br_table ${imports.map((_, i) => `$c${i}`).join(' ')} $bad (local.get $i))`;
  imports.forEach((im, i) => {
    const args = im.params.map((t, k) => (t === 'i32' ? `(i32.wrap_i64 (local.get $a${k}))` : `(local.get $a${k})`)).join(' ');
    const call = `(call $f${i} ${args})`;
    body = `(block $c${i} ${body})\n    ${im.result ? `(return ${call})` : `(drop (i32.const 0)) ${call} (return (i32.const 0))`}`;
  });
  return `(func $call (param $i i32) ${params} (result i32)
    (block $bad ${body})
    (i32.const 65534))`;
}

/** WAT text of the interpreter for these imports; `reportFd` -1 for none. */
export function guestText(imports, { resultsBase, pages, calls, scriptLimit }, reportFd) {
  const fn = (name) => {
    const i = imports.findIndex((im) => im.name === name && im.module === 'wasi_snapshot_preview1');
    if (i < 0) throw new Error(`the fuzz guest needs ${name}`);
    return `$f${i}`;
  };
  const decls = imports.map((im, i) =>
    `(import "${im.module}" "${im.name}" (func $f${i} ${im.params.map((t) => `(param ${t})`).join(' ')}${im.result ? ' (result i32)' : ''}))`);
  const report = reportFd < 0 ? '' : `
      (i32.store (i32.const ${REPORT_BASE + 16}) (local.get $r))
      (i32.store (i32.const ${REPORT_BASE}) (i32.const ${REPORT_BASE + 16}))
      (i32.store (i32.const ${REPORT_BASE + 4}) (i32.const 4))
      (drop (call ${fn('fd_write')} (i32.const ${reportFd}) (i32.const ${REPORT_BASE}) (i32.const 1) (i32.const ${REPORT_BASE + 8})))`;
  return `(module
  ${decls.join('\n  ')}
  (memory (export "memory") ${pages} ${pages})
  (global $started (export "fuzz_started") (mut i32) (i32.const 0))
  (global $done (export "fuzz_done") (mut i32) (i32.const 0))
  ${dispatch(imports)}
  ;; Argument k of the record at p: the literal, or (mask bit k set) the i32 stored at the literal address.
  (func $arg (param $p i32) (param $k i32) (param $mask i32) (result i64) (local $v i64)
    (local.set $v (i64.load offset=16 (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 3)))))
    (if (result i64) (i32.and (i32.shr_u (local.get $mask) (local.get $k)) (i32.const 1))
      (then (i64.extend_i32_u (i32.load (i32.wrap_i64 (local.get $v)))))
      (else (local.get $v))))
  (data (i32.const ${LOAD_BASE + 16}) "${SCRIPT_FILE}")
  ;; Reads the script file into [SCRIPT_BASE, scriptLimit); traps when it cannot (the fuzzer reports that).
  (func $load (local $fd i32) (local $at i32)
    (memory.fill (i32.const ${resultsBase}) (i32.const 255) (i32.const ${calls * 2}))
    (if (call ${fn('path_open')} (i32.const 4) (i32.const 0) (i32.const ${LOAD_BASE + 16}) (i32.const ${SCRIPT_FILE.length})
          (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const ${LOAD_BASE}))
      (then (unreachable)))
    (local.set $fd (i32.load (i32.const ${LOAD_BASE})))
    (local.set $at (i32.const ${SCRIPT_BASE}))
    (loop $more
      (i32.store (i32.const ${LOAD_BASE + 4}) (local.get $at))
      (i32.store (i32.const ${LOAD_BASE + 8}) (i32.sub (i32.const ${scriptLimit}) (local.get $at)))
      (if (call ${fn('fd_read')} (local.get $fd) (i32.const ${LOAD_BASE + 4}) (i32.const 1) (i32.const ${LOAD_BASE + 12}))
        (then (unreachable)))
      (local.set $at (i32.add (local.get $at) (i32.load (i32.const ${LOAD_BASE + 12}))))
      (br_if $more (i32.and (i32.ne (i32.load (i32.const ${LOAD_BASE + 12})) (i32.const 0))
        (i32.lt_u (local.get $at) (i32.const ${scriptLimit})))))
    (drop (call ${fn('fd_close')} (local.get $fd))))
  (func (export "_start") (local $p i32) (local $n i32) (local $r i32) (local $op i32) (local $mask i32)
    (call $load)
    (local.set $p (i32.const ${SCRIPT_BASE}))
    (block $end (loop $next
      (local.set $op (i32.load (local.get $p)))
      (br_if $end (i32.eq (local.get $op) (i32.const ${OP.END})))
      (if (i32.eq (local.get $op) (i32.const ${OP.WRITE})) (then
        (memory.copy (i32.load offset=4 (local.get $p)) (i32.add (local.get $p) (i32.const 16)) (i32.load offset=8 (local.get $p)))
        (local.set $p (i32.add (i32.add (local.get $p) (i32.const 16))
          (i32.and (i32.add (i32.load offset=8 (local.get $p)) (i32.const 7)) (i32.const -8))))
        (br $next)))
      (if (i32.eq (local.get $op) (i32.const ${OP.COPY32})) (then
        (i32.store (i32.load offset=4 (local.get $p)) (i32.load (i32.load offset=8 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))
      (local.set $mask (i32.load offset=8 (local.get $p)))
      (global.set $started (i32.add (local.get $n) (i32.const 1)))
      (local.set $r (call $call (i32.load offset=4 (local.get $p))
        ${A.map((k) => `(call $arg (local.get $p) (i32.const ${k}) (local.get $mask))`).join('\n        ')}))
      (i32.store16 (i32.add (i32.const ${resultsBase}) (i32.shl (local.get $n) (i32.const 1))) (local.get $r))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (global.set $done (local.get $n))${report}
      (local.set $p (i32.add (local.get $p) (i32.const ${CALL_SIZE})))
      (br $next))))
)`;
}

/** The guest module's bytes for these imports and layout (no script: that is read from SCRIPT_FILE). */
export function buildGuest(imports, layout, reportFd) {
  const m = binaryen.parseText(guestText(imports, layout, reportFd));
  try {
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt);
    if (!m.validate()) throw new Error('fuzz guest does not validate');
    // Declares the subscription journal, so that the Node host trusts the headers the script writes before its arrays.
    return Buffer.concat([m.emitBinary(), customSection(SUBSCRIPTION_JOURNAL_SECTION, Uint8Array.of(JOURNAL_VERSION, 0, 0, 0))]);
  } finally {
    m.dispose();
  }
}

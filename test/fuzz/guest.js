// Emits the fuzz guest: a small interpreter (WAT text, assembled with binaryen) that runs the call script baked
// into its memory. It imports every function under test, performs the script's memory writes, makes each call
// through one dispatch function, stores the errno at the call's results slot and publishes its progress in two
// exported globals (fuzz_started: calls begun, fuzz_done: calls answered), which the host process reads.
// Under wasmtime (no access to the instance) it also writes each errno as 4 bytes to fd 1.
import binaryen from 'binaryen';
import { CALL_SIZE, MAX_ARGS, OP, REPORT_BASE, SCRIPT_BASE } from './layout.js';

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
export function guestText(imports, { resultsBase, pages }, reportFd) {
  const decls = imports.map((im, i) =>
    `(import "${im.module}" "${im.name}" (func $f${i} ${im.params.map((t) => `(param ${t})`).join(' ')}${im.result ? ' (result i32)' : ''}))`);
  const write = imports.findIndex((im) => im.name === 'fd_write' && im.module === 'wasi_snapshot_preview1');
  if (reportFd >= 0 && write < 0) throw new Error('reporting needs fd_write');
  const report = reportFd < 0 ? '' : `
      (i32.store (i32.const ${REPORT_BASE + 16}) (local.get $r))
      (i32.store (i32.const ${REPORT_BASE}) (i32.const ${REPORT_BASE + 16}))
      (i32.store (i32.const ${REPORT_BASE + 4}) (i32.const 4))
      (drop (call $f${write} (i32.const ${reportFd}) (i32.const ${REPORT_BASE}) (i32.const 1) (i32.const ${REPORT_BASE + 8})))`;
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
  (func (export "_start") (local $p i32) (local $n i32) (local $r i32) (local $op i32) (local $mask i32)
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

/** Unsigned LEB128. */
function uleb(v) {
  const out = [];
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return out;
}

/** Signed LEB128 of an i32 (for the i32.const offsets). */
function sleb(v) {
  const out = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

/** A data section (id 11) of active segments for memory 0; appended after the code section binaryen emitted
 *  (the only section that may follow it), which is much faster than a multi-megabyte string in WAT text. */
function dataSection(segments) {
  const body = [...uleb(segments.length)];
  const parts = [];
  for (const { offset, data } of segments) parts.push(Uint8Array.from([0, 0x41, ...sleb(offset), 0x0b, ...uleb(data.length)]), data);
  const head = Uint8Array.from(body);
  const size = head.length + parts.reduce((a, p) => a + p.length, 0);
  return [Uint8Array.from([11, ...uleb(size)]), head, ...parts];
}

/** The guest module's bytes: the interpreter with the script as a data segment and unanswered results (0xff). */
export function buildGuest(imports, layout, script, reportFd) {
  const m = binaryen.parseText(guestText(imports, layout, reportFd));
  let code;
  try {
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt);
    if (!m.validate()) throw new Error('fuzz guest does not validate');
    code = m.emitBinary();
  } finally {
    m.dispose();
  }
  const unanswered = new Uint8Array(layout.calls * 2).fill(0xff);
  const parts = [code, ...dataSection([{ offset: SCRIPT_BASE, data: script }, { offset: layout.resultsBase, data: unanswered }])];
  return Buffer.concat(parts);
}

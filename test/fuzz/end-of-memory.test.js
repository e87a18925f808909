// Found by the fuzzer: node:wasi reads a path as a C string, on past its length up to the next NUL byte, so a path
// with no NUL byte after it before the end of guest memory killed the Node host with SIGSEGV (path_unlink_file,
// path_symlink's target, ...); an empty path made it scan from the path on. The host answers FAULT (INVAL for an
// empty path, as node:wasi does) without passing such paths on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGuest, wat, withTimeout } from '../host/helpers.js';

const FAULT = 21, INVAL = 28;
const UNLINK = '(import "wasi_snapshot_preview1" "path_unlink_file" (func $f (param i32 i32 i32) (result i32)))';

/** A guest that makes `call` with its last two bytes not NUL ('aa' at 65534), then exits with the errno. */
function guest(imports, call) {
  return wat(`(module ${imports}
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1 1)
    (func (export "_start")
      (i32.store16 (i32.const 65534) (i32.const 0x6161))
      (i32.store8 (i32.const 100) (i32.const 98))
      (call $exit ${call})))`);
}

async function run(module) {
  const dir = mkdtempSync(join(tmpdir(), 'wasmux-eom-'));
  writeFileSync(join(dir, 'a'), 'x');
  try {
    const g = await startGuest({ module, dirs: [dir], host: 'node' });
    return await withTimeout(g.exited, 10000, 'guest exit');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('path_unlink_file with a path in the last byte of memory answers FAULT and the host lives', async () => {
  assert.is(await run(guest(UNLINK, '(call $f (i32.const 3) (i32.const 65535) (i32.const 1))')), FAULT);
});

test('path_symlink with a target in the last byte of memory answers FAULT and the host lives', async () => {
  const m = guest('(import "wasi_snapshot_preview1" "path_symlink" (func $f (param i32 i32 i32 i32 i32) (result i32)))',
    '(call $f (i32.const 65535) (i32.const 1) (i32.const 3) (i32.const 100) (i32.const 1))');
  assert.is(await run(m), FAULT);
});

test('path_unlink_file with a path followed by no NUL byte up to the end of memory answers FAULT and the host lives', async () => {
  assert.is(await run(guest(UNLINK, '(call $f (i32.const 3) (i32.const 65534) (i32.const 1))')), FAULT);
});

test('path_unlink_file with an empty path followed by no NUL byte answers INVAL and the host lives', async () => {
  assert.is(await run(guest(UNLINK, '(call $f (i32.const 3) (i32.const 65534) (i32.const 0))')), INVAL);
});

test.run();

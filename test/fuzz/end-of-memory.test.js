// Found by the fuzzer: node:wasi reads one byte past a path, so a path ending at the last byte of guest memory
// killed the Node host with SIGSEGV (path_unlink_file, path_symlink's target, ...). The host answers FAULT.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGuest, wat, withTimeout } from '../host/helpers.js';

const FAULT = 21;

/** A guest that makes `call` with a 1-byte path in the last byte of its one page, then exits with the errno. */
function guest(imports, call) {
  return wat(`(module ${imports}
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1 1)
    (func (export "_start")
      (i32.store8 (i32.const 65535) (i32.const 97))
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
  const m = guest('(import "wasi_snapshot_preview1" "path_unlink_file" (func $f (param i32 i32 i32) (result i32)))',
    '(call $f (i32.const 3) (i32.const 65535) (i32.const 1))');
  assert.is(await run(m), FAULT);
});

test('path_symlink with a target in the last byte of memory answers FAULT and the host lives', async () => {
  const m = guest('(import "wasi_snapshot_preview1" "path_symlink" (func $f (param i32 i32 i32 i32 i32) (result i32)))',
    '(call $f (i32.const 65535) (i32.const 1) (i32.const 3) (i32.const 100) (i32.const 1))');
  assert.is(await run(m), FAULT);
});

test.run();

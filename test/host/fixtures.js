// Small inline .wat guests shared by the API and CLI tests (compiled with binaryen at test time).
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD, wat } from './helpers.js';

const WASI = 'wasi_snapshot_preview1';

/** Sleeps `ms` in poll_oneoff (one relative clock), then exits with `code`. */
export function sleeper(ms, code = 0) {
  return wat(`(module
    (import "${WASI}" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
    (import "${WASI}" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (func (export "_start")
      (i64.store (i32.const 0) (i64.const 1))
      (i32.store8 (i32.const 8) (i32.const 0))
      (i32.store (i32.const 16) (i32.const 1))
      (i64.store (i32.const 24) (i64.const ${BigInt(ms) * 1000000n}))
      (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 96)))
      (call $exit (i32.const ${code}))))`);
}

/** Makes fd 3 blocking, accepts one connection, never reads it, sleeps `ms`, exits 0. */
export function acceptAndIgnore(ms) {
  return wat(`(module
    (import "${WASI}" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
    (import "${WASI}" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
    (import "${WASI}" "fd_fdstat_set_flags" (func $setfl (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "_start")
      (drop (call $setfl (i32.const 3) (i32.const 0)))
      (drop (call $accept (i32.const 3) (i32.const 0) (i32.const 200)))
      (i64.store (i32.const 0) (i64.const 1))
      (i32.store8 (i32.const 8) (i32.const 0))
      (i32.store (i32.const 16) (i32.const 1))
      (i64.store (i32.const 24) (i64.const ${BigInt(ms) * 1000000n}))
      (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 96)))))`);
}

/** Traps at once (unreachable). */
export const trapper = () => wat(`(module (memory (export "memory") 1) (func (export "_start") unreachable))`);

/** A module with memory but no _start. */
export const noStart = () => wat(`(module (memory (export "memory") 1) (func (export "main")))`);

/** Writes bytes to build/test/NAME and returns the path (the CLI needs files). */
export function toFile(name, bytes) {
  mkdirSync(BUILD, { recursive: true });
  const p = join(BUILD, name);
  writeFileSync(p, bytes);
  return p;
}

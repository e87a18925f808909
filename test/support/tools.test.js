// A missing external command fails only the tests that need it, each with one line naming it and its packages:
// needTool() itself, then real suites run by scripts/test.js with clang hidden from PATH.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { withTimeout } from '../host/helpers.js';
import { findTool, needTool } from './tools.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLANG_LINE = 'clang not found: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32';

/** A directory of symlinks to every command on PATH except those named clang*: PATH as a machine without clang. */
function pathWithoutClang() {
  const dir = mkdtempSync(join(tmpdir(), 'wasmux-noclang-'));
  const seen = new Set();
  for (const d of (process.env.PATH ?? '').split(':')) {
    let names;
    try {
      names = readdirSync(d);
    } catch {
      continue; // a PATH entry that does not exist
    }
    for (const name of names) {
      if (name.startsWith('clang') || seen.has(name)) continue;
      seen.add(name);
      symlinkSync(join(d, name), join(dir, name));
    }
  }
  return dir;
}

/** Runs scripts/test.js on `pattern` with `PATH`; resolves its plain output (colours stripped). */
function runTests(pattern, path) {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [join(ROOT, 'scripts', 'test.js'), pattern], {
      cwd: ROOT,
      env: { ...process.env, PATH: path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    c.stdout.on('data', (d) => {
      out += d;
    });
    c.stderr.on('data', (d) => {
      out += d;
    });
    c.on('close', (code) => resolve({ code, out: stripVTControlCharacters(out) }));
  });
}

test('needTool returns the path of a command on PATH', () => {
  assert.is(needTool('sh'), findTool('sh'));
  assert.ok(findTool('sh').endsWith('/sh'));
});

test('needTool throws one line, without a stack, naming a missing command and its Debian packages', () => {
  const e = (() => {
    try {
      needTool('sh', 'wrk-wasmux-missing');
    } catch (x) {
      return x;
    }
  })();
  assert.instance(e, Error);
  assert.is(e.message, 'wrk-wasmux-missing not found: install wrk-wasmux-missing and put it on PATH');
  assert.is(e.stack, e.message);
});

test('with clang hidden, exactly the tests that build C fail, each with one line, and the others still run', async () => {
  const dir = pathWithoutClang();
  try {
    // The C echo suite builds its server with clang; the CLI parsing suite needs no clang.
    const r = await withTimeout(
      runTests('^(conformance/c-echo|host/cli)\\.test\\.js$', dir),
      120000,
      'suites without clang',
    );
    assert.not.match(r.out, /ENOENT|no test ran/);
    const fails = [...r.out.matchAll(/ FAIL (.*)"(.*)"\n(.*)\n/g)].map((m) => ({
      suite: m[1],
      name: m[2],
      line: m[3].trim(),
    }));
    assert.is(fails.length, 10, `the 5 C echo tests on each of the 2 hosts:\n${r.out}`);
    for (const f of fails) {
      assert.match(f.suite, /c-echo \[(node|wasmtime)\]/, f.name);
      assert.is(f.line, CLANG_LINE, f.name);
    }
    const summary = r.out.trimEnd().split('\n').pop() ?? '';
    const [, passed, failed] = /^(\d+) passed, (\d+) failed$/.exec(summary) ?? [];
    assert.is(Number(failed), 10, summary);
    assert.ok(Number(passed) >= 4, `the CLI parsing tests still ran and passed: ${summary}`);
    assert.is(r.code, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

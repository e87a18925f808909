// A guest trying to leave its --dir preopen (test/fixtures/hostile-dir.wat): `..`, absolute paths, symlinks in
// the preopen pointing out of it (relative and absolute, followed or not, mid-path), a symlink it makes itself,
// and every path call that could act through them. node:wasi alone let eight of them out (it follows symlinks in
// the middle of a path, and a last one even when told not to: reading, creating, hard-linking and deleting files
// outside); the Node host refuses them with NOTCAPABLE. wasmtime refuses them too, mostly with PERM, LOOP for a
// symlink opened without following; it lets the guest create a symlink pointing out (but never follows it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { BUILD, startGuest, wat, withTimeout } from '../host/helpers.js';
import { HOSTS, LATEST } from './hosts.js';

const OK = 0, LOOP = 32, NOENT = 44, PERM = 63, NOTCAPABLE = 76;
/** One errno per call of the fixture, in order (see its comments). */
const X = { node: NOTCAPABLE, wasmtime: PERM, [LATEST]: PERM };
const expected = (host) => {
  const x = X[host];
  return [
    OK, x, x, x, host === 'node' ? x : LOOP, x, x, x, x, x, x, x,
    host === 'node' ? NOTCAPABLE : OK, // making a symlink that points out: node:wasi refuses, wasmtime allows
    host === 'node' ? NOENT : x, // ... and opening it (on node it does not exist)
    x, x, OK, OK, x, x, OK, x,
  ];
};

/** Builds root/ (the preopen) and outside/ next to it under a fresh directory; returns the base path. */
function buildTree(host) {
  const base = join(BUILD, `hostile-dir-${host}`);
  rmSync(base, { recursive: true, force: true });
  mkdirSync(join(base, 'root', 'sub'), { recursive: true });
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(base, 'outside', 'secret.txt'), 'secret\n');
  writeFileSync(join(base, 'root', 'sub', 'in.txt'), 'in\n');
  symlinkSync('../outside/secret.txt', join(base, 'root', 'link'));
  symlinkSync(join(base, 'outside'), join(base, 'root', 'out'));
  return base;
}

// wasmtime >= 47 runs the fixture as a core module (no listener): same answers as wasmtime 36.
for (const host of [...HOSTS, LATEST]) {
  test(`[${host}] no path call reaches outside the --dir preopen, through .., absolute paths or symlinks`, async () => {
    const base = buildTree(host);
    const raw = new PassThrough();
    const chunks = [];
    raw.on('data', (c) => chunks.push(c));
    const g = await startGuest({ module: wat('hostile-dir'), dirs: [`${join(base, 'root')}::/sandbox`], host, stdout: raw });
    assert.is(await withTimeout(g.exited, 10000, 'guest exit'), 0, g.stderr.text());
    const want = expected(host);
    const got = [...Buffer.concat(chunks)];
    assert.is(got.length, want.length, 'one errno per call');
    assert.equal(got, want);
    // Nothing outside changed.
    assert.is(readFileSync(join(base, 'outside', 'secret.txt'), 'utf8'), 'secret\n');
    assert.not.ok(existsSync(join(base, 'outside', 'made')), 'no directory made outside');
    assert.not.ok(existsSync(join(base, 'outside', 'new.txt')), 'no file created outside');
    assert.not.ok(existsSync(join(base, 'root', 'hard')), 'no hard link to a file outside');
    assert.not.ok(existsSync(join(base, 'moved.txt')), 'nothing renamed out');
    assert.ok(existsSync(join(base, 'root', 'sub', 'in.txt')), 'the file inside is still there');
  });
}

test.run();

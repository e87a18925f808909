// A guest giving path_filestat_set_times refused fstflags, then using its --dir preopen again
// (test/fixtures/hostile-dir-lock.wat). node:wasi answered INVAL but kept the preopen locked, so the next call on
// it (its prestat, a path call, closing it at exit) froze the host's main thread for good; the fuzzer found it.
// The Node host refuses those flags itself. The guest runs in a wasmux CLI process killed after 20 s, so a frozen
// host fails the test instead of freezing the suite. wasmtime answers INVAL too (and traps on an undefined bit,
// which the fixture therefore gives only on the Node host).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD, FIXTURES, runCli, wat } from '../host/helpers.js';
import { HOSTS, LATEST } from './hosts.js';
import { cliHost } from './cli-host.js';

const OK = 0, INVAL = 28;

/** One errno per call of the fixture, in order (see its comments). */
const expected = (host) => [INVAL, INVAL, host === 'node' ? INVAL : OK, OK, OK, OK, INVAL, OK, OK];

// wasmtime >= 47 runs the fixture as a core module (no listener): same answers as wasmtime 36.
for (const host of [...HOSTS, LATEST]) {
  const { name, env } = cliHost(host);
  test(`[${host}] refused fstflags on the preopen answer INVAL and leave it usable, closing it included`, async () => {
    const base = join(BUILD, `hostile-dir-lock-${host}`);
    rmSync(base, { recursive: true, force: true });
    mkdirSync(join(base, 'root'), { recursive: true });
    writeFileSync(join(base, 'root', 'a'), 'a\n');
    const text = readFileSync(join(FIXTURES, 'hostile-dir-lock.wat'), 'utf8')
      .replace('(i32.const UNDEFINED_BIT)', `(i32.const ${host === 'node' ? 16 : 0})`);
    const module = join(base, 'guest.wasm');
    writeFileSync(module, wat(text));
    const r = await runCli(['run', '--host', name, '--dir', join(base, 'root'), module], { timeout: 20000, env });
    assert.is(r.code, 0, r.stderr);
    const got = [...Buffer.from(r.stdout, 'latin1')];
    const want = expected(host);
    assert.is(got.length, want.length, 'one errno per call');
    assert.equal(got, want);
  });
}

test.run();

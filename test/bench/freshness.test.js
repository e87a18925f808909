// The bench never times a guest build older than its sources: a change to the library under assembly/ makes the
// bench guest and the component builds stale, not only a change to their entry files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { newerSource } from '../../dist/bench/driver/freshness.js';
import { BenchError, checkFresh } from '../../dist/bench/driver/servers.js';

const ENTRY = 'bench/assembly/select-cost.ts';
const LIBRARY = 'assembly/select/poll-policy.ts';
const COMPONENT = 'build/bench/component/select-cost.wasm';

/** A tree with the bench guest's entry, one library file and a component build, each written at the given second. */
function tree({ entry = 1000, library = 1000, build = 2000 } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'wasmux-freshness-'));
  for (const { path, s } of [{ path: ENTRY, s: entry }, { path: LIBRARY, s: library }, { path: COMPONENT, s: build }]) {
    if (s === null) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), 'x');
    utimesSync(join(root, path), s, s);
  }
  return root;
}

test('a build newer than its entry and every library source is fresh', () => {
  const root = tree();
  try {
    assert.is(newerSource(root, join(root, COMPONENT), [ENTRY]), null);
  } finally { rmSync(root, { recursive: true }); }
});

test('a build older than a library source under assembly/ is stale, though newer than its entry', () => {
  const root = tree({ library: 3000 });
  try {
    assert.is(newerSource(root, join(root, COMPONENT), [ENTRY]), LIBRARY);
  } finally { rmSync(root, { recursive: true }); }
});

test('a missing build is stale', () => {
  const root = tree({ build: null });
  try {
    assert.ok(newerSource(root, join(root, COMPONENT), [ENTRY]) !== null);
  } finally { rmSync(root, { recursive: true }); }
});

test('the bench refuses a component build of this tree older than a library source, naming it', () => {
  const root = tree({ library: 3000 });
  try {
    assert.throws(() => checkFresh(root, join(root, COMPONENT), 'npm run build:components'),
      (e) => e instanceof BenchError && e.message.includes(LIBRARY) && e.message.includes('npm run build:components'));
  } finally { rmSync(root, { recursive: true }); }
});

test("another checkout's build (--baseline) is taken as it is, whatever this tree's sources", () => {
  const root = tree({ library: 3000 });
  const other = tree();
  try {
    checkFresh(root, join(other, COMPONENT), 'npm run build:components');
  } finally { rmSync(root, { recursive: true }); rmSync(other, { recursive: true }); }
});

test.run();

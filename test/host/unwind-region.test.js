// The Asyncify unwind region a module may reserve (host/wait/unwind-region.ts, scripts/lib/unwind-region.js): our
// AssemblyScript builds declare one and suspend without copying; a module that declares none, or declares one
// badly, gets a borrowed region whose bytes come back after every suspension.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startGuest, wat, withTimeout } from './helpers.js';
import { declaredUnwindRegion } from '../../dist/host/wait/unwind-region.js';
import { unwindRegionSection } from '../../scripts/lib/unwind-region.js';

const sentinel = () => wat('unwind-sentinel');
/** `bytes` with `sections` appended (custom sections may come last). */
const withSections = (bytes, ...sections) => Buffer.concat([Buffer.from(bytes), ...sections.map((s) => Buffer.from(s))]);
const declared = (bytes) => declaredUnwindRegion(new WebAssembly.Module(bytes));

/** The custom section with a payload of our choosing (for malformed declarations). */
function rawSection(payload) {
  const good = unwindRegionSection(16, 4096);
  const nameAndLen = good.subarray(2, good.length - 8); // content = name length, name, payload (size byte < 128)
  const content = Buffer.concat([nameAndLen, payload]);
  return Buffer.concat([Buffer.from([0, content.length]), content]);
}

/** Runs `module` under Asyncify; resolves with its exit status. */
async function exitStatus(module) {
  const g = await startGuest({ module, listen: [], wait: 'asyncify' });
  return withTimeout(g.exited, 20000, 'exit');
}

test('an AssemblyScript build declares [16, memoryBase) as its unwind region', () => {
  const { memoryBase } = JSON.parse(readFileSync(join(ROOT, 'asconfig.json'), 'utf8')).options;
  assert.equal(declared(readFileSync(join(ROOT, 'build', 'echo.wasm'))), { addr: 16, size: memoryBase - 16 });
});

test('a module without the section declares no unwind region', () => {
  assert.is(declared(sentinel()), null);
});

test('a malformed or doubled declaration is ignored', () => {
  const u32s = (a, b) => { const p = Buffer.alloc(8); p.writeUInt32LE(a, 0); p.writeUInt32LE(b, 4); return p; };
  const bad = [
    rawSection(Buffer.alloc(4)), // too short
    rawSection(Buffer.alloc(12)), // too long
    rawSection(u32s(0, 4096)), // address 0
    rawSection(u32s(18, 4096)), // not aligned
    rawSection(u32s(16, 1024)), // too small for Asyncify's frames
    rawSection(u32s(16, 64 * 1024 * 1024)), // absurd
  ];
  assert.is(bad.length, 6);
  for (const s of bad) assert.is(declared(withSections(sentinel(), s)), null, s.toString('hex'));
  const good = unwindRegionSection(16, 4096);
  assert.equal(declared(withSections(sentinel(), good)), { addr: 16, size: 4096 });
  assert.is(declared(withSections(sentinel(), good, good)), null);
});

test('a module that reserves nothing keeps every byte of its memory across a suspension', async () => {
  assert.is(await exitStatus(sentinel()), 0);
});

test('a module that reserves a region has the unwind data kept there, with no copy put back', async () => {
  assert.is(await exitStatus(withSections(sentinel(), unwindRegionSection(16, 4096))), 1);
});

test('a declared region larger than the memory is ignored and the region borrowed', async () => {
  assert.is(await exitStatus(withSections(sentinel(), unwindRegionSection(16, 1024 * 1024))), 0);
});

test.run();

// Cost of one guest suspension and resume, per wait strategy and Node version: a guest calls poll_oneoff in a loop
// (three frames deep, as in a real select loop) and the import answers with an already resolved promise, so
// every call must suspend the guest and resume it on the next microtask. The same loop with an import that answers
// at once gives the plain call cost. Uses the host's own strategies (dist/host/wait/).
// Usage: node bench/suspend-cost.mjs [--nodes 20,22,24,26] [--calls N]
//   without --nodes: measures this Node and prints one JSON line;
//   with --nodes: runs itself under each pinned Node (scripts/ensure-node.sh) and prints a table.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const calls = Number(opt('--calls', '200000'));

/** The guest: _start runs `count` iterations of loop -> outer -> inner -> poll_oneoff, with live locals. */
const WAT = `(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $count (mut i32) (i32.const 0))
  (func $inner (param $i i32) (result i32)
    (i32.add (call $poll (local.get $i) (i32.const 64) (i32.const 1) (i32.const 128)) (local.get $i)))
  (func $outer (param $i i32) (result i32) (local $x i64)
    (local.set $x (i64.extend_i32_u (local.get $i)))
    (i32.add (call $inner (local.get $i)) (i32.wrap_i64 (local.get $x))))
  (func (export "setCount") (param i32) (global.set $count (local.get 0)))
  (func (export "_start") (local $i i32) (local $sum i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (global.get $count)))
      (local.set $sum (i32.add (local.get $sum) (call $outer (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (i32.store (i32.const 0) (local.get $sum))))`;

// The answers declare poll_oneoff's four parameters: a JSPI trampoline takes the arity of what it wraps.
const RESOLVED = (_a, _b, _c, _d) => Promise.resolve(0);
const AT_ONCE = (_a, _b, _c, _d) => 0;

/** Microseconds per call of `count` calls, best of 5, with the import answering via `answer`. */
async function timeStrategy(makeStrategy, bytes, answer, count) {
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    const s = makeStrategy();
    const mod = await s.compile(bytes);
    const inst = await WebAssembly.instantiate(mod, { wasi_snapshot_preview1: { poll_oneoff: s.wrap(answer) } });
    inst.exports.setCount(count);
    const t0 = process.hrtime.bigint();
    await s.run(inst);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1000 / count);
  }
  return best;
}

async function measureHere() {
  const { default: binaryen } = await import('binaryen');
  const m = binaryen.parseText(WAT);
  const bytes = m.emitBinary();
  m.dispose();
  const { asyncifyStrategy } = await import(join(ROOT, 'dist', 'host', 'wait', 'asyncify.js'));
  const { jspiStrategy } = await import(join(ROOT, 'dist', 'host', 'wait', 'jspi.js'));
  const { defaultWaitStrategy, jspiAvailable } = await import(join(ROOT, 'dist', 'host', 'wait', 'strategy.js'));
  const strategies = {
    asyncify: asyncifyStrategy,
    ...(jspiAvailable() ? { jspi: jspiStrategy, jspi_suspending: () => jspiStrategy({ trampolines: false }) } : {}),
  };
  const out = { node: process.versions.node, default: defaultWaitStrategy(), calls };
  for (const [name, make] of Object.entries(strategies)) {
    await timeStrategy(make, bytes, RESOLVED, Math.min(calls, 10000)); // warm-up (and Asyncify's transform)
    out[`${name}_suspend_us`] = await timeStrategy(make, bytes, RESOLVED, calls);
    out[`${name}_call_us`] = await timeStrategy(make, bytes, AT_ONCE, calls);
  }
  // The same guest declaring an unwind region (as our AssemblyScript builds do): Asyncify copies nothing then.
  const { unwindRegionSection } = await import(join(ROOT, 'scripts', 'lib', 'unwind-region.js'));
  const reserved = Buffer.concat([Buffer.from(bytes), unwindRegionSection(4096, 32768)]);
  await timeStrategy(asyncifyStrategy, reserved, RESOLVED, Math.min(calls, 10000));
  out.asyncify_reserved_suspend_us = await timeStrategy(asyncifyStrategy, reserved, RESOLVED, calls);
  return out;
}

const nodes = opt('--nodes', null);
if (!nodes) {
  console.log(JSON.stringify(await measureHere()));
} else {
  const rows = [];
  for (const v of nodes.split(',')) {
    try {
      const bin = execFileSync('bash', [join(ROOT, 'scripts', 'ensure-node.sh'), v], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
      const line = execFileSync(bin, [fileURLToPath(import.meta.url), '--calls', String(calls)], { encoding: 'utf8', cwd: ROOT }).trim();
      rows.push(JSON.parse(line.split('\n').pop()));
    } catch (e) {
      rows.push({ node: v, error: String(e?.stderr || e?.message || e).trim().split('\n').pop() });
    }
  }
  const f = (x) => (typeof x === 'number' ? x.toFixed(2) : '-');
  console.log(`suspension + resume of one poll_oneoff call (already resolved promise), us per call, best of 5 x ${calls}`);
  console.log('| Node | default wait | Asyncify: suspend+resume | Asyncify, reserved region: suspend+resume | Asyncify: plain call | JSPI: suspend+resume | JSPI: answer at once (trampoline) | JSPI, a Suspending import per call: suspend+resume | JSPI, a Suspending import per call: answer at once |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    if (r.error) { console.log(`| ${r.node} | error: ${r.error} | | | | | | | |`); continue; }
    console.log(`| ${r.node} | ${r.default} | ${f(r.asyncify_suspend_us)} | ${f(r.asyncify_reserved_suspend_us)} | ${f(r.asyncify_call_us)} | ${f(r.jspi_suspend_us)} | ${f(r.jspi_call_us)} | ${f(r.jspi_suspending_suspend_us)} | ${f(r.jspi_suspending_call_us)} |`);
  }
}

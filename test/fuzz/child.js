// The host process of one batch (forked by the parent with stdout/stderr redirected to files and an IPC channel):
// generates the batch's guest, runs it through the embedding API start() on the chosen host, publishes progress
// to the parent (whose watchdog kills this process when a call stays unanswered), and finally checks its own fds
// and stdio and reports per-call errnos. Every problem found here is reported as a failure line to the parent.
import { start } from '../../dist/host/index.js';
import { scriptFor } from './batch-script.js';
import { describeCall, PROBE_MS } from './script.js';
import { SCRIPT_BASE } from './layout.js';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildGuest, SCRIPT_FILE } from './guest.js';
import { progressWriter, wrapImports } from './progress.js';
import { injectFault } from './inject.js';
import { CpuWindow, fdDiff, fdSnapshot, stdioDiff, stdioIdentity } from './invariants.js';

const TICK_MS = 25;
/** CPU share above which a guest parked in a long poll counts as a spinning host. */
export const SPIN_SHARE = 0.08;
const UNANSWERED = 0xffff;
/** Largest errno of WASI preview1 (NOTCAPABLE); WASIX shares the numbering. */
const MAX_ERRNO = 76;

const cfg = JSON.parse(process.argv[2]);
const failures = [];
const send = (m) => process.send?.(m);
const fail = (what) => {
  if (failures.length < 20 && !failures.includes(what)) failures.push(what);
};

let hostRunning = false; // before start(), an exception is the fuzzer's own
const who = () => (hostRunning ? 'host' : 'fuzz harness (before the host ran)');
process.on('uncaughtException', (/** @type {any} */ e) => {
  send({ type: 'fail', what: `${who()} threw outside any call: ${e?.stack?.split('\n').slice(0, 3).join(' | ') ?? e}` });
  process.exit(70);
});
process.on('unhandledRejection', (/** @type {any} */ e) => {
  send({ type: 'fail', what: `${who()} left a rejection nobody handled: ${e?.stack?.split('\n').slice(0, 3).join(' | ') ?? e}` });
  process.exit(70);
});
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning') fail(`host warning ${w.name}: ${w.message}`);
});

// The Node host does not expose its instance: capture it here to read the guest's progress globals and results,
// and wrap its imports so that each call publishes the progress before the host runs it.
const PROGRESS_FD = 4;
const calls = progressWriter(PROGRESS_FD);
/** @type {any} the guest's instance, captured at instantiation */
let instance = null;
const publish = () => {
  if (!instance) return;
  const n = instance.exports.fuzz_started.value - 1;
  calls.begin(n);
  if (n === cfg.inject?.call) injectFault(cfg.inject.what);
};
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (module, imports) {
  for (const [mod, fns] of Object.entries(imports ?? {})) {
    for (const name of Object.keys(fns)) {
      if (!fuzzed.has(`${mod}.${name}`)) fail(`the host offers ${mod}.${name}, which the fuzzer does not call`);
    }
  }
  const r = await instantiate.call(this, module, wrapImports(imports, publish));
  instance = r instanceof WebAssembly.Instance ? r : r.instance;
  return r;
};

const fdsBefore = fdSnapshot();
const stdioBefore = stdioIdentity();
const { imports, batch } = await scriptFor(cfg);
const fuzzed = new Set(imports.map((im) => `${im.module}.${im.name}`));
/** "call N name(args)" for failure lines. */
const at = (i) => (i >= 0 && batch.calls[i] ? `call ${i} ${describeCall(batch.calls[i])}` : `call ${i}`);
const reportFd = cfg.host === 'wasmtime' ? 1 : -1;
writeFileSync(join(cfg.sandbox, SCRIPT_FILE), batch.script);
// One module per campaign and host: built by the first batch, then read (the host's Asyncify cache keys on it).
const guestFile = join(cfg.cacheDir, `guest-${cfg.host}-${cfg.capacity}.wasm`);
let bytes;
try {
  bytes = readFileSync(guestFile);
} catch {
  bytes = buildGuest(imports, batch.layout, reportFd);
  writeFileSync(`${guestFile}.${process.pid}`, bytes);
  renameSync(`${guestFile}.${process.pid}`, guestFile);
}

// Under wasmtime, progress comes as one 4-byte errno per answered call on the guest's stdout.
const reports = [];
let pending = Buffer.alloc(0);
const { Writable } = await import('node:stream');
const reportSink = new Writable({
  write(chunk, _enc, cb) {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      reports.push(pending.readUInt32LE(0));
      pending = pending.subarray(4);
    }
    cb();
  },
});

hostRunning = true;
// Under wasmtime its stderr is also kept here: a trap is its one `wasmux: guest trapped` line, a panic is a crash.
let wasmtimeErr = '';
const errSink = new Writable({
  write(chunk, _enc, cb) {
    wasmtimeErr = (wasmtimeErr + chunk.toString('latin1')).slice(-65536);
    process.stderr.write(chunk, cb);
  },
});
let running;
try {
  running = await start({
    module: bytes, host: cfg.host, listen: ['127.0.0.1:0'], dirs: [cfg.sandbox], env: { FUZZ: '1' }, args: ['a', 'b'],
    allowConnect: cfg.host === 'node' ? cfg.allow : undefined,
    stdout: cfg.host === 'wasmtime' ? reportSink : 'inherit', stderr: cfg.host === 'wasmtime' ? errSink : 'inherit',
  });
} catch (e) {
  send({ type: 'fail', what: `the host refused to start the guest: ${e?.message ?? e}` });
  process.exit(70);
}
send({ type: 'started', port: running.addresses[0].port });

const progress = () => {
  if (cfg.host === 'wasmtime') return { started: Math.min(reports.length + 1, batch.calls.length), done: reports.length };
  if (!instance) return { started: 0, done: 0 };
  return { started: instance.exports.fuzz_started.value, done: instance.exports.fuzz_done.value };
};
const probe = { window: null, index: -1, measured: 0, worst: 0 };
const closeProbe = () => {
  const share = probe.window?.share(PROBE_MS / 2);
  if (share !== null && share !== undefined) {
    probe.measured++;
    probe.worst = Math.max(probe.worst, share);
    if (share > SPIN_SHARE) fail(`${at(probe.index)}: host used ${(share * 100).toFixed(1)}% CPU while the guest waited in a long poll`);
  }
  probe.window = null;
};
const tick = () => {
  const p = progress();
  if (cfg.host === 'wasmtime') calls.begin(p.done); // wasmtime reports answers: the next call is the one running
  const diff = stdioDiff(stdioBefore, stdioIdentity());
  if (diff.length > 0) fail(`while ${at(p.started - 1)} ran: ${diff[0]}`);
  const inCall = p.started > p.done ? p.started - 1 : -1;
  if (inCall >= 0 && batch.calls[inCall]?.probe) {
    if (probe.index !== inCall) closeProbe();
    probe.index = inCall;
    probe.window ??= new CpuWindow();
    probe.window.tick();
  } else if (probe.window) closeProbe();
};
const timer = setInterval(tick, TICK_MS);

const code = await running.exited;
clearInterval(timer);
tick();
closeProbe();

// Results: one errno per answered call. A call left unanswered is the one that ended the guest.
const { started, done } = progress();
let results;
if (cfg.host === 'wasmtime') results = reports.slice();
else {
  const mem = new DataView(instance.exports.memory.buffer);
  results = [];
  for (let i = 0; i < done; i++) results.push(mem.getUint16(batch.layout.resultsBase + 2 * i, true));
}
// The host may write only where the guest pointed it; the script sits where no generated pointer reaches.
if (instance) {
  const now = new Uint8Array(instance.exports.memory.buffer, SCRIPT_BASE, batch.script.length);
  const at = now.findIndex((b, i) => b !== batch.script[i]);
  if (at >= 0) fail(`the host wrote into guest memory no pointer gave it (script byte ${at} at address ${SCRIPT_BASE + at} changed)`);
}
const counts = {};
for (let i = 0; i < results.length; i++) {
  const name = batch.calls[i].name;
  const errno = results[i];
  if (errno > MAX_ERRNO) fail(`${at(i)}: answered ${errno === UNANSWERED ? 'nothing' : errno}, not an errno`);
  counts[name] ??= {};
  counts[name][errno] = (counts[name][errno] ?? 0) + 1;
}
const endedBy = started > done ? started - 1 : -1;
let wasmtimeTrap = null;
const error = running.error;
if (endedBy >= 0) {
  const name = batch.calls[endedBy].name;
  counts[name] ??= {};
  const how = error ? 'trap' : 'exit';
  counts[name][how] = (counts[name][how] ?? 0) + 1;
}
const trap = error && (error instanceof WebAssembly.RuntimeError || /^(RuntimeError|WasmuxTrap)/.test(error.name));
if (cfg.host === 'node' && error && !trap) fail(`${at(endedBy)}: host exception ${error.name}: ${error.message.split('\n')[0]}`);
if (endedBy >= 0 && !error && batch.calls[endedBy].name !== 'proc_exit' && cfg.host === 'node') {
  fail(`${at(endedBy)} ended the guest with exit code ${code}`);
}
if (cfg.host === 'wasmtime') {
  const trapLine = /^wasmux: guest trapped: (.*)$/m.exec(wasmtimeErr)?.[1];
  if (/panicked at|fatal runtime error|Segmentation fault|core dumped/.test(wasmtimeErr)) {
    fail(`${at(endedBy)}: wasmtime crashed: ${/.*(panicked at|fatal runtime error|Segmentation fault|core dumped).*/.exec(wasmtimeErr)[0].slice(0, 200)}`);
  } else if (code > 128 && code !== 134 && batch.calls[endedBy]?.name !== 'proc_exit') {
    fail(`${at(endedBy)}: wasmtime was killed by a signal (exit code ${code})`); // 134: its trap exit (SIGABRT)
  }
  // wasmtime ends a guest whose call it refuses with exit code 1 and its report (our trap line when it got through).
  if (code !== 0 && endedBy >= 0 && batch.calls[endedBy].name !== 'proc_exit') {
    const name = batch.calls[endedBy].name;
    counts[name].exit -= 1; // counted as an exit above: wasmtime reports no error object
    if (counts[name].exit === 0) delete counts[name].exit;
    counts[name].trap = (counts[name].trap ?? 0) + 1;
  }
  wasmtimeTrap = trapLine ?? (code !== 0 ? `wasmtime exit code ${code}` : null);
}
if (endedBy < 0 && done !== batch.calls.length) fail(`the guest ended after ${done} of ${batch.calls.length} calls without a call in progress`);

// fds: give the closes the host started a moment to land (sockets close asynchronously), then compare.
let diff = [];
for (let i = 0; i < 40; i++) {
  globalThis.gc?.();
  diff = fdDiff(fdsBefore, fdSnapshot());
  if (diff.length === 0) break;
  await new Promise((r) => setTimeout(r, 50));
}
for (const d of diff.slice(0, 3)) fail(`after the guest: ${d}`);
for (const d of stdioDiff(stdioBefore, stdioIdentity())) fail(`after the guest: ${d}`);

send({
  type: 'done', code, executed: results.length + (endedBy >= 0 ? 1 : 0), counts, endedBy,
  trap: error ? `${error.name}: ${error.message.split('\n')[0]}` : wasmtimeTrap, probes: probe.measured, worstProbe: probe.worst, failures,
});
process.exit(0);

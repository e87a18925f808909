// Runs one batch: files, peers, the host process (child.js, forked) and the watchdog over it. The watchdog
// kills the host when the guest's progress stops for longer than callTimeoutMs (a call that is never answered)
// or the host never gets going; a host that dies by a signal or exits without its report is a crash.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Prng } from './prng.js';
import { Peers } from './peers.js';
import { readProgress } from './progress.js';
import { scriptFor } from './batch-script.js';
import { describeCall } from './script.js';
import { makeSandbox } from './sandbox.js';

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));
const STARTUP_MS = 120000;

/**
 * Runs batch `batch` of `seed`: `opts` = {calls, host, callTimeoutMs, deny, cacheDir, inject ({call, what}: a fault
 * the tests put into the host process, see inject.js)}.
 * Resolves with {executed, counts, failures: [{call, what}], code, trap, probes, worstProbe, ms}; never rejects.
 */
export async function runBatch(seed, batch, opts) {
  const t0 = Date.now();
  const box = makeSandbox(seed, batch);
  const peers = new Peers(new Prng(seed, 1000003 + batch));
  const ports = await peers.listen();
  const allow = [`127.0.0.1:${ports.peer}`, `127.0.0.1:${ports.closed}`, `localhost:${ports.peer}`];
  const cfg = {
    seed, batch, calls: opts.calls, capacity: opts.calls, host: opts.host, ports, sandbox: box.sandbox, allow, deny: opts.deny,
    cacheDir: opts.cacheDir, inject: opts.inject,
  };
  const child = fork(CHILD, [JSON.stringify(cfg)], {
    stdio: ['ignore', box.outFd, box.errFd, 'ipc', 'pipe'],
    execArgv: ['--expose-gc'],
    // The Node host keeps its Asyncify builds there (wasmtime is looked up under the default cache: not moved).
    env: opts.host === 'node' ? { ...process.env, WASMUX_CACHE: opts.cacheDir } : process.env,
  });
  /** @type {any} the host's final report */
  let report = null;
  /** @type {any[]} */
  const failures = [];
  let call = 0; // the call the guest is in (or was in last)
  let lastChange = Date.now();
  let running = false;
  let killedFor = null;
  child.on('message', (/** @type {any} */ m) => {
    if (m.type === 'started') {
      running = true;
      lastChange = Date.now();
      peers.connectTo(m.port);
    } else if (m.type === 'fail') failures.push({ call: null, what: m.what });
    else if (m.type === 'done') report = m;
  });
  readProgress(child.stdio[4], (n) => {
    call = n;
    lastChange = Date.now();
  });
  const watchdog = setInterval(() => {
    const idle = Date.now() - lastChange;
    if (running && idle > opts.callTimeoutMs) {
      killedFor = `was not answered within ${opts.callTimeoutMs} ms (the host hangs)`;
    } else if (!running && idle > STARTUP_MS) killedFor = `the host did not start the guest within ${STARTUP_MS} ms`;
    if (killedFor) {
      clearInterval(watchdog);
      child.kill('SIGKILL');
    }
  }, 100);
  const [code, signal] = await new Promise((r) => child.on('exit', (c, s) => r([c, s])));
  clearInterval(watchdog);
  peers.stop();
  const current = call;
  if (killedFor) failures.push({ call: current, what: killedFor });
  else if (signal) failures.push({ call: current, what: `host crashed: killed by ${signal}` });
  else if (!report) failures.push({ call: current, what: `host exited with code ${code} without its report` });
  for (const what of report?.failures ?? []) failures.push({ call: Number(/call (\d+)/.exec(what)?.[1] ?? NaN), what });
  for (const what of box.check()) failures.push({ call: null, what });
  if (failures.length > 0) {
    const { batch: script } = await scriptFor(cfg);
    for (const f of failures) {
      f.stderr = box.stderrTail();
      const c = script.calls[f.call];
      if (c && !/^(while )?call /.test(f.what)) f.what = `call ${f.call} ${describeCall(c)}: ${f.what}`;
    }
  }
  box.remove();
  return {
    executed: report?.executed ?? call, counts: report?.counts ?? {}, failures, code: report?.code ?? code,
    trap: report?.trap ?? null, probes: report?.probes ?? 0, worstProbe: report?.worstProbe ?? 0, ms: Date.now() - t0,
  };
}

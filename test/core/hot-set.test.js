// The Selector's hot set, on a fake host whose poll costs virtual time in proportion to the fds it is handed
// (as wasmtime's does): busy selects poll only the recently ready fds, every fd is polled again within the
// documented wake-up bound, a wait with nothing hot ready covers every fd, and over-reporting hosts still work.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadHarness, FakeHost } from "./fake-host.js";

const READ = 1;
const N = 1000;
const FIRST = 1000;
/** A full poll of N fds costs 5 µs + 1 µs per fd = 1.005 ms of virtual time; a hot poll of one fd 6 µs. */
const COST = { baseNs: 5000, perSubNs: 1000 };
const FULL_POLL_NS = BigInt(COST.baseNs + COST.perSubNs * N);
/** The largest of some bigint nanosecond counts (all far below 2^53). */
const maxOf = (...xs) => BigInt(Math.max(...xs.map(Number)));
/** The README's bound: max(wakeBoundMs = 10 ms, 10 x the previous full poll) after the previous full poll, plus one full poll. */
const WAKE_BOUND_NS = maxOf(10_000_000n, 10n * FULL_POLL_NS) + FULL_POLL_NS;
/** A full poll is charged at most 4 x the typical one when it sets the interval (a stall is not the host's cost). */
const STALL_FACTOR = 4n;

const fdsOf = (core, n) => Array.from({ length: n }, (_, i) => core.selAtFd(i)).sort((a, b) => a - b);
const fdSubs = (host) => host.lastSubscriptions.filter((s) => s.tag !== 0);

/** N registered fds on an expensive host; fds FIRST .. FIRST+active-1 always have a byte to read. */
async function busySelector({ active = 1, overReport = false, pollCost = COST } = {}) {
  const { core, host } = await loadHarness({ overReport, pollCost });
  for (let i = 0; i < N; i++) { host.stream(FIRST + i); core.selRegister(FIRST + i, READ, i); }
  for (let i = 0; i < active; i++) FakeHost.feed(host.sockets.get(FIRST + i), "x");
  return { core, host };
}

/** Selects without waiting until the selector has measured the host and switched to the hot set. */
function warmUp(core) {
  for (let i = 0; i < 1000 && !core.selHotMode(); i++) core.selSelect(0n);
  assert.ok(core.selHotMode(), "the selector did not switch to the hot set on an expensive host");
}

/** select(0) until `fd` is reported; returns the virtual ns it took. */
function selectUntil(core, host, fd, maxCalls = 100_000) {
  const t0 = host.nowNs;
  for (let i = 0; i < maxCalls; i++) {
    if (fdsOf(core, core.selSelect(0n)).includes(fd)) return host.nowNs - t0;
  }
  throw new Error(`fd ${fd} was never reported in ${maxCalls} selects`);
}

/** select(0) until `ns` of virtual time have passed. */
function spend(core, host, ns) {
  const end = host.nowNs + ns;
  while (host.nowNs < end) core.selSelect(0n);
}

test("on an expensive host, busy selects hand the host only the hot fds", async () => {
  const { core, host } = await busySelector();
  warmUp(core);
  core.selSelect(0n);
  core.selSelect(0n);
  assert.equal(fdsOf(core, core.selSelect(0n)), [FIRST]);
  assert.ok(fdSubs(host).length < 10, `a hot poll handed the host ${fdSubs(host).length} fds`);
});

test("an idle fd that becomes ready is reported within the wake-up bound", async () => {
  const { core, host } = await busySelector();
  warmUp(core);
  spend(core, host, 3_000_000n); // somewhere inside an interval
  const idle = FIRST + 500;
  FakeHost.feed(host.sockets.get(idle), "wake up");
  const took = selectUntil(core, host, idle);
  assert.ok(took <= WAKE_BOUND_NS, `seen after ${took} ns, bound ${WAKE_BOUND_NS} ns`);
});

test("on a host whose full polls scatter in cost, each full poll takes at most a tenth of the time until the next", async () => {
  // Most full polls cost 5x the fastest (a loaded machine): the interval must follow what they really cost.
  const fullPolls = [];
  let host;
  const extraNs = (fdSubs) => {
    if (fdSubs !== N) return 0;
    const extra = fullPolls.length % 4 === 0 ? 0 : 4 * Number(FULL_POLL_NS);
    fullPolls.push({ startNs: host.nowNs, costNs: FULL_POLL_NS + BigInt(extra) });
    return extra;
  };
  const busy = await busySelector({ pollCost: { ...COST, extraNs } });
  host = busy.host;
  warmUp(busy.core);
  fullPolls.length = 0;
  spend(busy.core, host, 2_000_000_000n);
  assert.ok(fullPolls.length >= 10, `only ${fullPolls.length} full polls in 2 s`);
  assert.ok(fullPolls.some((p) => p.costNs > FULL_POLL_NS), "the dear polls happened");
  for (let i = 0; i + 1 < fullPolls.length; i++) {
    const { startNs, costNs } = fullPolls[i];
    const cycleNs = fullPolls[i + 1].startNs - startNs;
    assert.ok(costNs * 10n <= cycleNs, `full poll ${i} cost ${costNs} ns of a ${cycleNs} ns cycle`);
  }
});

test("a full poll stalled far beyond its typical cost delays the next one by at most ten times four typical polls", async () => {
  let stall = false;
  const extraNs = (fdSubs) => {
    if (fdSubs !== N || !stall) return 0;
    stall = false;
    return 2_000_000_000; // the process stopped for 2 s in the middle of the poll
  };
  const { core, host } = await busySelector({ pollCost: { ...COST, extraNs } });
  warmUp(core);
  spend(core, host, 50_000_000n);
  stall = true;
  for (let i = 0; i < 100_000 && stall; i++) core.selSelect(0n);
  assert.not.ok(stall, "no full poll stalled");
  const idle = FIRST + 300;
  FakeHost.feed(host.sockets.get(idle), "wake up");
  const took = selectUntil(core, host, idle);
  const bound = maxOf(10_000_000n, 10n * STALL_FACTOR * FULL_POLL_NS) + FULL_POLL_NS;
  assert.ok(took <= bound, `seen after ${took} ns, bound ${bound} ns`);
});

test("a newly registered fd is polled by the next busy select, not only by the next full poll", async () => {
  const { core, host } = await busySelector();
  warmUp(core);
  const fresh = host.stream(5000);
  FakeHost.feed(fresh, "hello");
  core.selRegister(5000, READ, 9);
  const polls = core.selFullPolls();
  assert.ok(fdsOf(core, core.selSelect(0n)).includes(5000));
  assert.is(core.selFullPolls(), polls, "seen by a hot poll");
});

test("the hot set shrinks when fds go idle", async () => {
  const { core, host } = await busySelector({ active: 5 });
  warmUp(core);
  spend(core, host, 25_000_000n);
  assert.is(core.selHotSize(), 5);
  for (let i = 1; i < 5; i++) host.sockets.get(FIRST + i).inbound = [];
  spend(core, host, 35_000_000n); // more than two intervals
  assert.is(core.selHotSize(), 1);
});

test("a wait with hot fds but none ready blocks on every registered fd once the interval is over", async () => {
  const { core, host } = await busySelector();
  warmUp(core);
  host.sockets.get(FIRST).inbound = [];
  const idle = FIRST + 700;
  const waits = [];
  host.onIdle = (h) => {
    waits.push({ fds: fdSubs(h).length, clock: h.lastSubscriptions.some((s) => s.tag === 0) });
    if (fdSubs(h).length !== N) return false; // the hot wait: let its clock run out
    FakeHost.feed(h.sockets.get(idle), "late");
    return true;
  };
  assert.equal(fdsOf(core, core.selSelect(-1n)), [idle]);
  assert.is(waits.length, 2, JSON.stringify(waits));
  assert.equal(waits[0], { fds: 1, clock: true }, "first the hot fd, until the next full poll is due");
  assert.equal(waits[1], { fds: N, clock: false }, "then every fd, with no timeout of its own");
});

test("a busy select whose look at every fd finds nothing then waits on the hot fds, not on every fd a second time", async () => {
  const { core, host } = await busySelector();
  warmUp(core);
  assert.equal(fdsOf(core, core.selSelect(0n)), [FIRST]); // a busy loop
  host.sockets.get(FIRST).inbound = [];
  host.nowNs += 1_000_000_000n; // the next full poll is due
  const waits = [];
  host.onIdle = (h) => {
    const w = { fds: fdSubs(h).length, clock: h.lastSubscriptions.some((s) => s.tag === 0) };
    waits.push(w);
    if (w.fds !== 1) return false; // the look at every fd: its zero clock answers
    FakeHost.feed(h.sockets.get(FIRST), "again");
    return true;
  };
  assert.equal(fdsOf(core, core.selSelect(-1n)), [FIRST]);
  assert.equal(waits, [{ fds: N, clock: true }, { fds: 1, clock: true }], "every fd once without waiting, then the hot fd");
});

test("a wait with nothing hot blocks on every registered fd at once", async () => {
  const { core, host } = await busySelector();
  warmUp(core);
  host.sockets.get(FIRST).inbound = [];
  for (let i = 0; i < 10_000 && core.selHotSize() > 0; i++) core.selSelect(0n);
  assert.is(core.selHotSize(), 0, "the quiet fd left the hot set");
  const waits = [];
  host.onIdle = (h) => {
    waits.push({ fds: fdSubs(h).length, clock: h.lastSubscriptions.some((s) => s.tag === 0) });
    FakeHost.feed(h.sockets.get(FIRST + 3), "x");
    return true;
  };
  assert.equal(fdsOf(core, core.selSelect(-1n)), [FIRST + 3]);
  assert.equal(waits, [{ fds: N, clock: false }]);
});

test("an over-reporting host still gets every real event, and an idle fd that wakes up within the bound", async () => {
  const { core, host } = await busySelector({ overReport: true });
  warmUp(core);
  for (let i = 0; i < 50; i++) assert.ok(fdsOf(core, core.selSelect(0n)).includes(FIRST), `select ${i} lost the ready fd`);
  const idle = FIRST + 900;
  FakeHost.feed(host.sockets.get(idle), "wake up");
  const took = selectUntil(core, host, idle);
  assert.ok(took <= WAKE_BOUND_NS, `seen after ${took} ns, bound ${WAKE_BOUND_NS} ns`);
  assert.is(core.streamRecv(idle, 100), 7, "its data is all there");
});

test("a dead fd in the hot set is reported with its errno, like any dead fd", async () => {
  const { core, host } = await busySelector({ active: 2 });
  warmUp(core);
  spend(core, host, 25_000_000n);
  host.close(FIRST + 1);
  const n = core.selSelect(0n);
  const got = Array.from({ length: n }, (_, i) => ({ fd: core.selAtFd(i), errno: core.selAtErrno(i) }));
  assert.ok(got.some((g) => g.fd === FIRST + 1 && g.errno === 8), JSON.stringify(got));
  assert.ok(got.some((g) => g.fd === FIRST && g.errno === 0), JSON.stringify(got));
});

test("fds registered after the switch to the hot set (a growing server) keep it on", async () => {
  const { core, host } = await loadHarness({ pollCost: COST });
  for (let i = 0; i < 200; i++) { host.stream(FIRST + i); core.selRegister(FIRST + i, READ, i); }
  FakeHost.feed(host.sockets.get(FIRST), "x");
  warmUp(core);
  for (let i = 200; i < 5000; i++) {
    host.stream(FIRST + i);
    core.selRegister(FIRST + i, READ, i);
    core.selSelect(0n);
  }
  spend(core, host, 2_000_000_000n);
  assert.ok(core.selHotMode(), "the hot set was turned off as the server grew");
  core.selSelect(0n);
  assert.ok(fdSubs(host).length < 10, `a busy select handed the host ${fdSubs(host).length} fds`);
});

test("a host that re-reads the array whenever it changes sends the selector back to full polls for good", async () => {
  // Every call costs 150 µs (enough to try the hot set), plus 1 µs per slot that differs from the previous call.
  const { core, host } = await busySelector({ pollCost: { baseNs: 150_000, perSubNs: 1000, cached: true } });
  warmUp(core);
  for (let i = 0; i < 200 && core.selHotMode(); i++) spend(core, host, 10_000_000n);
  assert.not.ok(core.selHotMode(), "still using the hot set");
  for (let i = 0; i < 3000; i++) {
    core.selSelect(0n);
    assert.not.ok(core.selHotMode(), `back to the hot set after ${i} selects`);
    assert.is(fdSubs(host).length, N);
  }
});

test("an expensive host that keeps one copy per array (parses only what changed in it) keeps the hot set on", async () => {
  // Like the Node host, ten times dearer: 150 ns per fd to compare an array with its copy, 1 µs per slot parsed
  // again; switching between the hot array and the full one re-parses neither.
  const pollCost = { baseNs: 2000, perSubNs: 1000, cached: "per-array", extraNs: (fdSubs) => 150 * fdSubs };
  const { core, host } = await busySelector({ pollCost });
  warmUp(core);
  spend(core, host, 200_000_000n);
  assert.ok(core.selHotMode(), "the hot set was turned off");
  core.selSelect(0n);
  assert.ok(fdSubs(host).length < 10, `a busy select handed the host ${fdSubs(host).length} fds`);
});

/** `n` fds, one of them busy, on a host with `pollCost`: 2,000 busy selects each hand the host every fd. */
async function assertStaysFull(n, pollCost) {
  const { core, host } = await loadHarness({ pollCost });
  for (let i = 0; i < n; i++) { host.stream(FIRST + i); core.selRegister(FIRST + i, READ, i); }
  FakeHost.feed(host.sockets.get(FIRST), "x");
  for (let i = 0; i < 2000; i++) {
    core.selSelect(0n);
    assert.is(fdSubs(host).length, n);
  }
  assert.not.ok(core.selHotMode());
}

test("a host whose full poll costs a few microseconds (a Node host with 10 to 100 fds) keeps every select polling every fd", async () => {
  await assertStaysFull(100, { baseNs: 2000, perSubNs: 20 });
});

test("a small set on a host whose poll costs O(fds) (wasmtime with 10 fds) keeps every select polling every fd", async () => {
  await assertStaysFull(10, { baseNs: 5000, perSubNs: 1500 });
});

test("on a host whose poll is cheap, every select polls every fd", async () => {
  const { core, host } = await busySelector({ pollCost: null });
  for (let i = 0; i < 30; i++) {
    core.selSelect(0n);
    assert.is(fdSubs(host).length, N);
  }
  assert.not.ok(core.selHotMode());
});

test("a wake-up bound of 0 turns the hot set off on an expensive host", async () => {
  const { core, host } = await busySelector();
  core.selSetWakeBound(0n);
  const before = host.pollCalls;
  for (let i = 0; i < 30; i++) {
    core.selSelect(0n);
    assert.is(fdSubs(host).length, N);
  }
  assert.not.ok(core.selHotMode());
  assert.is(host.pollCalls - before, 30, "one host call per select, as before the hot set");
});

test("a malformed WASMUX_WAKE_MS is reported in one line and the loop runs with the default", async () => {
  const { core, host } = await loadHarness({ env: { WASMUX_WAKE_MS: "10ms" } });
  core.loopReset(1n << 18n, 1n << 16n);
  core.loopStopAfter(5n);
  assert.is(core.loopRun(), 0);
  assert.is(host.stderr, "wasmux: WASMUX_WAKE_MS must be a whole number of milliseconds (got '10ms'); keeping the default\n");
});

test.run();

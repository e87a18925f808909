// The event loop over the fake host: echo through Connection, watermarks, EOF, errors, timers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadHarness, FakeHost, E } from "./fake-host.js";

const EV = { DATA: 1, END: 2, DRAIN: 3, CLOSE: 4, TIMER: 5, CONNECT: 6, PAUSE: 7 };
const log = (core) => Array.from({ length: core.eventCount() }, (_, i) => core.eventAt(i));

/**
 * A harness whose loop serves the test echo on listener fd 3; `end: true` makes it end() after each reply.
 * @param {{ high?: bigint, low?: bigint, end?: boolean, overReport?: boolean }} [options]
 */
async function echoLoop({ high = 1n << 18n, low = 1n << 16n, end = false, ...options } = {}) {
  const { core, host } = await loadHarness(options);
  host.listen(3);
  core.loopReset(high, low);
  core.loopEndOnData(end);
  core.loopListen(3);
  return { core, host };
}

/** Runs the loop until the fake host has nothing left to do (it then ends poll with NOSYS). */
function runUntilIdle(core) { return core.loopRun(); }

test("echoes bytes, and on the peer's half-close flushes then closes", async () => {
  const { core, host } = await echoLoop();
  const c = host.connect(3);
  FakeHost.feed(c, "hello ");
  let step = 0;
  host.onIdle = () => {
    step++;
    if (step === 1) { FakeHost.feed(c, "world"); return true; }
    if (step === 2) { c.peerClosed = true; return true; }
    return false;
  };
  assert.is(runUntilIdle(core), E.NOSYS);
  assert.is(FakeHost.received(c).toString(), "hello world");
  assert.ok(c.closed, "closed after EOF");
  const l = log(core);
  assert.equal(l.slice(-3), [EV.END, EV.CLOSE, 0]);
  assert.is(core.loopConnections(), 0);
});

test("a connection reads what the poll said was there, and no more: one recv per message, no AGAIN read", async () => {
  const { core, host } = await echoLoop();
  const c = host.connect(3);
  let sent = 0;
  host.onIdle = () => {
    if (sent < 10) { FakeHost.feed(c, `message ${sent++};`); return true; }
    if (!c.peerClosed) { c.peerClosed = true; return true; }
    return false;
  };
  const before = host.recvCalls;
  runUntilIdle(core);
  assert.is(FakeHost.received(c).toString(), Array.from({ length: 10 }, (_, i) => `message ${i};`).join(""));
  assert.is(host.recvCalls - before, 10 + 1, "ten messages and the EOF, not twice that");
});

test("a peer that does not read: output stops at the high watermark, reading pauses, nothing is lost", async () => {
  const { core, host } = await echoLoop({ high: 1000n, low: 100n });
  const c = host.connect(3, { capacity: 0 });
  const payload = Buffer.alloc(20000, 7).map((_, i) => i % 251);
  FakeHost.feed(c, payload);
  let drained = false;
  host.onIdle = () => {
    // The first time the loop has nothing left to do, the peer starts reading.
    if (!drained) {
      drained = true;
      const unread = Buffer.concat(c.inbound).length;
      assert.ok(unread > 15000, `the loop stopped reading early (${unread} left unread)`);
      const watchedForRead = host.lastSubscriptions.some((s) => s.fd === c.fd && s.tag === 1);
      assert.not.ok(watchedForRead, "no read interest while paused");
      c.capacity = Infinity;
      return true;
    }
    if (!c.peerClosed && Buffer.concat(c.inbound).length === 0) { c.peerClosed = true; return true; }
    return false;
  };
  runUntilIdle(core);
  assert.ok(log(core).includes(EV.PAUSE));
  assert.ok(log(core).includes(EV.DRAIN));
  assert.ok(FakeHost.received(c).equals(payload), "byte-exact after the pause");
});

test("a reset connection is closed with its errno and the others keep going", async () => {
  const { core, host } = await echoLoop();
  const bad = host.connect(3), good = host.connect(3);
  bad.reset = true;
  FakeHost.feed(good, "still here");
  host.onIdle = () => { if (!good.peerClosed) { good.peerClosed = true; return true; } return false; };
  runUntilIdle(core);
  assert.is(FakeHost.received(good).toString(), "still here");
  const l = log(core);
  const i = l.indexOf(EV.CLOSE);
  assert.ok([E.CONNRESET, E.PIPE].includes(l[i + 1]), `closed with ${l[i + 1]}`);
});

test("over-reported readiness: idle connections answer AGAIN and stay open; no extra polls", async () => {
  const { core, host } = await echoLoop({ overReport: true });
  const idle = Array.from({ length: 50 }, () => host.connect(3));
  const active = host.connect(3);
  let rounds = 0;
  host.onIdle = () => {
    if (++rounds <= 20) { FakeHost.feed(active, `msg${rounds};`); return true; }
    return false;
  };
  runUntilIdle(core);
  assert.is(FakeHost.received(active).toString(), Array.from({ length: 20 }, (_, i) => `msg${i + 1};`).join(""));
  assert.ok(idle.every((c) => !c.closed && c.sent.length === 0), "idle connections untouched");
  assert.ok(core.loopIterations() <= 2 * 21 + 2, `polls: ${core.loopIterations()} for 21 wakeups`);
});

test("end() before the peer closed: half-closes, discards what still comes, closes at the peer's EOF", async () => {
  const { core, host } = await echoLoop({ end: true });
  const c = host.connect(3);
  FakeHost.feed(c, "bad request");
  let step = 0;
  host.onIdle = () => {
    step++;
    if (step === 1) {
      assert.ok(c.shutWr, "write side shut after the reply");
      assert.not.ok(c.closed, "not closed while the peer may still send");
      FakeHost.feed(c, "late bytes the peer still sends");
      return true;
    }
    if (step === 2) { c.peerClosed = true; return true; }
    return false;
  };
  runUntilIdle(core);
  assert.is(FakeHost.received(c).toString(), "bad request", "the late bytes were discarded, not echoed");
  assert.ok(c.closed);
  assert.equal(log(core).slice(-2), [EV.CLOSE, 0]);
  assert.is(Buffer.concat(c.inbound).length, 0, "everything the peer sent was read, so no reset");
});

test("end(): a peer that never closes is closed after lingerMs", async () => {
  const { core, host } = await echoLoop({ end: true });
  const c = host.connect(3);
  FakeHost.feed(c, "x");
  const t0 = host.nowNs;
  assert.is(core.loopRun(), E.NOSYS, "the fake host ends the run once only the idle listener is left");
  assert.ok(c.closed);
  assert.is(host.nowNs - t0, 2_000_000_000n, "after the 2 s linger");
});

test("timers fire in deadline order, equal deadlines in creation order, cancelled ones never", async () => {
  const { core, host } = await loadHarness();
  core.loopReset(1n << 18n, 1n << 16n);
  core.loopTimeout(30n, 3);
  core.loopTimeout(10n, 1);
  const cancelled = core.loopTimeout(20n, 99);
  core.loopTimeout(20n, 2);
  core.loopTimeout(20n, 22);
  assert.ok(core.loopCancel(cancelled));
  assert.not.ok(core.loopCancel(cancelled), "cancelling twice");
  const t0 = host.nowNs;
  assert.is(core.loopRun(), 0, "returns once no timer is left");
  const tags = log(core).filter((_, i) => i % 2 === 1);
  assert.equal(tags, [1, 2, 22, 3]);
  assert.is(host.nowNs - t0, 30_000_000n, "slept exactly until the last deadline");
});

test("a repeating timer repeats until cancelled from its callback; stop() ends run()", async () => {
  const { core, host } = await loadHarness();
  core.loopReset(1n << 18n, 1n << 16n);
  core.loopInterval(100n, 7, 5); // cancels itself on the 5th firing
  core.loopStopAfter(10_000n);
  const t0 = host.nowNs;
  assert.is(core.loopRun(), 0);
  assert.equal(log(core), [5, 7, 5, 7, 5, 7, 5, 7, 5, 7]);
  assert.is(host.nowNs - t0, 10_000_000_000n, "then idled until the stop timer, in one sleep");
  assert.ok(core.loopIterations() <= 7, `no spinning: ${core.loopIterations()} polls`);
});

test.run();

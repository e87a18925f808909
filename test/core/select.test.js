// select(readers, writers, errors, timeout): the lesson's semantics, dead fds, over-reported readiness.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadHarness, FakeHost, E } from "./fake-host.js";

const R = 0, W = 1, X = 2;
function run(core, lists, timeout) {
  core.listClear();
  lists.forEach((fds, which) => fds.forEach((fd) => core.listPush(which, fd)));
  const status = core.doSelect(BigInt(timeout));
  const get = (which) => Array.from({ length: core.resultLen(which) }, (_, i) => core.resultAt(which, i)).sort((a, b) => a - b);
  const errnos = Object.fromEntries(Array.from({ length: core.resultLen(X) }, (_, i) => [core.resultAt(X, i), core.resultErrno(i)]));
  return { status, readers: get(R), writers: get(W), errors: get(X), errnos };
}

test("returns the readable and writable subsets", async () => {
  const { core, host } = await loadHarness();
  const a = host.stream(10);
  host.stream(11, { capacity: 0 });
  host.stream(12);
  FakeHost.feed(a, "x");
  const r = run(core, [[10, 11, 12], [10, 11], []], 0);
  assert.is(r.status, 0);
  assert.equal(r.readers, [10]);
  assert.equal(r.writers, [10]);
  assert.equal(r.errors, []);
});

test("a listener with a waiting client is readable; without one it is not", async () => {
  const { core, host } = await loadHarness();
  host.listen(3); host.listen(4);
  host.connect(3);
  const r = run(core, [[3, 4], [], []], 0);
  assert.equal(r.readers, [3]);
});

test("a stream at EOF is readable", async () => {
  const { core, host } = await loadHarness();
  const s = host.stream(20);
  s.peerClosed = true;
  assert.equal(run(core, [[20], [], []], 0).readers, [20]);
});

test("timeout 0 with nothing ready returns empty at once; a positive timeout waits that long", async () => {
  const { core, host } = await loadHarness();
  host.stream(10);
  const t0 = host.nowNs;
  let r = run(core, [[10], [], []], 0);
  assert.equal([r.readers, r.writers, r.errors], [[], [], []]);
  assert.is(host.nowNs, t0);
  r = run(core, [[10], [], []], 250);
  assert.equal(r.readers, []);
  assert.is(host.nowNs - t0, 250_000_000n, "waited 250 ms of virtual time");
});

test("empty lists with no timeout answer INVAL instead of blocking for ever", async () => {
  const { core } = await loadHarness();
  assert.is(run(core, [[], [], []], -1).status, E.INVAL);
});

test("a dead fd does not take the call down when the host fails the whole call (wasmtime)", async () => {
  const { core, host } = await loadHarness({ badFds: "whole-call" });
  const a = host.stream(10);
  FakeHost.feed(a, "hello");
  host.stream(11);
  const r = run(core, [[10, 11, 99], [], []], -1);
  assert.is(r.status, 0);
  assert.equal(r.readers, [10], "the ready one is still reported in the same call");
  assert.equal(r.errors, [99]);
  assert.is(r.errnos[99], E.BADF);
});

test("a dead fd is found even when the host reports it per event", async () => {
  const { core, host } = await loadHarness({ badFds: "per-event" });
  host.stream(10, { capacity: 10 });
  const r = run(core, [[], [10, 42], []], -1);
  assert.equal(r.writers, [10]);
  assert.equal(r.errors, [42]);
  assert.is(r.errnos[42], E.BADF);
});

test("several dead fds, and a dead fd alone, never block", async () => {
  const { core, host } = await loadHarness();
  host.stream(10);
  const r = run(core, [[10, 50, 51], [52], [53]], -1);
  assert.equal(r.errors, [50, 51, 52, 53]);
  assert.equal(r.readers, []);
});

test("a closed fd is dead", async () => {
  const { core, host } = await loadHarness();
  host.stream(10); host.stream(11, { capacity: 1 });
  host.close(10);
  const r = run(core, [[10], [11], []], -1);
  assert.equal(r.errors, [10]);
  assert.equal(r.writers, [11]);
});

test("over-reported read readiness of a non-blocking stream is filtered out by a peek", async () => {
  const { core, host } = await loadHarness({ overReport: true });
  const a = host.stream(10); host.stream(11); host.stream(12);
  FakeHost.feed(a, "x");
  const r = run(core, [[10, 11, 12], [], []], -1);
  assert.equal(r.readers, [10], "the host said all three; only one has data");
  assert.is(Buffer.concat(a.inbound).toString(), "x", "the peek consumed nothing");
});

test("an fd in both readers and writers is reported in each list it is ready for", async () => {
  const { core, host } = await loadHarness();
  const a = host.stream(10);
  FakeHost.feed(a, "x");
  const r = run(core, [[10], [10], []], 0);
  assert.equal(r.readers, [10]);
  assert.equal(r.writers, [10]);
});

test.run();

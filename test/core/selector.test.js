// The Selector: the cases CPython's test_selectors checks, adapted to errno results.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadHarness, FakeHost, E } from "./fake-host.js";

const READ = 1, WRITE = 2, EXIST = 20, NOENT = 44;
function selected(core, timeout) {
  const n = core.selSelect(BigInt(timeout));
  return Array.from({ length: n }, (_, i) => ({ fd: core.selAtFd(i), events: core.selAtEvents(i), errno: core.selAtErrno(i), data: core.selAtData(i) }))
    .sort((a, b) => a.fd - b.fd);
}

test("register, then registering twice answers EXIST and changes nothing", async () => {
  const { core } = await loadHarness();
  assert.is(core.selRegister(10, READ, 7), 0);
  assert.is(core.selRegister(10, WRITE, 8), EXIST);
  assert.is(core.selKeyEvents(10), READ);
  assert.is(core.selKeyData(10), 7);
  assert.is(core.selSize(), 1);
});

test("an empty or unknown event mask answers INVAL", async () => {
  const { core } = await loadHarness();
  assert.is(core.selRegister(10, 0, 1), E.INVAL);
  assert.is(core.selRegister(10, 4, 1), E.INVAL);
  assert.is(core.selRegister(10, 255, 1), E.INVAL);
  assert.is(core.selSize(), 0);
  assert.is(core.selRegister(10, READ, 1), 0);
  assert.is(core.selModify(10, 0, 2), E.INVAL);
  assert.is(core.selKeyData(10), 1, "data unchanged by the failed modify");
});

test("unknown fds: modify and unregister answer NOENT, getKey is null", async () => {
  const { core } = await loadHarness();
  assert.is(core.selModify(10, READ, 1), NOENT);
  assert.is(core.selUnregister(10), NOENT);
  assert.is(core.selKeyEvents(10), -1);
  assert.is(core.selRegister(10, READ, 1), 0);
  assert.is(core.selUnregister(10), 0);
  assert.is(core.selUnregister(10), NOENT, "unregistering twice");
});

test("modify: data only, then events", async () => {
  const { core, host } = await loadHarness();
  host.stream(10, { capacity: 100 });
  core.selRegister(10, READ, 1);
  assert.is(core.selModify(10, READ, 2), 0);
  assert.is(core.selKeyData(10), 2);
  assert.equal(selected(core, 0), [], "not readable, and not watched for write");
  assert.is(core.selModify(10, WRITE, 3), 0);
  assert.equal(selected(core, 0), [{ fd: 10, events: WRITE, errno: 0, data: 3 }]);
});

test("empty select with timeout 0 returns nothing at once", async () => {
  const { core, host } = await loadHarness();
  const t0 = host.nowNs;
  assert.equal(selected(core, 0), []);
  assert.is(host.nowNs, t0);
  assert.is(core.selLastStatus(), 0);
});

test("nothing registered and no timeout: empty with status INVAL, not a hang", async () => {
  const { core } = await loadHarness();
  assert.equal(selected(core, -1), []);
  assert.is(core.selLastStatus(), E.INVAL);
});

test("returned events never carry extra bits", async () => {
  const { core, host } = await loadHarness({ overReport: true });
  const a = host.stream(10), b = host.stream(11);
  FakeHost.feed(a, "x"); FakeHost.feed(b, "y");
  core.selRegister(10, READ, 0);
  core.selRegister(11, WRITE, 0); // readable too, but only asked for write
  const sel = selected(core, 0);
  assert.is(sel.length, 2, 'both keys are ready');
  for (const s of sel) assert.is(s.events & ~core.selKeyEvents(s.fd), 0, `fd ${s.fd}`);
});

test("read and write on one fd", async () => {
  const { core, host } = await loadHarness();
  const a = host.stream(10);
  FakeHost.feed(a, "x");
  core.selRegister(10, READ | WRITE, 5);
  assert.equal(selected(core, 0), [{ fd: 10, events: READ | WRITE, errno: 0, data: 5 }]);
});

test("after fds come and go (their slots reused), each ready fd comes back with its own key and data", async () => {
  const { core, host } = await loadHarness();
  for (const fd of [10, 11, 12, 13]) { host.stream(fd); core.selRegister(fd, READ, fd * 10); }
  assert.is(core.selUnregister(10), 0);
  assert.is(core.selUnregister(12), 0);
  for (const fd of [14, 15]) { host.stream(fd); core.selRegister(fd, READ, fd * 10); }
  for (const fd of [11, 13, 14, 15]) FakeHost.feed(host.sockets.get(fd), "x");
  const got = selected(core, 0);
  assert.is(got.length, 4);
  assert.equal(got.map((k) => [k.fd, k.data]), [[11, 110], [13, 130], [14, 140], [15, 150]]);
});

test("a dead fd comes back with its errno and all its events, every select, until unregistered", async () => {
  const { core, host } = await loadHarness({ badFds: "whole-call" });
  const a = host.stream(10);
  FakeHost.feed(a, "x");
  host.stream(11);
  core.selRegister(10, READ, 1);
  core.selRegister(11, READ | WRITE, 2);
  host.close(11);
  assert.equal(selected(core, -1), [{ fd: 10, events: READ, errno: 0, data: 1 }, { fd: 11, events: READ | WRITE, errno: E.BADF, data: 2 }]);
  const calls = core.selIsolationCalls();
  assert.ok(calls > 0);
  assert.equal(selected(core, -1).map((s) => s.fd), [10, 11]);
  assert.is(core.selIsolationCalls(), calls, "no second search: the dead fd left the poll");
  core.selUnregister(11);
  assert.equal(selected(core, -1).map((s) => s.fd), [10]);
});

test("a hangup makes every registered event ready", async () => {
  const { core, host } = await loadHarness();
  const a = host.stream(10, { capacity: 0 });
  a.reset = true;
  core.selRegister(10, READ | WRITE, 0);
  assert.equal(selected(core, 0).map((s) => s.events), [READ | WRITE]);
});

test("the key map and close", async () => {
  const { core } = await loadHarness();
  core.selRegister(10, READ, 0);
  core.selRegister(11, WRITE, 0);
  assert.is(core.selMapSize(), 2);
  core.selClose();
  assert.is(core.selMapSize(), 0);
  assert.is(core.selRegister(12, READ, 0), E.BADF);
  assert.equal(selected(core, 0), []);
  assert.is(core.selLastStatus(), E.BADF);
});

test("one select costs one host call when nothing is dead, even with 10,000 fds", async () => {
  const { core, host } = await loadHarness();
  for (let i = 0; i < 10000; i++) { host.stream(1000 + i); core.selRegister(1000 + i, READ, i); }
  FakeHost.feed(host.sockets.get(5000), "x");
  const calls = host.pollCalls;
  assert.equal(selected(core, 0).map((s) => s.data), [4000]);
  assert.is(host.pollCalls - calls, 1);
});

test.run();

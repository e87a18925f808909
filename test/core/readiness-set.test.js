// The readiness set against a simple model, under long random sequences of register/modify/remove.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadHarness } from "./fake-host.js";

const READ = 1, WRITE = 2;
const EXIST = 20, NOENT = 44, INVAL = 28;

/**
 * The subscription array as the host would read it: a sorted list of "fd:type:fd named by the userdata:write bit".
 * The userdata must lead back (through the set) to the subscription's own fd, with the low bit set for a write.
 */
function subscriptions(core, host) {
  const v = host.view, p = core.rsSubs(), out = [];
  for (let i = 0; i < core.rsSubCount(); i++) {
    const q = p + i * 48;
    const ud = v.getBigUint64(q, true);
    out.push(`${v.getUint32(q + 16, true)}:${v.getUint8(q + 8)}:${core.rsFdOfUserdata(ud)}:${ud & 1n}`);
  }
  return out.sort();
}
function expected(model) {
  const out = [];
  for (const [fd, { interest }] of model) {
    if (interest & READ) out.push(`${fd}:1:${fd}:0`);
    if (interest & WRITE) out.push(`${fd}:2:${fd}:1`);
  }
  return out.sort();
}

test("add, modify and remove keep the subscription array equal to the model (random, 5000 steps)", async () => {
  const { core, host } = await loadHarness();
  const model = new Map();
  let seed = 12345;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  // Sparse fds, never reused in practice but reused here too: the set must not care.
  const fds = Array.from({ length: 60 }, (_, i) => 3 + i * 977);
  for (let step = 0; step < 5000; step++) {
    const fd = fds[rand(fds.length)];
    const interest = rand(4); // 0 is invalid on purpose
    const op = rand(3);
    if (op === 0) {
      const want = interest === 0 ? INVAL : model.has(fd) ? EXIST : 0;
      assert.is(core.rsAdd(fd, interest, BigInt(step)), want, `add step ${step}`);
      if (want === 0) model.set(fd, { interest, token: BigInt(step) });
    } else if (op === 1) {
      const want = interest === 0 ? INVAL : model.has(fd) ? 0 : NOENT;
      assert.is(core.rsModify(fd, interest, BigInt(step)), want, `modify step ${step}`);
      if (want === 0) model.set(fd, { interest, token: BigInt(step) });
    } else {
      assert.is(core.rsRemove(fd), model.has(fd) ? 0 : NOENT, `remove step ${step}`);
      model.delete(fd);
    }
    assert.is(core.rsSize(), model.size);
    if (step % 50 === 0 || step > 4900) assert.equal(subscriptions(core, host), expected(model), `array at step ${step}`);
  }
  for (const [fd, { interest, token }] of model) {
    assert.is(core.rsInterest(fd), interest);
    assert.is(core.rsToken(fd), token);
  }
});

test("a userdata the set did not give, or gave to a registration since removed, names no registration", async () => {
  const { core, host } = await loadHarness();
  assert.is(core.rsAdd(5, READ, 1n), 0);
  assert.is(core.rsSubCount(), 1);
  const ud = host.view.getBigUint64(core.rsSubs(), true);
  assert.is(core.rsFdOfUserdata(ud), 5n);
  assert.is(core.rsFdOfUserdata(ud + 1000n), -1n);
  assert.is(core.rsFdOfUserdata(0xffffffffffffffffn), -1n);
  assert.is(core.rsRemove(5), 0);
  assert.is(core.rsFdOfUserdata(ud), -1n);
});

test("a failed add or modify leaves the state unchanged", async () => {
  const { core, host } = await loadHarness();
  assert.is(core.rsAdd(5, READ, 1n), 0);
  const before = subscriptions(core, host);
  assert.is(core.rsAdd(5, WRITE, 2n), EXIST);
  assert.is(core.rsModify(5, 0, 3n), INVAL);
  assert.is(core.rsModify(5, 8, 3n), INVAL);
  assert.is(core.rsAdd(6, 4, 3n), INVAL);
  assert.equal(subscriptions(core, host), before);
  assert.is(core.rsToken(5), 1n);
  assert.is(core.rsInterest(6), -1);
});

test("grows past its initial capacity with 10,000 sparse fds", async () => {
  const { core, host } = await loadHarness();
  for (let i = 0; i < 10000; i++) assert.is(core.rsAdd(3 + i * 7, READ | WRITE, 0n), 0);
  assert.is(core.rsSubCount(), 20000);
  for (let i = 0; i < 10000; i += 2) assert.is(core.rsRemove(3 + i * 7), 0);
  assert.is(core.rsSubCount(), 10000);
  const subs = subscriptions(core, host);
  assert.is(subs.length, 10000);
  assert.ok(subs.every((s) => (Number(s.split(":")[0]) - 3) % 14 === 7), "only the odd ones are left");
});

test.run();

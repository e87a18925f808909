// The subscription journal the core keeps before each subscription array (assembly/readiness/subscription-journal.ts):
// the slots written since the host last took the list in, which the Node host trusts to re-read only those. The
// fake host audits it at every poll (fake-host.js auditJournal); these tests check the list itself, and that the
// audit fails a guest that leaves a write out.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadHarness, readJournal } from "./fake-host.js";
import { JOURNAL_MAGIC, JOURNAL_SLOTS } from "../../dist/host/subscription-journal.js";

const READ = 1, WRITE = 2;
const ANY = 0xffffffff;

/** The journal before the readiness set's array: { magic, count, slots }. */
const journalOf = (core, host) => readJournal(host.view, core.rsSubs());

/** Takes the readiness set's list in as a host would (audited against the array's previous bytes). */
const acknowledge = (core, host) => host.auditJournal(core.rsSubs(), core.rsSubCount());

/** A readiness set with `n` read registrations (fds 3..) whose journal the host has taken in. */
async function setWith(n) {
  const { core, host } = await loadHarness();
  core.rsReset();
  for (let i = 0; i < n; i++) core.rsAdd(3 + i, READ, BigInt(i));
  acknowledge(core, host);
  return { core, host };
}

test("a new set's journal carries the magic and says any slot may have changed", async () => {
  const { core, host } = await loadHarness();
  core.rsReset();
  const j = journalOf(core, host);
  assert.is(j.magic, JOURNAL_MAGIC);
  assert.is(j.count, ANY);
});

test("a registration lists the slot it was written to", async () => {
  const { core, host } = await setWith(4);
  core.rsAdd(50, READ, 0n);
  assert.equal(journalOf(core, host).slots, [4]);
});

test("a read-and-write registration lists both its slots", async () => {
  const { core, host } = await setWith(4);
  core.rsAdd(50, READ | WRITE, 0n);
  assert.equal(journalOf(core, host).slots, [4, 5]);
});

test("a removal lists the hole the last subscription moved into", async () => {
  const { core, host } = await setWith(6);
  core.rsRemove(4); // slot 1; the last subscription (slot 5) moves there
  assert.equal(journalOf(core, host).slots, [1]);
});

test("removing the last subscription lists nothing (the count says it is gone)", async () => {
  const { core, host } = await setWith(6);
  core.rsRemove(8);
  assert.equal(journalOf(core, host).slots, []);
});

test("more writes than the journal holds say any slot may have changed", async () => {
  const { core, host } = await setWith(2);
  for (let i = 0; i <= JOURNAL_SLOTS; i++) core.rsAdd(100 + i, READ, 0n);
  assert.is(journalOf(core, host).count, ANY);
});

test("a set that grows starts a new journal for its new array", async () => {
  const { core, host } = await setWith(15); // the set starts with 16 slots and keeps one free for the clock
  const before = core.rsSubs();
  core.rsAdd(200, READ, 0n);
  assert.is.not(core.rsSubs(), before, "the array moved");
  assert.is(journalOf(core, host).count, ANY);
});

test("random registrations, modifications and removals never leave a written slot out (2000 steps)", async () => {
  const { core, host } = await setWith(0);
  let seed = 777;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  let listed = 0;
  for (let step = 0; step < 2000; step++) {
    const fd = 3 + rand(40);
    const op = rand(3);
    if (op === 0) core.rsAdd(fd, 1 + rand(3), BigInt(step));
    else if (op === 1) core.rsModify(fd, 1 + rand(3), BigInt(step));
    else core.rsRemove(fd);
    if (rand(4) === 0) {
      if (journalOf(core, host).slots) listed++;
      acknowledge(core, host); // throws on a slot left out
    }
  }
  assert.ok(listed > 100, `only ${listed} audits saw a list (the rest said "any slot")`);
});

test("a select lists only its clock slot when no registration changed", async () => {
  const { core, host } = await loadHarness();
  core.selReset();
  for (let i = 0; i < 3; i++) { host.stream(100 + i); core.selRegister(100 + i, READ, i); }
  core.selSelect(0n);
  core.selSelect(0n);
  assert.equal(host.lastJournal.slots, [3]);
});

test("the host's audit fails a guest that writes a slot and leaves it out", async () => {
  const { core, host } = await loadHarness();
  core.selReset();
  for (let i = 0; i < 3; i++) { host.stream(100 + i); core.selRegister(100 + i, READ, i); }
  core.selSelect(0n);
  host.view.setUint8(host.lastPollPtr + 1, 0x55); // slot 0's userdata, behind the journal's back
  assert.throws(() => core.selSelect(0n), /slot 0 .* left it out of the journal/);
});

test.run();

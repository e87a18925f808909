// Guest memory under churn: short-lived selectors and the list-based select() called in a loop must
// leave nothing behind. The loops run inside Wasm (build/test/leak-harness.wasm) against the
// simulated host; what is measured is the growth of the guest's linear memory.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadHarness, FakeHost } from "./fake-host.js";

const HARNESS = new URL("../../build/test/leak-harness.wasm", import.meta.url);
const MiB = 1 << 20;

/** Ten streams at fds 10..19, one of them readable, as the churn loops expect. */
async function tenStreamsOneReady() {
  const { host, core } = await loadHarness({ harness: HARNESS });
  for (let fd = 10; fd < 20; fd++) host.stream(fd);
  FakeHost.feed(host.sockets.get(10), "hello world");
  return { host, core, memory: () => host.memory.buffer.byteLength };
}

test("100,000 selector lives and 1,000,000 select() calls in one instance grow guest memory by less than 1 MiB", async () => {
  const { core, memory } = await tenStreamsOneReady();
  const start = memory();
  const lives = 100_000;
  assert.is(core.selectorLives(lives, 10, 10), lives, "every life saw the one ready fd");
  const afterLives = memory();
  assert.ok(afterLives - start < MiB, `selector lives grew memory from ${start} to ${afterLives} bytes`);
  const calls = 1_000_000;
  assert.is(core.selectCalls(calls, 10, 10), calls, "every call saw the one ready fd");
  const end = memory();
  assert.ok(end - start < MiB, `select() calls grew memory from ${afterLives} to ${end} bytes (start ${start})`);
});

test("select() over 5,000 fds, called 100 times, grows guest memory by less than 1 MiB", async () => {
  const { host, core, memory } = await tenStreamsOneReady();
  for (let fd = 1000; fd < 6000; fd++) host.stream(fd);
  assert.is(core.selectCalls(1, 1000, 5000), 0, "nothing ready among the 5,000");
  const start = memory();
  assert.is(core.selectCalls(100, 1000, 5000), 0);
  assert.ok(memory() - start < MiB, `100 large calls grew memory from ${start} to ${memory()} bytes`);
});

test.run();

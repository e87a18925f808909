// OutputBuffer watermarks and chunk accounting.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadHarness } from "./fake-host.js";

test("full above high, drained at or below low, exact byte accounting", async () => {
  const { core } = await loadHarness();
  core.obReset(100n, 20n);
  core.obPush(60);
  assert.not.ok(core.obFull());
  core.obPush(60);
  assert.ok(core.obFull());
  assert.is(core.obPending(), 120n);
  assert.is(core.obFrontLen(), 60);
  core.obConsume(50);
  assert.is(core.obFrontLen(), 10);
  core.obConsume(10);
  assert.is(core.obFrontLen(), 60);
  assert.not.ok(core.obDrained());
  core.obConsume(40);
  assert.ok(core.obDrained());
  assert.is(core.obPending(), 20n);
});

test.run();

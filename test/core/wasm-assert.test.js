// The uvu trap from the shared notes: a failing assertion inside Wasm must fail the test run.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { loadHarness } from "./fake-host.js";

test("an AssemblyScript assert(false) throws a JS Error (not proc_exit)", async () => {
  const { core } = await loadHarness();
  assert.throws(() => core.failingAssertion(), /deliberate failure inside Wasm/);
});

test("a suite whose Wasm assertion fails makes uvu exit non-zero and count the failure", () => {
  const uvu = fileURLToPath(new URL("../../node_modules/uvu/bin.js", import.meta.url));
  const dir = fileURLToPath(new URL("../fixtures", import.meta.url));
  const r = spawnSync(process.execPath, [uvu, dir, "failing-wasm-suite"], { encoding: "utf8", timeout: 30000 });
  assert.is.not(r.status, 0, `uvu exited ${r.status}: ${r.stdout}`);
  assert.match(stripVTControlCharacters(r.stdout), /Passed:\s+0/);
});

test.run();

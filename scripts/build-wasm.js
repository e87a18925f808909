// Compiles every example server in assembly/examples/ to build/NAME.wasm (WASI preview1 command
// modules), the unit-test harnesses to build/test/core-, leak- and examples-harness.wasm (no WASI
// shim: their asserts throw a JS Error instead of calling proc_exit, so a failing assertion fails the
// test run), and the conformance probes build/test/select-probe.wasm and build/test/exit-code.wasm.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readdirSync, mkdirSync, readFileSync } from "node:fs";
import { declareUnwindRegion } from "./lib/unwind-region.js";
import { declareSubscriptionJournal } from "./lib/subscription-journal.js";

const only = process.argv.slice(2);
const examples = readdirSync("assembly/examples")
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.slice(0, -3))
  .filter((name) => only.length === 0 || only.includes(name));

mkdirSync("build/test", { recursive: true });
const jobs = examples.map((name) => ({
  name: `build/${name}.wasm`,
  argv: [`assembly/examples/${name}.ts`, "-o", `build/${name}.wasm`, "--target", "release"],
  unwindRegion: true,
  journal: true,
}));
if (only.length === 0 || only.includes("harness")) {
  // A real WASI command (with the shim) that the conformance tests run on both hosts.
  jobs.push({
    name: "build/test/select-probe.wasm",
    argv: ["test/assembly/select-probe.ts", "-o", "build/test/select-probe.wasm", "--target", "release"],
    unwindRegion: true,
    journal: true,
  });
  jobs.push({
    name: "build/test/exit-code.wasm",
    argv: ["test/assembly/exit-code.ts", "-o", "build/test/exit-code.wasm", "--target", "release"],
    unwindRegion: true,
  });
  jobs.push({
    name: "build/test/core-harness.wasm",
    argv: ["test/assembly/core-harness.ts", "-o", "build/test/core-harness.wasm", "--config", "test/assembly/asconfig.json"],
  });
  jobs.push({
    name: "build/test/examples-harness.wasm",
    argv: ["test/assembly/examples-harness.ts", "-o", "build/test/examples-harness.wasm", "--config", "test/assembly/asconfig.json"],
  });
  // Optimized like a release build: the memory-bound test churns a million selects through it.
  jobs.push({
    name: "build/test/leak-harness.wasm",
    argv: ["test/assembly/leak-harness.ts", "-o", "build/test/leak-harness.wasm", "--config", "test/assembly/leak-asconfig.json"],
  });
}

// Modules built with asconfig.json keep their data above its memoryBase: the bytes below are the unwind region
// they declare to the Node host (scripts/lib/unwind-region.js).
const { memoryBase } = JSON.parse(readFileSync("asconfig.json", "utf8")).options;

// One compiler process per module: asc keeps option state between in-process runs (the harness
// then inherits the shim's `use` aliases), and two at a time use both cores.
const ascBin = fileURLToPath(new URL("../node_modules/assemblyscript/bin/asc.js", import.meta.url));
function compile(job) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ascBin, ...job.argv], { stdio: ["ignore", "inherit", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => { err += d; });
    child.on("close", (code) => {
      if (code === 0 && job.unwindRegion) declareUnwindRegion(job.name, memoryBase);
      // Modules whose polls go through the core's readiness sets keep the subscription journal.
      if (code === 0 && job.journal) declareSubscriptionJournal(job.name);
      if (code === 0) console.log(`build-wasm: ${job.name}`);
      else console.error(`build-wasm: ${job.name} failed\n${err}`);
      resolve(code === 0);
    });
  });
}

let failed = 0;
const queue = [...jobs];
await Promise.all([0, 1].map(async () => {
  for (let job = queue.shift(); job; job = queue.shift()) if (!(await compile(job))) failed++;
}));
process.exit(failed ? 1 : 0);

// Declares the subscription journal in modules that another project built from `wasmux/assembly`, so that the Node
// host compares only the subscription slots the core wrote at each poll_oneoff (README, "The Node host"). Only for
// modules whose every poll_oneoff goes through the core (select, Selector, EventLoop): those keep the journal.
// Usage: node node_modules/wasmux/scripts/declare-journal.js MODULE.wasm...
import { readFileSync } from "node:fs";
import { SUBSCRIPTION_JOURNAL_SECTION, declareSubscriptionJournal } from "./lib/subscription-journal.js";

const paths = process.argv.slice(2);
if (paths.length === 0 || paths.includes("--help") || paths.includes("-h")) {
  const usage = "usage: node scripts/declare-journal.js MODULE.wasm...  (modules built from wasmux/assembly; adds the section once)";
  if (paths.length === 0) {
    console.error(usage);
    process.exit(2);
  }
  console.log(usage);
  process.exit(0);
}
for (const path of paths) {
  let module;
  try {
    module = new WebAssembly.Module(readFileSync(path));
  } catch (e) {
    console.error(`declare-journal: ${path}: ${e.code === "ENOENT" ? "no such file" : String(e.message).split("\n")[0]}`);
    process.exitCode = 1;
    continue;
  }
  if (WebAssembly.Module.customSections(module, SUBSCRIPTION_JOURNAL_SECTION).length > 0) {
    console.log(`declare-journal: ${path} already declares the journal`);
    continue;
  }
  declareSubscriptionJournal(path);
  console.log(`declare-journal: ${path} declares the journal`);
}

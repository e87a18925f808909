// Runs every uvu suite under test/ (files named *.test.js) and ends with the plain line
// "N passed, N failed" that CI reads. Exits non-zero when any test failed, when uvu itself
// failed (a suite that crashed while loading counts as one failure), or when nothing ran.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";

const uvu = fileURLToPath(new URL("../node_modules/uvu/bin.js", import.meta.url));
const pattern = process.argv[2] ?? "\\.test\\.js$";

function runUvu(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [uvu, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => { out += d; process.stdout.write(d); });
    child.on("close", (code, signal) => resolve({ code: code ?? 1, signal, out }));
  });
}

const { code, signal, out } = await runUvu(["test", pattern]);
const plain = stripVTControlCharacters(out);
// uvu's summary is the last one printed: a failing test may quote a nested run's summary before it.
const last = (label) => Number([...plain.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, "gm"))].pop()?.[1] ?? 0);
const total = last("Total");
const passed = last("Passed");
const skipped = last("Skipped");
let failed = total - passed - skipped;
if ((code !== 0 || signal) && failed === 0) failed = 1; // uvu failed outside any counted test
if (skipped > 0) console.log(`note: ${skipped} skipped test(s) are counted as failed: nothing is skipped quietly`);
failed += skipped;
if (total === 0) { console.log("no test ran"); failed = Math.max(failed, 1); }
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

// Another AssemblyScript project can depend on wasmux and `import ... from "wasmux/assembly"` (asc resolves
// node_modules/wasmux/assembly/index.ts; 0.28 does not read package.json's ascMain, which is set for tools that do).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, existsSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

test("a dependent project compiles against the AssemblyScript entry point", () => {
  const dir = mkdtempSync(join(tmpdir(), "wasmux-dependent-"));
  try {
    mkdirSync(join(dir, "node_modules/@assemblyscript"), { recursive: true });
    symlinkSync(root, join(dir, "node_modules/wasmux"));
    symlinkSync(join(root, "node_modules/@assemblyscript/wasi-shim"), join(dir, "node_modules/@assemblyscript/wasi-shim"));
    writeFileSync(join(dir, "asconfig.json"), JSON.stringify({ extends: "./node_modules/@assemblyscript/wasi-shim/asconfig.json" }));
    writeFileSync(join(dir, "server.ts"), [
      'import { EventLoop, Selector, EVENT_READ, listenFds } from "wasmux/assembly";',
      "const sel = new Selector<i32>();",
      "sel.register(3, EVENT_READ, 1);",
      "const loop = new EventLoop();",
      "if (listenFds().length == 0) loop.stop();",
    ].join("\n"));
    const r = spawnSync(process.execPath, [join(root, "node_modules/assemblyscript/bin/asc.js"), "server.ts", "-o", "server.wasm"],
      { cwd: dir, encoding: "utf8", timeout: 120000 });
    assert.is(r.status, 0, r.stderr);
    assert.ok(existsSync(join(dir, "server.wasm")));
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(join(dir, "server.wasm")))).map((i) => i.name);
    assert.ok(imports.includes("poll_oneoff") || imports.includes("fd_fdstat_get"), imports.join(","));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

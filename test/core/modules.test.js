// What `npm run build` must produce: every example a WASI command module; the servers preview1-only (so they
// also run under wasmtime), importing the calls a select() server needs; the clients adding only WASIX sockets.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";

const mod = (name) => new WebAssembly.Module(readFileSync(new URL(`../../build/${name}.wasm`, import.meta.url)));
const imports = (name) => WebAssembly.Module.imports(mod(name)).map((i) => `${i.module}.${i.name}`);

for (const name of ["echo", "chat", "http", "kv"]) {
  test(`build/${name}.wasm: exports _start and memory, imports poll_oneoff and the sock_* calls, preview1 only`, () => {
    const exports = WebAssembly.Module.exports(mod(name)).map((e) => e.name);
    assert.ok(exports.includes("_start") && exports.includes("memory"), exports.join(","));
    const got = imports(name);
    for (const f of ["poll_oneoff", "sock_accept", "sock_recv", "sock_send"]) {
      assert.ok(got.includes(`wasi_snapshot_preview1.${f}`), `${name} imports ${f}: ${got.join(",")}`);
    }
    assert.equal(got.filter((i) => !i.startsWith("wasi_snapshot_preview1.")), [], "nothing but preview1");
  });
}

for (const name of ["proxy", "fetch"]) {
  test(`build/${name}.wasm: a command module whose only non-preview1 imports are the WASIX client calls`, () => {
    const allowed = ["sock_open", "sock_connect", "sock_addr_local", "sock_addr_peer", "resolve"].map((f) => `wasix_32v1.${f}`);
    const foreign = imports(name).filter((i) => !i.startsWith("wasi_snapshot_preview1."));
    assert.ok(foreign.length > 0 && foreign.every((i) => allowed.includes(i)), foreign.join(","));
    assert.ok(WebAssembly.Module.exports(mod(name)).some((e) => e.name === "_start"));
  });
}

test.run();

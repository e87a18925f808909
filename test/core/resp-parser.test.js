// The kv example's RESP parser (assembly/examples/lib/resp-parser.ts) fed byte pieces directly:
// what it holds for announced and arriving bulks, its limits, and how much it scans.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadHarness } from "./fake-host.js";

const HARNESS = new URL("../../build/test/examples-harness.wasm", import.meta.url);
const NEED_MORE = 0, READY = 1, STOP = 3;

async function parsers(budget = 1 << 30) {
  const { host, core } = await loadHarness({ harness: HARNESS });
  core.reset(BigInt(budget));
  const feed = (p, bytes) => {
    for (let off = 0; off < bytes.length; off += 65536) {
      const piece = bytes.subarray(off, off + 65536);
      new Uint8Array(host.memory.buffer, core.scratchPtr(), piece.length).set(piece);
      if (!core.feed(p, piece.length)) return false;
    }
    return true;
  };
  const error = (p) => String.fromCharCode(...Array.from({ length: core.errorLength(p) }, (_, i) => core.errorAt(p, i)));
  return { core, feed, error, open: (limit = 1 << 30) => core.open(BigInt(limit)) };
}

test("a line arriving in 64-byte pieces is scanned once, not once per piece", async () => {
  const { core, feed, open } = await parsers();
  const p = open();
  const line = Buffer.from("SET k " + "x".repeat(65000 - 8) + "\r\n");
  let steps = 0;
  for (let off = 0; off < line.length; off += 64) {
    assert.ok(feed(p, line.subarray(off, off + 64)));
    const step = core.next(p);
    if (off + 64 < line.length) assert.is(step, NEED_MORE);
    else assert.is(step, READY);
    steps++;
  }
  assert.is(steps, Math.ceil(line.length / 64));
  assert.is(core.argCount(p), 3);
  assert.is(core.argLength(p, 2), 65000 - 8);
  assert.ok(Number(core.scanned(p)) <= line.length, `scanned ${core.scanned(p)} bytes for a ${line.length}-byte line`);
});

test("80 connections announcing 64 MiB bulks hold only their small buffers", async () => {
  const { core, feed, open } = await parsers();
  const ps = Array.from({ length: 80 }, () => open());
  assert.is(ps.length, 80);
  for (const p of ps) {
    assert.ok(feed(p, Buffer.from("*1\r\n$67108864\r\n")));
    assert.is(core.next(p), NEED_MORE);
    assert.ok(Number(core.held(p)) <= 16384, `one parser holds ${core.held(p)} bytes`);
  }
  assert.ok(Number(core.budgetHeld()) <= 80 * 16384, `all hold ${core.budgetHeld()} bytes`);
});

test("a large bulk grows with its bytes and arrives intact in one argument", async () => {
  const { core, feed, open } = await parsers();
  const p = open();
  const value = Buffer.alloc(1_000_000, 7);
  assert.ok(feed(p, Buffer.from(`*2\r\n$4\r\nECHO\r\n$${value.length}\r\n`)));
  assert.is(core.next(p), NEED_MORE);
  assert.ok(feed(p, value.subarray(0, 100_000)));
  assert.is(core.next(p), NEED_MORE);
  assert.ok(Number(core.held(p)) < 400_000, `after 100 kB of a 1 MB bulk the parser holds ${core.held(p)} bytes`);
  assert.ok(feed(p, Buffer.concat([value.subarray(100_000), Buffer.from("\r\nPING\r\n")])));
  assert.is(core.next(p), READY);
  assert.is(core.argCount(p), 2);
  assert.is(core.argLength(p, 1), value.length);
  assert.is(core.argSum(p, 1), BigInt(value.length * 7));
  assert.is(core.next(p), READY, "the inline PING after it");
  assert.is(core.argCount(p), 1);
  assert.is(core.next(p), NEED_MORE);
});

test("a bulk announced past the connection's limit is refused as too large", async () => {
  const { core, feed, error, open } = await parsers();
  const p = open(100_000);
  assert.ok(feed(p, Buffer.from("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$200000\r\n")));
  assert.is(core.next(p), STOP, "refused at the header, before any of its bytes");
  assert.is(error(p), "ERR Protocol error: command too large");
});

test("input past the total of all connections is refused, and a closed connection gives its share back", async () => {
  const { core, feed, error, open } = await parsers(300_000);
  const a = open(), b = open();
  assert.ok(feed(a, Buffer.from("*2\r\n$4\r\nECHO\r\n$1000000\r\n")));
  assert.is(core.next(a), NEED_MORE);
  assert.ok(feed(a, Buffer.alloc(200_000, 1)));
  assert.is(core.next(a), NEED_MORE);
  assert.ok(feed(b, Buffer.from("*2\r\n$4\r\nECHO\r\n$1000000\r\n")));
  assert.is(core.next(b), NEED_MORE);
  assert.is(feed(b, Buffer.alloc(200_000, 1)), false);
  assert.is(error(b), "ERR server input buffers full (--max-input-bytes)");
  core.release(a);
  core.release(b);
  assert.is(core.budgetHeld(), 0n);
});

test.run();

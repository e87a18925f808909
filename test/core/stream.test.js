// Stream and Listener over the fake host: partial sends, AGAIN, EOF, LISTEN_FDS discovery.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadHarness, FakeHost, E } from "./fake-host.js";

test("recv returns the bytes, then -AGAIN when empty, then 0 at EOF", async () => {
  const { core, host } = await loadHarness();
  const s = host.stream(10);
  FakeHost.feed(s, "hello");
  assert.is(core.streamRecv(10, 3), 3);
  assert.is(Buffer.from(host.bytes.slice(core.ioBuffer(), core.ioBuffer() + 3)).toString(), "hel");
  assert.is(core.streamRecv(10, 100), 2);
  assert.is(core.streamRecv(10, 100), -E.AGAIN);
  s.peerClosed = true;
  assert.is(core.streamRecv(10, 100), 0);
});

test("send may be partial, then answers -AGAIN when the host is full", async () => {
  const { core, host } = await loadHarness();
  const s = host.stream(10, { capacity: 5 });
  host.bytes.set(Buffer.from("abcdefgh"), core.ioBuffer());
  assert.is(core.streamSend(10, 8), 5);
  assert.is(core.streamSend(10, 3), -E.AGAIN);
  assert.is(FakeHost.received(s).toString(), "abcde");
});

test("errors come back as errnos: reset, bad fd, write after shutdown", async () => {
  const { core, host } = await loadHarness();
  const s = host.stream(10);
  s.reset = true;
  assert.is(core.streamRecv(10, 10), -E.CONNRESET);
  assert.is(core.streamRecv(77, 10), -E.BADF);
  host.stream(11);
  assert.is(core.streamShutdownWrite(11), 0);
  assert.is(core.streamSend(11, 1), -E.PIPE);
});

test("accept gives a new fd, then -AGAIN when nobody is waiting", async () => {
  const { core, host } = await loadHarness();
  host.listen(3);
  const c = host.connect(3);
  assert.is(core.listenerAccept(3), c.fd);
  assert.is(core.listenerAccept(3), -E.AGAIN);
  assert.is(core.listenerAccept(4), -E.BADF);
});

test("listeners come from LISTEN_FDS", async () => {
  const { core, host } = await loadHarness({ env: { LISTEN_FDS: "2", OTHER: "x" } });
  host.listen(3); host.listen(4); host.listen(5);
  assert.is(core.listenFdCount(), 2);
  assert.equal([core.listenFdAt(0), core.listenFdAt(1)], [3, 4]);
});

test("without LISTEN_FDS, listeners are found by probing from fd 3", async () => {
  const { core, host } = await loadHarness();
  host.listen(3); host.listen(4); host.listen(6);
  assert.is(core.listenFdCount(), 2, "stops at the first gap");
});

test.run();

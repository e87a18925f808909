// Connection's state machine over the fake host, one transition per test: connecting, open, half-closed
// (endWrite), ending and lingering (end), closed; and the watermarks around them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadHarness, FakeHost, E } from "./fake-host.js";

const EV = { DATA: 1, END: 2, DRAIN: 3, CLOSE: 4, CONNECTED: 8 };
const log = (core) => Array.from({ length: core.eventCount() }, (_, i) => core.eventAt(i));
const KB = 1024;

/** A harness with one accepted connection (state OPEN) to a scripted peer. */
async function accepted({ capacity = Infinity, high = 1n << 18n, low = 1n << 16n, ...options } = {}) {
  const { core, host } = await loadHarness(options);
  core.loopReset(1n << 18n, 1n << 16n);
  const peer = host.stream(undefined, { capacity });
  core.connAccept(peer.fd, high, low);
  return { core, host, peer, state: () => host.readString(core.connState()) };
}

/**
 * A harness with one outgoing connection still being made (the peer takes nothing until it connects).
 * @param {number} [outcome] the errno the connection ends with once writable (SUCCESS: connected)
 */
async function connecting(outcome = E.SUCCESS) {
  const { core, host } = await loadHarness();
  core.loopReset(1n << 18n, 1n << 16n);
  const peer = host.stream(undefined, { capacity: 0 });
  core.connConnecting(peer.fd, outcome);
  return { core, host, peer, state: () => host.readString(core.connState()) };
}

/** Queues `text` on the connection through Connection.write; returns write()'s answer. */
function write(core, host, text) {
  const b = Buffer.from(text);
  host.bytes.set(b, core.ioBuffer());
  return core.connWrite(b.length);
}

/** Runs the loop until the fake host has nothing left to do; `atIdle` runs (once) when it first idles. */
function run(core, host, atIdle = () => false) {
  let first = true;
  host.onIdle = () => {
    if (!first) return false;
    first = false;
    return atIdle();
  };
  return core.loopRun();
}

test("connecting -> open: once connected the handler hears onConnect and the queued output goes out", async () => {
  const { core, host, peer, state } = await connecting();
  assert.is(state(), "CONNECTING");
  assert.ok(write(core, host, "queued before the connection"));
  assert.is(peer.sent.length, 0, "nothing is sent before the connection is made");
  peer.capacity = Infinity;
  run(core, host);
  assert.is(state(), "OPEN");
  assert.equal(log(core), [EV.CONNECTED]);
  assert.is(FakeHost.received(peer).toString(), "queued before the connection");
});

test("connecting -> closed: a failed connection closes with its errno and never says onConnect", async () => {
  const { core, host, peer, state } = await connecting(E.CONNREFUSED);
  peer.capacity = Infinity;
  run(core, host);
  assert.is(state(), "CLOSED");
  assert.equal(log(core), [EV.CLOSE, E.CONNREFUSED]);
  assert.ok(peer.closed, "the fd is closed");
  assert.is(core.loopConnections(), 0);
});

test("connecting + end(): end waits for the connection, sends what was queued, then lingers", async () => {
  const { core, host, peer, state } = await connecting();
  write(core, host, "request");
  core.connEnd();
  assert.is(state(), "CONNECTING", "end() does not cut a connection that is still being made");
  assert.not.ok(write(core, host, "too late"), "nothing is taken after end()");
  peer.capacity = Infinity;
  let atIdle = "";
  run(core, host, () => { atIdle = state(); return false; });
  assert.is(atIdle, "LINGERING");
  assert.is(FakeHost.received(peer).toString(), "request");
  assert.ok(peer.shutWr, "the write side was shut after the request");
});

test("connecting + endWrite(): once connected the queued output goes out, then the write side is shut", async () => {
  const { core, host, peer, state } = await connecting();
  write(core, host, "query");
  core.connEndWrite();
  assert.is(state(), "CONNECTING");
  assert.not.ok(write(core, host, "more"), "nothing is taken after endWrite()");
  peer.capacity = Infinity;
  run(core, host);
  assert.is(state(), "WRITE_ENDED");
  assert.is(FakeHost.received(peer).toString(), "query");
  assert.ok(peer.shutWr);
  assert.ok(core.connWriteEnded());
});

test("open -> write ended: endWrite() with nothing queued shuts the write side at once", async () => {
  const { core, peer, state } = await accepted();
  core.connEndWrite();
  assert.is(state(), "WRITE_ENDED");
  assert.ok(peer.shutWr);
  assert.is(peer.shutdowns, 1);
});

test("open -> write ending -> write ended: endWrite() with output queued shuts the write side once it is sent", async () => {
  const { core, host, peer, state } = await accepted({ capacity: 0 });
  write(core, host, "pending");
  core.connEndWrite();
  assert.is(state(), "WRITE_ENDING");
  assert.not.ok(peer.shutWr, "not shut while output is pending");
  peer.capacity = Infinity;
  run(core, host);
  assert.is(state(), "WRITE_ENDED");
  assert.is(FakeHost.received(peer).toString(), "pending");
  assert.ok(peer.shutWr);
});

test("write ended: data from the peer is still delivered after endWrite()", async () => {
  const { core, host, peer, state } = await accepted();
  core.connEndWrite();
  FakeHost.feed(peer, "answer");
  run(core, host);
  assert.is(state(), "WRITE_ENDED");
  assert.equal(log(core), [EV.DATA]);
});

test("write ending -> closed: a refused shutdown closes with its errno and no onDrain follows", async () => {
  const { core, host, peer, state } = await accepted({ capacity: 0, high: 10n, low: 5n });
  peer.shutdownErrno = E.PIPE;
  assert.not.ok(write(core, host, "more than the high watermark"), "past the high watermark");
  core.connEndWrite();
  peer.capacity = Infinity;
  run(core, host);
  assert.is(state(), "CLOSED");
  assert.equal(log(core), [EV.CLOSE, E.PIPE], "closed with the errno, and no onDrain after it");
});

test("write ending -> ending: end() while the half-close is pending sends the rest, then lingers", async () => {
  const { core, host, peer, state } = await accepted({ capacity: 0 });
  write(core, host, "rest");
  core.connEndWrite();
  core.connEnd();
  assert.is(state(), "ENDING");
  peer.capacity = Infinity;
  let atIdle = "";
  run(core, host, () => { atIdle = state(); return false; });
  assert.is(atIdle, "LINGERING");
  assert.is(peer.shutdowns, 1, "the write side is shut once");
});

test("write ended -> lingering: end() after endWrite() lingers without shutting the write side again", async () => {
  const { core, peer, state } = await accepted();
  core.connEndWrite();
  core.connEnd();
  assert.is(state(), "LINGERING");
  assert.is(peer.shutdowns, 1);
});

test("write ended -> closed: end() once both sides have ended closes at once", async () => {
  const { core, host, peer, state } = await accepted();
  core.connEndWrite();
  peer.peerClosed = true;
  run(core, host);
  assert.is(state(), "WRITE_ENDED", "the peer's EOF alone does not close");
  assert.equal(log(core), [EV.END]);
  core.connEnd();
  assert.is(state(), "CLOSED");
  assert.equal(log(core), [EV.END, EV.CLOSE, 0]);
});

test("open, peer EOF: the connection stays open for writing, says onEnd and stops reading", async () => {
  const { core, host, peer, state } = await accepted();
  peer.peerClosed = true;
  assert.is(run(core, host), 0, "the loop returns: nothing is watched any more");
  assert.is(state(), "OPEN");
  assert.ok(core.connPeerEnded());
  assert.equal(log(core), [EV.END]);
  assert.ok(write(core, host, "still writable"));
  assert.is(FakeHost.received(peer).toString(), "still writable");
});

test("open -> closed: end() after the peer's EOF sends what is queued and closes without lingering", async () => {
  const { core, host, peer, state } = await accepted();
  peer.peerClosed = true;
  run(core, host);
  write(core, host, "bye");
  core.connEnd();
  assert.is(state(), "CLOSED");
  assert.is(FakeHost.received(peer).toString(), "bye");
  assert.is(peer.shutdowns, 0, "no half-close needed");
});

test("open -> lingering: end() with nothing queued shuts the write side and waits for the peer", async () => {
  const { core, peer, state } = await accepted();
  core.connEnd();
  assert.is(state(), "LINGERING");
  assert.ok(peer.shutWr);
  assert.not.ok(peer.closed);
});

test("open -> ending -> lingering: end() with output queued sends it first", async () => {
  const { core, host, peer, state } = await accepted({ capacity: 0 });
  write(core, host, "response");
  core.connEnd();
  assert.is(state(), "ENDING");
  assert.not.ok(peer.shutWr);
  peer.capacity = Infinity;
  let atIdle = "";
  run(core, host, () => { atIdle = state(); return false; });
  assert.is(atIdle, "LINGERING");
  assert.is(FakeHost.received(peer).toString(), "response");
});

test("ending: data from the peer is not delivered, and write() refuses", async () => {
  const { core, host, peer, state } = await accepted({ capacity: 0 });
  write(core, host, "x");
  core.connEnd();
  FakeHost.feed(peer, "ignored");
  assert.not.ok(write(core, host, "y"));
  run(core, host);
  assert.is(state(), "ENDING");
  assert.equal(log(core), [], "no onData while ending");
});

test("ending -> closed: a refused shutdown after the flush closes with its errno", async () => {
  const { core, host, peer, state } = await accepted({ capacity: 0 });
  peer.shutdownErrno = E.NOTSOCK;
  write(core, host, "x");
  core.connEnd();
  peer.capacity = Infinity;
  run(core, host);
  assert.is(state(), "CLOSED");
  assert.equal(log(core), [EV.CLOSE, E.NOTSOCK]);
});

test("lingering -> closed: what the peer still sends is discarded, and its EOF closes", async () => {
  const { core, host, peer, state } = await accepted();
  core.connEnd();
  FakeHost.feed(peer, "late bytes");
  run(core, host, () => { peer.peerClosed = true; return true; });
  assert.is(state(), "CLOSED");
  assert.equal(log(core), [EV.CLOSE, 0], "no onData for the late bytes");
  assert.is(Buffer.concat(peer.inbound).length, 0, "everything the peer sent was read (no reset)");
});

test("lingering -> closed: a peer that never closes is closed after lingerMs", async () => {
  const { core, host, peer, state } = await accepted();
  core.connSetLinger(500n);
  core.connEnd();
  const t0 = host.nowNs;
  assert.is(run(core, host), 0, "the loop returns once the connection is closed");
  assert.is(state(), "CLOSED");
  assert.ok(peer.closed);
  assert.is(host.nowNs - t0, 500_000_000n);
});

test("closed: close() drops pending output, says onClose once, and later calls are ignored", async () => {
  const { core, host, peer, state } = await accepted({ capacity: 0 });
  write(core, host, "dropped");
  core.connClose(E.CONNRESET);
  core.connClose(0);
  core.connEnd();
  core.connEndWrite();
  assert.not.ok(write(core, host, "z"));
  assert.is(state(), "CLOSED");
  assert.is(core.connPending(), 0n);
  assert.equal(log(core), [EV.CLOSE, E.CONNRESET]);
  assert.ok(peer.closed);
  assert.is(peer.shutdowns, 0);
});

test("watermarks: write() says stop past the high watermark, and onDrain comes once output falls to the low one", async () => {
  const { core, host, peer } = await accepted({ capacity: 0, high: 4n * BigInt(KB), low: 1n * BigInt(KB) });
  assert.ok(write(core, host, "a".repeat(2 * KB)), "below the high watermark");
  assert.not.ok(write(core, host, "b".repeat(4 * KB)), "past the high watermark");
  peer.capacity = 4 * KB; // the peer takes some: pending 2 KB, above the low watermark
  run(core, host, () => { peer.capacity = Infinity; return true; });
  assert.equal(log(core), [EV.DRAIN], "one onDrain, once drained");
  assert.is(FakeHost.received(peer).length, 6 * KB);
});

/** A loop watching one fd with a default Watcher, the fd then closed under it; a stop timer bounds the run. */
async function deadWatchedFd(badFds) {
  const { core, host } = await loadHarness({ badFds, callLimit: 1000 });
  core.loopReset(1n << 18n, 1n << 16n);
  const s = host.stream();
  assert.is(core.loopWatch(s.fd, 1), 0);
  core.loopStopAfter(10_000n);
  host.close(s.fd);
  return { core, host };
}

test("a watcher whose fd dies stops being watched by default, and the loop sleeps instead of spinning", async () => {
  const { core, host } = await deadWatchedFd("per-event");
  const t0 = host.nowNs;
  assert.is(core.loopRun(), 0, "run() ends at the stop timer");
  assert.is(core.loopWatched(), 0, "the dead fd is no longer watched");
  assert.is(host.nowNs - t0, 10_000_000_000n, "the loop slept until the stop timer");
  assert.ok(core.loopIterations() <= 3, `${core.loopIterations()} polls`);
});

test("a watcher whose fd dies under a host that fails the whole poll with EBADF stops being watched too", async () => {
  const { core, host } = await deadWatchedFd("whole-call");
  const t0 = host.nowNs;
  assert.is(core.loopRun(), 0);
  assert.is(core.loopWatched(), 0);
  assert.is(host.nowNs - t0, 10_000_000_000n);
});

test.run();

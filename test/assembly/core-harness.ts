// Exports the core to the unit tests as plain-number functions. Compiled without the WASI shim:
// the test's fake host provides every wasi_snapshot_preview1 import, and `abort` throws in JS.
import {
  ReadinessSet, Selector, SelectedKey, select, SelectResult, Stream, Listener, listenFds, getenv,
  EventLoop, Connection, StreamHandler, ServerHandler, TimerCallback, OutputBuffer, Errno, Watcher,
} from "../../assembly/index";
import { ConnectCheck } from "../../assembly/loop/connection";
import { TimerHeap } from "../../assembly/loop/timers";

// ---- readiness set -------------------------------------------------------------------------
let rs = new ReadinessSet();
export function rsReset(): void { rs = new ReadinessSet(); }
export function rsAdd(fd: u32, interest: u8, token: u64): u16 { return rs.add(fd, interest, token); }
export function rsModify(fd: u32, interest: u8, token: u64): u16 { return rs.modify(fd, interest, token); }
export function rsRemove(fd: u32): u16 { return rs.remove(fd); }
export function rsSize(): i32 { return rs.size; }
export function rsSubCount(): i32 { return rs.subscriptionCount; }
export function rsSubs(): usize { return rs.subscriptions; }
export function rsInterest(fd: u32): i32 { const r = rs.get(fd); return r == null ? -1 : r.interest; }
export function rsToken(fd: u32): u64 { const r = rs.get(fd); return r == null ? 0 : r.token; }
/** The fd of the registration a poll event's userdata names, or -1. */
export function rsFdOfUserdata(ud: u64): i64 { const r = rs.byUserdata(ud); return r == null ? -1 : <i64>r.fd; }

// ---- select() ------------------------------------------------------------------------------
const lists: Array<Array<u32>> = [[], [], []];
let lastSelect = new SelectResult();
export function listClear(): void { for (let i = 0; i < 3; i++) lists[i].length = 0; }
export function listPush(which: i32, fd: u32): void { lists[which].push(fd); }
export function doSelect(timeoutMs: i64): u16 {
  lastSelect = select(lists[0], lists[1], lists[2], timeoutMs);
  return lastSelect.status;
}
function resultList(which: i32): Array<u32> {
  return which == 0 ? lastSelect.readers : which == 1 ? lastSelect.writers : lastSelect.errors;
}
export function resultLen(which: i32): i32 { return resultList(which).length; }
export function resultAt(which: i32, i: i32): u32 { return resultList(which)[i]; }
export function resultErrno(i: i32): u16 { return lastSelect.errnos[i]; }

// ---- Selector ------------------------------------------------------------------------------
let sel = new Selector<i32>();
export function selReset(): void { sel = new Selector<i32>(); }
export function selRegister(fd: u32, events: u8, data: i32): u16 { return sel.register(fd, events, data); }
export function selModify(fd: u32, events: u8, data: i32): u16 { return sel.modify(fd, events, data); }
export function selUnregister(fd: u32): u16 { return sel.unregister(fd); }
export function selSize(): i32 { return sel.size; }
export function selKeyEvents(fd: u32): i32 { const k = sel.getKey(fd); return k == null ? -1 : k.events; }
export function selKeyData(fd: u32): i32 { const k = sel.getKey(fd); return k == null ? -1 : k.data; }
export function selMapSize(): i32 { return sel.getMap().size; }
export function selClose(): void { sel.close(); }
export function selLastStatus(): u16 { return sel.lastStatus; }
export function selIsolationCalls(): i32 { return sel.isolationCalls; }
let selected: Array<SelectedKey<i32>> = [];
export function selSelect(timeoutMs: i64): i32 { selected = sel.select(timeoutMs); return selected.length; }
export function selAtFd(i: i32): u32 { return selected[i].key.fd; }
export function selAtEvents(i: i32): u8 { return selected[i].events; }
export function selAtErrno(i: i32): u16 { return selected[i].errno; }
export function selAtData(i: i32): i32 { return selected[i].key.data; }

// ---- Stream and Listener ------------------------------------------------------------------
const ioBuf = new Uint8Array(1 << 16);
export function ioBuffer(): usize { return ioBuf.dataStart; }
/** Returns n >= 0, or -errno. */
export function streamRecv(fd: u32, len: i32): i32 {
  const r = new Stream(fd).recvInto(ioBuf.dataStart, len);
  return r.ok ? r.n : -<i32>r.errno;
}
export function streamSend(fd: u32, len: i32): i32 {
  const r = new Stream(fd).sendFrom(ioBuf.dataStart, len);
  return r.ok ? r.n : -<i32>r.errno;
}
export function streamShutdownWrite(fd: u32): u16 { return new Stream(fd).shutdownWrite(); }
export function listenerAccept(fd: u32): i32 {
  const l = new Listener(fd);
  const s = l.accept();
  return s == null ? -<i32>l.lastErrno : <i32>s.fd;
}
export function listenFdCount(): i32 { return listenFds().length; }
export function listenFdAt(i: i32): u32 { return listenFds()[i].fd; }
export function envLength(name: string): i32 { const v = getenv(name); return v == null ? -1 : v.length; }

// ---- output buffer ------------------------------------------------------------------------
let ob = new OutputBuffer(100, 20);
export function obReset(high: i64, low: i64): void { ob = new OutputBuffer(high, low); }
export function obPush(len: i32): void { ob.pushCopy(ioBuf.dataStart, len); }
export function obPending(): i64 { return ob.pending; }
export function obFull(): bool { return ob.full; }
export function obDrained(): bool { return ob.drained; }
export function obFrontLen(): i32 { return ob.frontLen(); }
export function obConsume(n: i32): void { ob.consume(n); }

// ---- event loop: an echo with small watermarks, and timers --------------------------------
let loop = new EventLoop();
const events: Array<i32> = []; // a log the tests read: codes below
const EV_DATA = 1, EV_END = 2, EV_DRAIN = 3, EV_CLOSE = 4, EV_TIMER = 5, EV_CONNECT = 6, EV_PAUSE = 7;
export function eventCount(): i32 { return events.length; }
export function eventAt(i: i32): i32 { return events[i]; }
let endOnData = false;
export function loopEndOnData(on: bool): void { endOnData = on; }
let highWater: i64 = 1 << 18;
let lowWater: i64 = 1 << 16;

class TestEcho extends StreamHandler {
  onData(conn: Connection, data: usize, len: i32): void {
    events.push(EV_DATA);
    if (!conn.write(data, len)) { events.push(EV_PAUSE); conn.pauseReading(); }
    if (endOnData) conn.end();
  }
  onEnd(conn: Connection): void { events.push(EV_END); conn.end(); }
  onDrain(conn: Connection): void { events.push(EV_DRAIN); conn.resumeReading(); }
  onClose(conn: Connection, errno: u16): void { events.push(EV_CLOSE); events.push(errno); }
}
class TestServer extends ServerHandler {
  onConnect(conn: Connection): StreamHandler | null {
    events.push(EV_CONNECT);
    conn.out.high = highWater;
    conn.out.low = lowWater;
    return new TestEcho();
  }
}
class StopLoop extends TimerCallback { fire(id: i32): void { loop.stop(); } }
class Record extends TimerCallback {
  constructor(public tag: i32) { super(); }
  fire(id: i32): void { events.push(EV_TIMER); events.push(this.tag); }
}
class CancelAfter extends TimerCallback {
  count: i32 = 0;
  constructor(public tag: i32, public times: i32) { super(); }
  fire(id: i32): void {
    events.push(EV_TIMER); events.push(this.tag);
    if (++this.count >= this.times) loop.cancel(id);
  }
}

export function loopReset(high: i64, low: i64): void {
  loop = new EventLoop(4096);
  events.length = 0;
  highWater = high;
  lowWater = low;
  endOnData = false;
}
export function loopListen(fd: u32): u16 { return loop.listen(new Listener(fd), new TestServer()); }
export function loopStopAfter(ms: i64): i32 { return loop.setTimeout(ms, new StopLoop()); }
export function loopTimeout(ms: i64, tag: i32): i32 { return loop.setTimeout(ms, new Record(tag)); }
export function loopInterval(ms: i64, tag: i32, times: i32): i32 { return loop.setInterval(ms, new CancelAfter(tag, times)); }
export function loopCancel(id: i32): bool { return loop.cancel(id); }
export function loopRun(): u16 { return loop.run(); }
export function loopIterations(): i64 { return loop.iterations; }
export function loopConnections(): i32 { return loop.connections; }

// ---- one Connection driven step by step: its state machine ---------------------------------
const EV_CONNECTED = 8;
class Recorder extends StreamHandler {
  onConnect(conn: Connection): void { events.push(EV_CONNECTED); }
  onData(conn: Connection, data: usize, len: i32): void { events.push(EV_DATA); }
  onEnd(conn: Connection): void { events.push(EV_END); } // no end(): the test decides
  onDrain(conn: Connection): void { events.push(EV_DRAIN); }
  onClose(conn: Connection, errno: u16): void { events.push(EV_CLOSE); events.push(errno); }
}
/** A connect whose outcome the test chose. */
class ScriptedCheck extends ConnectCheck {
  constructor(public errno: u16) { super(); }
  finish(stream: Stream): u16 { return this.errno; }
}
let conn = new Connection(loop, new Stream(0));
function newConn(fd: u32, high: i64, low: i64): void {
  conn = new Connection(loop, new Stream(fd));
  conn.handler = new Recorder();
  conn.out.high = high;
  conn.out.low = low;
  loop.connectionOpened(conn);
}
/** An accepted connection on `fd` (state OPEN). */
export function connAccept(fd: u32, high: i64, low: i64): void { newConn(fd, high, low); conn.start(); }
/** An outgoing connection on `fd` still being made; once writable, it connects with `errno`. */
export function connConnecting(fd: u32, errno: u16): void { newConn(fd, 1 << 18, 1 << 16); conn.startConnecting(new ScriptedCheck(errno)); }
const STATE_NAMES = ["CONNECTING", "OPEN", "WRITE_ENDING", "WRITE_ENDED", "ENDING", "LINGERING", "CLOSED"];
export function connState(): string { return STATE_NAMES[conn.currentState]; }
export function connWrite(len: i32): bool { return conn.write(ioBuf.dataStart, len); }
export function connEnd(): void { conn.end(); }
export function connEndWrite(): void { conn.endWrite(); }
export function connClose(errno: u16): void { conn.close(errno); }
export function connPause(): void { conn.pauseReading(); }
export function connPending(): i64 { return conn.out.pending; }
export function connPeerEnded(): bool { return conn.peerEnded; }
export function connWriteEnded(): bool { return conn.writeEnded; }
export function connSetLinger(ms: i64): void { conn.lingerMs = ms; }

// ---- a watcher with the default onError ----------------------------------------------------
class Quiet extends Watcher {}
export function loopWatch(fd: u32, events: u8): u16 { return loop.watch(fd, events, new Quiet()); }
export function loopWatched(): i32 { return loop.selector.size; }

// ---- the trap: a failing assertion inside Wasm must surface as a JS exception ---------------
export function failingAssertion(): void { assert(false, "deliberate failure inside Wasm"); }

// ---- hot set (Selector over a host whose poll costs O(registered)) -----------------------------
export function selSetWakeBound(ms: i64): void { sel.wakeBoundMs = ms; }
export function selHotMode(): bool { return sel.hotMode; }
export function selHotSize(): i32 { return sel.hotSize; }
export function selFullPolls(): i64 { return sel.fullPolls; }
export function selHotPolls(): i64 { return sel.hotPolls; }

// ---- timers: a cancelled timer must not keep its callback (and what it holds) alive ----------
class Holder extends TimerCallback {
  data: ArrayBuffer = new ArrayBuffer(65536);
  fire(id: i32): void {}
}
/** Adds and at once cancels `n` far-future timers whose callbacks each hold 64 KiB. */
export function timersCancelChurn(n: i32): void {
  const heap = new TimerHeap();
  for (let i = 0; i < n; i++) heap.cancel(heap.add(1_000_000_000, 0, new Holder()));
  __collect();
}

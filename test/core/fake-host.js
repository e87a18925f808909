// A simulated WASI host for the core's unit tests: listeners, streams with scripted peers, a
// virtual monotonic clock, and the failure modes of real hosts (whole-call EBADF like wasmtime,
// per-event errors, readiness over-reported for every fd once one is ready), and optionally a poll whose cost
// grows with the subscriptions it is handed (like wasmtime's), charged to the virtual clock. Every poll audits the
// guest's subscription journal the way the Node host trusts it.
import { readFileSync } from "node:fs";
import {
  Errno as E, EventType, Filetype, FDFLAGS_NONBLOCK, RIFLAGS_PEEK, SDFLAGS_WR, EVENT_FLAG_HANGUP, IOVEC_SIZE,
  SUB_SIZE, SUB_USERDATA, SUB_TAG, SUB_FD, SUB_CLOCK_TIMEOUT,
  EVENT_SIZE, EVENT_USERDATA, EVENT_ERROR, EVENT_TYPE, EVENT_NBYTES, EVENT_FLAGS,
} from "../../dist/host/wasi/abi.js";
import { JOURNAL_MAGIC, JOURNAL_SIZE, JOURNAL_SLOTS } from "../../dist/host/subscription-journal.js";

// The ABI's numbers come from the host's own module (built into dist/ by `npm run build`).
export { E };
/** fd_fdstat_get's filetype for stdio (a character device). */
const FILETYPE_CHARACTER_DEVICE = 2;

const HARNESS = new URL("../../build/test/core-harness.wasm", import.meta.url);
const compiled = new Map();

/**
 * Loads the core harness (or `options.harness`, a build/test module URL) against a fresh FakeHost; returns { host, core }.
 * @param {{ badFds?: string, overReport?: boolean, env?: Record<string, string>, harness?: URL | string, callLimit?: number, pollCost?: { baseNs: number, perSubNs: number, cached?: boolean | "per-array", extraNs?: (fdSubs: number) => number } | null }} [options]
 * @returns {Promise<{ host: FakeHost, core: any }>} core: the harness's exports
 */
export async function loadHarness(options = {}) {
  const url = String(options.harness ?? HARNESS);
  if (!compiled.has(url)) compiled.set(url, await WebAssembly.compile(readFileSync(new URL(url))));
  const host = new FakeHost(options);
  const instance = await WebAssembly.instantiate(compiled.get(url), host.imports());
  host.memory = /** @type {WebAssembly.Memory} */ (instance.exports.memory);
  return { host, core: instance.exports };
}

/** The journal header before the array at `inPtr`: magic, count, and the listed slots (null for "any slot"). */
export function readJournal(view, inPtr) {
  const at = inPtr - JOURNAL_SIZE;
  const count = view.getUint32(at + 4, true);
  const slots = count <= JOURNAL_SLOTS ? Array.from({ length: count }, (_, i) => view.getUint32(at + 8 + 4 * i, true)) : null;
  return { magic: view.getUint32(at, true), count, slots };
}

export class FakeHost {
  constructor({ badFds = "whole-call", overReport = false, env = {}, callLimit = Infinity, pollCost = null } = {}) {
    /** poll_oneoff and clock_time_get calls allowed: past it the host throws, so a spinning guest fails its test. */
    this.callLimit = callLimit;
    this.calls = 0;
    this.badFds = badFds; // "whole-call" (wasmtime) or "per-event"
    this.overReport = overReport;
    this.env = env;
    /**
     * { baseNs, perSubNs, cached }: virtual time each poll_oneoff takes before it answers (null: polls are free).
     * perSubNs is charged per fd subscription, or with `cached` (like the Node host's cache) only per slot that
     * differs from the previous call's array, removed slots included; with cached "per-array" (like the Node host's
     * copy per array address) only per slot that differs from the previous call at the same address. `extraNs(fdSubs)`, when given, adds virtual
     * time to each poll of that many fd subscriptions (the scatter of a loaded machine).
     */
    this.pollCost = pollCost;
    this.previousFdSubs = [];
    /** @type {Map<number, { ud: bigint }[]>} the previous call's fd subscriptions at each array address */
    this.previousByArray = new Map();
    /** @type {Map<number, Buffer>} each array's bytes at its previous poll, to audit the subscription journal */
    this.journalCopies = new Map();
    /** The journal header of the last poll before the host took it in: { count, slots } or null (no header). */
    this.lastJournal = null;
    /** Address of the last poll's subscription array. */
    this.lastPollPtr = 0;
    this.nowNs = 1_000_000_000n;
    this.sockets = new Map();
    this.nextFd = 100; // never reused, like wasmtime
    this.pollCalls = 0;
    this.recvCalls = 0;
    this.lastSubscriptions = [];
    this.stderr = "";
    /** Called when a poll would block; return true after changing something, false to end the run. */
    this.onIdle = null;
    /** @type {WebAssembly.Memory} the guest's memory, set by loadHarness */
    this.memory = /** @type {any} */ (null);
  }

  countCall() {
    if (++this.calls > this.callLimit) throw new Error(`more than ${this.callLimit} host calls: the guest is spinning`);
  }

  get view() { return new DataView(this.memory.buffer); }
  get bytes() { return new Uint8Array(this.memory.buffer); }

  /** A pre-opened listener at `fd`. */
  listen(fd) {
    this.sockets.set(fd, { kind: "listener", backlog: [], closed: false });
    return fd;
  }

  /**
   * A stream at a new fd (or `fd`), whose peer is scripted by the returned object: `inbound` (feed), `peerClosed`,
   * `reset`, `capacity` (bytes the peer still takes), `shutdownErrno` (what sock_shutdown answers; 0 = works);
   * `sent`, `shutWr`, `shutdowns` and `closed` record what the guest did.
   */
  stream(fd = this.nextFd++, { capacity = Infinity, nonblock = true } = {}) {
    const s = { kind: "stream", fd, inbound: [], peerClosed: false, reset: false, capacity, sent: [], closed: false,
      shutWr: false, nonblock, shutdowns: 0, shutdownErrno: 0 };
    this.sockets.set(fd, s);
    return s;
  }

  /** A client connecting to listener `fd`: returns its server-side stream, accepted later. */
  connect(listenFd, opts) {
    const s = this.stream(this.nextFd++, opts);
    this.sockets.delete(s.fd); // not in the table until accepted
    this.sockets.get(listenFd).backlog.push(s);
    return s;
  }

  /** Peer bytes written into stream `s`. */
  static feed(s, data) { s.inbound.push(Buffer.from(data)); }
  static received(s) { return Buffer.concat(s.sent); }

  close(fd) { const s = this.sockets.get(fd); if (s) s.closed = true; }

  readiness(s) {
    if (!s || s.closed) return null;
    if (s.kind === "listener") return { read: s.backlog.length > 0, write: false, nbytes: s.backlog.length };
    const avail = s.inbound.reduce((n, b) => n + b.length, 0);
    return { read: avail > 0 || s.peerClosed || s.reset, write: s.capacity > 0 || s.reset, nbytes: avail, hangup: s.reset };
  }

  /**
   * Checks the guest's subscription journal before the array at `inPtr` as the Node host relies on it: every slot
   * that differs from the same array at its previous poll must be listed (unless the header says "any slot").
   * Throws on a slot left out, so the guest's test fails; then takes the list in (count 0), as the Node host does.
   */
  auditJournal(inPtr, nsubs) {
    const at = inPtr - JOURNAL_SIZE;
    const v = this.view;
    const now = Buffer.from(this.memory.buffer, inPtr, nsubs * SUB_SIZE);
    if (at < 0 || v.getUint32(at, true) !== JOURNAL_MAGIC) {
      this.lastJournal = null;
      this.journalCopies.delete(inPtr);
      return;
    }
    const { count, slots } = readJournal(v, inPtr);
    this.lastJournal = { count, slots };
    const prev = this.journalCopies.get(inPtr);
    if (prev && slots) {
      const common = Math.min(prev.length, now.length) / SUB_SIZE;
      for (let i = 0; i < common; i++) {
        const p = i * SUB_SIZE;
        if (prev.compare(now, p, p + SUB_SIZE, p, p + SUB_SIZE) !== 0 && !slots.includes(i)) {
          throw new Error(`the guest wrote subscription slot ${i} of the array at ${inPtr} and left it out of the journal`);
        }
      }
    }
    this.journalCopies.set(inPtr, Buffer.from(now));
    v.setUint32(at + 4, 0, true);
  }

  /** Subscriptions a poll is charged for (see pollCost). */
  chargedSubs(fdSubs, inPtr) {
    const perArray = this.pollCost.cached === "per-array";
    const prev = perArray ? this.previousByArray.get(inPtr) ?? [] : this.previousFdSubs;
    if (perArray) this.previousByArray.set(inPtr, fdSubs);
    this.previousFdSubs = fdSubs;
    if (!this.pollCost.cached) return fdSubs.length;
    let changed = Math.max(prev.length - fdSubs.length, 0);
    fdSubs.forEach((s, i) => { if (!prev[i] || prev[i].ud !== s.ud) changed++; });
    return changed;
  }

  imports() {
    const h = this;
    const wasi = {
      poll_oneoff(inPtr, outPtr, nsubs, neventsPtr) {
        h.pollCalls++;
        h.countCall();
        if (nsubs === 0) return E.INVAL;
        h.lastPollPtr = inPtr;
        h.auditJournal(inPtr, nsubs);
        const v = h.view;
        const subs = [];
        for (let i = 0; i < nsubs; i++) {
          const p = inPtr + i * SUB_SIZE;
          const tag = v.getUint8(p + SUB_TAG);
          subs.push({ ud: v.getBigUint64(p + SUB_USERDATA, true), tag, fd: v.getUint32(p + SUB_FD, true),
            timeout: v.getBigUint64(p + SUB_CLOCK_TIMEOUT, true) });
        }
        h.lastSubscriptions = subs;
        if (h.pollCost) {
          const fdSubs = subs.filter((s) => s.tag !== 0);
          h.nowNs += BigInt(h.pollCost.baseNs + h.pollCost.perSubNs * h.chargedSubs(fdSubs, inPtr) + (h.pollCost.extraNs?.(fdSubs.length) ?? 0));
        }
        for (;;) {
          /** @type {{ ud: bigint, error: number, type: number, nbytes: number, flags: number, ready?: boolean }[]} */
          const events = [];
          let anyFdReady = false;
          let bad = false;
          for (const s of subs) {
            if (s.tag === EventType.CLOCK) continue;
            const r = h.readiness(h.sockets.get(s.fd));
            if (r === null) { bad = true; events.push({ ud: s.ud, error: E.BADF, type: s.tag, nbytes: 0, flags: 0 }); continue; }
            const ready = s.tag === EventType.FD_READ ? r.read : r.write;
            if (ready) anyFdReady = true;
            const nbytes = s.tag === EventType.FD_READ ? Math.max(r.nbytes, h.overReport ? 1 : 0) : 0;
            events.push({ ud: s.ud, error: 0, type: s.tag, nbytes, flags: r.hangup ? EVENT_FLAG_HANGUP : 0, ready });
          }
          if (bad && h.badFds === "whole-call") return E.BADF;
          let out = events.filter((e) => e.error !== 0 || e.ready || (h.overReport && anyFdReady));
          if (out.length === 0) {
            if (h.onIdle?.(h)) continue;
            const clock = subs.find((s) => s.tag === EventType.CLOCK);
            if (!clock) return E.NOSYS; // would block for ever: ends the test run
            h.nowNs += clock.timeout;
            out = [{ ud: clock.ud, error: 0, type: EventType.CLOCK, nbytes: 0, flags: 0 }];
          }
          out.forEach((e, i) => {
            const p = outPtr + i * EVENT_SIZE;
            v.setBigUint64(p + EVENT_USERDATA, e.ud, true);
            v.setUint16(p + EVENT_ERROR, e.error, true);
            v.setUint8(p + EVENT_TYPE, e.type);
            v.setBigUint64(p + EVENT_NBYTES, BigInt(e.nbytes), true);
            v.setUint16(p + EVENT_FLAGS, e.flags, true);
          });
          v.setUint32(neventsPtr, out.length, true);
          return E.SUCCESS;
        }
      },
      sock_accept(fd, _flags, newFdPtr) {
        const l = h.sockets.get(fd);
        if (!l || l.closed) return E.BADF;
        if (l.kind !== "listener") return E.INVAL;
        const s = l.backlog.shift();
        if (!s) return E.AGAIN;
        h.sockets.set(s.fd, s);
        h.view.setUint32(newFdPtr, s.fd, true);
        return E.SUCCESS;
      },
      sock_recv(fd, iovs, niovs, riflags, nreadPtr, roflagsPtr) {
        h.recvCalls++;
        const s = h.sockets.get(fd);
        if (!s || s.closed) return E.BADF;
        if (s.kind !== "stream") return E.NOTSOCK;
        if (s.reset) return E.CONNRESET;
        const v = h.view;
        const avail = Buffer.concat(s.inbound);
        if (avail.length === 0) {
          if (!s.peerClosed) return E.AGAIN;
          v.setUint32(nreadPtr, 0, true);
          return E.SUCCESS;
        }
        let n = 0;
        for (let i = 0; i < niovs && n < avail.length; i++) {
          const buf = v.getUint32(iovs + i * IOVEC_SIZE, true), len = v.getUint32(iovs + i * IOVEC_SIZE + 4, true);
          const take = Math.min(len, avail.length - n);
          h.bytes.set(avail.subarray(n, n + take), buf);
          n += take;
        }
        if (!(riflags & RIFLAGS_PEEK)) s.inbound = n < avail.length ? [avail.subarray(n)] : [];
        v.setUint32(nreadPtr, n, true);
        v.setUint16(roflagsPtr, 0, true);
        return E.SUCCESS;
      },
      sock_send(fd, iovs, niovs, _siflags, nsentPtr) {
        const s = h.sockets.get(fd);
        if (!s || s.closed) return E.BADF;
        if (s.kind !== "stream") return E.NOTSOCK;
        if (s.reset || s.shutWr) return E.PIPE;
        if (s.capacity <= 0) return E.AGAIN;
        const v = h.view;
        let n = 0;
        for (let i = 0; i < niovs && n < s.capacity; i++) {
          const buf = v.getUint32(iovs + i * IOVEC_SIZE, true), len = v.getUint32(iovs + i * IOVEC_SIZE + 4, true);
          const take = Math.min(len, s.capacity - n);
          s.sent.push(Buffer.from(h.bytes.slice(buf, buf + take)));
          n += take;
        }
        s.capacity -= n;
        v.setUint32(nsentPtr, n, true);
        return E.SUCCESS;
      },
      sock_shutdown(fd, how) {
        const s = h.sockets.get(fd);
        if (!s || s.closed) return E.BADF;
        s.shutdowns++;
        if (s.shutdownErrno) return s.shutdownErrno;
        if (how & SDFLAGS_WR) s.shutWr = true;
        return E.SUCCESS;
      },
      fd_close(fd) {
        const s = h.sockets.get(fd);
        if (!s || s.closed) return E.BADF;
        s.closed = true;
        return E.SUCCESS;
      },
      fd_fdstat_get(fd, ptr) {
        const v = h.view;
        if (fd <= 2) { v.setUint8(ptr, FILETYPE_CHARACTER_DEVICE); v.setUint16(ptr + 2, 0, true); return E.SUCCESS; }
        const s = h.sockets.get(fd);
        if (!s || s.closed) return E.BADF;
        v.setUint8(ptr, Filetype.SOCKET_STREAM);
        v.setUint16(ptr + 2, s.kind === "listener" || s.nonblock ? FDFLAGS_NONBLOCK : 0, true);
        return E.SUCCESS;
      },
      fd_fdstat_set_flags() { return E.SUCCESS; },
      fd_write(_fd, iovs, niovs, nwrittenPtr) {
        const v = h.view;
        let n = 0;
        for (let i = 0; i < niovs; i++) {
          const buf = v.getUint32(iovs + i * IOVEC_SIZE, true), len = v.getUint32(iovs + i * IOVEC_SIZE + 4, true);
          h.stderr += Buffer.from(h.bytes.slice(buf, buf + len)).toString();
          n += len;
        }
        v.setUint32(nwrittenPtr, n, true);
        return E.SUCCESS;
      },
      clock_time_get(_id, _precision, ptr) {
        h.countCall();
        h.view.setBigUint64(ptr, h.nowNs, true);
        return E.SUCCESS;
      },
      environ_sizes_get(countPtr, sizePtr) {
        const entries = Object.entries(h.env).map(([k, val]) => Buffer.from(`${k}=${val}\0`));
        h.view.setUint32(countPtr, entries.length, true);
        h.view.setUint32(sizePtr, entries.reduce((n, b) => n + b.length, 0), true);
        return E.SUCCESS;
      },
      environ_get(ptrs, buf) {
        let at = buf;
        Object.entries(h.env).forEach(([k, val], i) => {
          const b = Buffer.from(`${k}=${val}\0`);
          h.bytes.set(b, at);
          h.view.setUint32(ptrs + i * 4, at, true);
          at += b.length;
        });
        return E.SUCCESS;
      },
      proc_exit(code) { throw new Error(`proc_exit(${code})`); },
    };
    return {
      wasi_snapshot_preview1: wasi,
      env: {
        abort(msg, file, line, col) { throw new Error(`wasm abort: ${h.readString(msg)} at ${h.readString(file)}:${line}:${col}`); },
        trace() {},
        seed() { return 42; },
      },
    };
  }

  /** Reads an AssemblyScript string (UTF-16, length before the pointer). */
  readString(ptr) {
    if (!ptr) return "";
    const len = new Uint32Array(this.memory.buffer, ptr - 4, 1)[0] >>> 1;
    return String.fromCharCode(...new Uint16Array(this.memory.buffer, ptr, len));
  }
}

// A simulated WASI host for the core's unit tests: listeners, streams with scripted peers, a
// virtual monotonic clock, and the failure modes of real hosts (whole-call EBADF like wasmtime,
// per-event errors, readiness over-reported for every fd once one is ready).
import { readFileSync } from "node:fs";

export const E = { SUCCESS: 0, AGAIN: 6, BADF: 8, INVAL: 28, NOSYS: 52, NOTSOCK: 57, PIPE: 64, CONNRESET: 15 };

const HARNESS = new URL("../../build/test/core-harness.wasm", import.meta.url);
let compiled;

/**
 * Loads the core harness against a fresh FakeHost; returns { host, core }.
 * @param {{ badFds?: string, overReport?: boolean, env?: Record<string, string> }} [options]
 * @returns {Promise<{ host: FakeHost, core: any }>} core: the harness's exports
 */
export async function loadHarness(options = {}) {
  compiled ??= await WebAssembly.compile(readFileSync(HARNESS));
  const host = new FakeHost(options);
  const instance = await WebAssembly.instantiate(compiled, host.imports());
  host.memory = /** @type {WebAssembly.Memory} */ (instance.exports.memory);
  return { host, core: instance.exports };
}

export class FakeHost {
  constructor({ badFds = "whole-call", overReport = false, env = {} } = {}) {
    this.badFds = badFds; // "whole-call" (wasmtime) or "per-event"
    this.overReport = overReport;
    this.env = env;
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

  get view() { return new DataView(this.memory.buffer); }
  get bytes() { return new Uint8Array(this.memory.buffer); }

  /** A pre-opened listener at `fd`. */
  listen(fd) {
    this.sockets.set(fd, { kind: "listener", backlog: [], closed: false });
    return fd;
  }

  /** A stream at a new fd (or `fd`), whose peer is scripted by the returned object. */
  stream(fd = this.nextFd++, { capacity = Infinity, nonblock = true } = {}) {
    const s = { kind: "stream", fd, inbound: [], peerClosed: false, reset: false, capacity, sent: [], closed: false,
      shutWr: false, nonblock };
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

  imports() {
    const h = this;
    const wasi = {
      poll_oneoff(inPtr, outPtr, nsubs, neventsPtr) {
        h.pollCalls++;
        if (nsubs === 0) return E.INVAL;
        const v = h.view;
        const subs = [];
        for (let i = 0; i < nsubs; i++) {
          const p = inPtr + i * 48;
          const tag = v.getUint8(p + 8);
          subs.push({ ud: v.getBigUint64(p, true), tag, fd: v.getUint32(p + 16, true), timeout: v.getBigUint64(p + 24, true) });
        }
        h.lastSubscriptions = subs;
        for (;;) {
          const events = [];
          let anyFdReady = false;
          let bad = false;
          for (const s of subs) {
            if (s.tag === 0) continue;
            const r = h.readiness(h.sockets.get(s.fd));
            if (r === null) { bad = true; events.push({ ud: s.ud, error: E.BADF, type: s.tag, nbytes: 0, flags: 0 }); continue; }
            const ready = s.tag === 1 ? r.read : r.write;
            if (ready) anyFdReady = true;
            events.push({ ud: s.ud, error: 0, type: s.tag, nbytes: s.tag === 1 ? Math.max(r.nbytes, h.overReport ? 1 : 0) : 0,
              flags: r.hangup ? 1 : 0, ready });
          }
          if (bad && h.badFds === "whole-call") return E.BADF;
          let out = events.filter((e) => e.error !== 0 || e.ready || (h.overReport && anyFdReady));
          if (out.length === 0) {
            if (h.onIdle?.(h)) continue;
            const clock = subs.find((s) => s.tag === 0);
            if (!clock) return E.NOSYS; // would block for ever: ends the test run
            h.nowNs += clock.timeout;
            out = [{ ud: clock.ud, error: 0, type: 0, nbytes: 0, flags: 0 }];
          }
          out.forEach((e, i) => {
            const p = outPtr + i * 32;
            v.setBigUint64(p, e.ud, true);
            v.setUint16(p + 8, e.error, true);
            v.setUint8(p + 10, e.type);
            v.setBigUint64(p + 16, BigInt(e.nbytes), true);
            v.setUint16(p + 24, e.flags, true);
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
          const buf = v.getUint32(iovs + i * 8, true), len = v.getUint32(iovs + i * 8 + 4, true);
          const take = Math.min(len, avail.length - n);
          h.bytes.set(avail.subarray(n, n + take), buf);
          n += take;
        }
        if (!(riflags & 1)) s.inbound = n < avail.length ? [avail.subarray(n)] : [];
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
          const buf = v.getUint32(iovs + i * 8, true), len = v.getUint32(iovs + i * 8 + 4, true);
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
        if (how & 2) s.shutWr = true;
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
        if (fd <= 2) { v.setUint8(ptr, 2); v.setUint16(ptr + 2, 0, true); return E.SUCCESS; }
        const s = h.sockets.get(fd);
        if (!s || s.closed) return E.BADF;
        v.setUint8(ptr, 6);
        v.setUint16(ptr + 2, s.kind === "listener" || s.nonblock ? 4 : 0, true);
        return E.SUCCESS;
      },
      fd_fdstat_set_flags() { return E.SUCCESS; },
      fd_write(_fd, iovs, niovs, nwrittenPtr) {
        const v = h.view;
        let n = 0;
        for (let i = 0; i < niovs; i++) {
          const buf = v.getUint32(iovs + i * 8, true), len = v.getUint32(iovs + i * 8 + 4, true);
          h.stderr += Buffer.from(h.bytes.slice(buf, buf + len)).toString();
          n += len;
        }
        v.setUint32(nwrittenPtr, n, true);
        return E.SUCCESS;
      },
      clock_time_get(_id, _precision, ptr) { h.view.setBigUint64(ptr, h.nowNs, true); return E.SUCCESS; },
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

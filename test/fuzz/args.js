// Draws the arguments of one call from its signature's kinds, plus the memory the call reads (iovec arrays,
// poll subscriptions, paths, socket addresses), which the script writes just before the call. fds come from the
// guest's real fds (stdio, the listener, the preopen), from fd slots (where earlier accept/open calls wrote the
// fds they made, read by the interpreter at call time), closed and absurd numbers.
import { SLOT_BASE, SLOT_COUNT, scratchRegions } from './layout.js';
import { JOURNAL_MAGIC, JOURNAL_SIZE, JOURNAL_SLOTS } from '../../dist/host/subscription-journal.js';
import { boundaryPtr, byteLen, clockTimeout, count, flags, ptr, u64, validPtr, NS_PER_MS, U32_MAX } from './values.js';

const IOVEC = 8;
const FDFLAGS_NONBLOCK = 4;
const SUBSCRIPTION = 48;
const EVENT = 32;
const ADDR_PORT = 110;
const ADDR_IP = 18;
/** Longest iovec or subscription array the script writes out; longer ones are left as whatever memory holds. */
const MAX_WRITTEN = 16;
/** Bound on the clock every valid poll gets, so that no poll blocks for longer than peers need. */
const POLL_BOUND_MS = 5;

/** Path names: ordinary, missing, escaping the preopen (.., absolute, symlinks out), odd bytes, too long. */
const PATHS = [
  '', '.', '..', '/', '../..', 'file.txt', 'sub', 'sub/inner.txt', 'sub/../file.txt', 'sub/../../outside/secret.txt',
  '../outside/secret.txt', '/etc/passwd', '/proc/self/fd/1', '../../../../../../dev/stdout', 'link-out',
  'link-out/x', 'link-in', 'link-dir-out', 'link-dir-out/secret.txt', 'new', 'new/deeper', 'file.txt/', 'a\0b', '\0',
  'x'.repeat(300), 'y/'.repeat(2100), '\u00ff\u00fe',
];
/** Host names for resolve: allowed (localhost, literals), not allowed (no DNS query is made), malformed. */
const NAMES = ['localhost', '127.0.0.1', '::1', '[::1]', 'example.invalid', '', '0', '256.1.1.1', 'a'.repeat(1100)];

/** Argument generator for one batch; `env` = {memSize, host, listenerFd, dirFd, ports: {peer, closed}}. */
export class ArgGen {
  constructor(rng, env) {
    this.rng = rng;
    this.env = env;
    this.slotsUsed = []; // slot addresses an fd-producing call has been pointed at
    this.subsUsed = []; // subscription array addresses polled before: the Node host keeps a copy of each
    this.nextSlot = 0;
    // wasmtime traps the guest at the first undefined flag value: there mostly defined ones, or batches end at once.
    this.validFlags = env.host === 'wasmtime' ? 0.995 : 0.6;
    this.aligned = env.host === 'wasmtime' ? 0.995 : 0.8; // and at the first misaligned struct pointer
  }

  /**
   * Arguments of one call: {args: BigInt[], mask (indirect args), writes: [{dst, bytes} | {dst, src}]}. Every
   * pointer is sized for what the host may write through it, so an in-bounds one always lies in scratch.
   */
  call(kinds, name = '') {
    // Closing or renumbering stdio, the listener or the preopen is tried now and then; done as often as any other
    // call, they would be gone after a few hundred calls and the rest of a batch would meet nothing but BADF.
    this.destructive = name === 'fd_close' || name === 'fd_renumber';
    // sock_accept takes only 0 or NONBLOCK: with random flag sets it refused 9 in 10 calls on the listener, so the
    // guest had almost no streams and fd arguments read from fd slots met BADF nearly every time.
    this.acceptFlags = name === 'sock_accept';
    const st = { args: [], mask: 0, writes: [], nsubs: 0 };
    for (const k of kinds) this.kind(st, k);
    return st;
  }

  push(st, v) {
    st.args.push(BigInt.asUintN(64, BigInt(v)));
  }

  kind(st, spec) {
    const rng = this.rng;
    const { memSize } = this.env;
    const [kind, n] = spec.split(':');
    switch (kind) {
      case 'fd': return this.fd(st);
      case 'out': return this.push(st, this.ptr(Number(n)));
      case 'outfd': return this.push(st, rng.chance(0.85) ? this.takeSlot() : this.ptr(4));
      case 'iovs': case 'ciovs': return this.iovecs(st);
      case 'buf': {
        const len = byteLen(rng, memSize);
        this.push(st, this.ptr(Math.min(len, memSize)));
        return this.push(st, len);
      }
      case 'str': return this.str(st, rng.pick(PATHS));
      case 'name': return this.str(st, rng.pick(NAMES));
      case 'subs': return this.subs(st);
      case 'events': return this.push(st, this.ptr(Math.max(1, st.nsubs, st.nsubsArg) * EVENT));
      case 'nsubs': return this.push(st, st.nsubsArg);
      case 'addr': return this.addr(st);
      case 'addrs': {
        const c = count(rng);
        this.push(st, this.ptr(c * ADDR_IP));
        return this.push(st, c);
      }
      case 'port': return this.push(st, this.port());
      case 'rights': // wasmtime traps the guest on rights bits preview1 does not define
        return this.push(st, this.env.host === 'wasmtime' && rng.chance(0.995) ? u64(rng, kind) & ((1n << 29n) - 1n) : u64(rng, kind));
      case 'off': case 'size': case 'time': case 'prec': case 'cookie': return this.push(st, u64(rng, kind));
      default:
        if (this.acceptFlags && kind === 'fdflags' && rng.chance(0.8)) return this.push(st, rng.pick([0, FDFLAGS_NONBLOCK]));
        return this.push(st, flags(rng, kind, this.validFlags));
    }
  }

  /** A pointer for `size` bytes (see values.ptr); under wasmtime, which traps at the first bad one, mostly valid. */
  ptr(size) {
    if (this.env.host === 'wasmtime' && this.rng.chance(0.98)) {
      const p = validPtr(this.rng, this.env.memSize, size, this.aligned);
      if (p !== null) return p;
    }
    return ptr(this.rng, this.env.memSize, size, this.aligned);
  }

  /** The next fd slot (round robin), remembered as one later fd arguments may read. */
  takeSlot() {
    const addr = SLOT_BASE + 4 * (this.nextSlot++ % SLOT_COUNT);
    if (!this.slotsUsed.includes(addr)) this.slotsUsed.push(addr);
    return addr;
  }

  /** An fd literal for a struct field or argument (no slot). */
  fdLiteral() {
    const rng = this.rng;
    const { listenerFd, dirFd, host } = this.env;
    let fd;
    const r = this.destructive && rng.chance(0.998) ? 62 + rng.below(38) : rng.below(100);
    if (r < 30) fd = rng.pick([0, 1, 2]);
    else if (r < 50) fd = listenerFd;
    else if (r < 62) fd = dirFd;
    else if (r < 92) fd = 5 + rng.below(43);
    else fd = rng.pick([U32_MAX, 0x80000000, 0x7fffffff, 65535, 1024, rng.u32()]);
    // Under wasmtime fd 1 carries the per-call reports: the only fd the fuzzer leaves alone there.
    return host === 'wasmtime' && fd === 1 ? 2 : fd;
  }

  fd(st) {
    // fds made by the guest are numbered upwards and never reused, so after the first few dozen only the slots
    // name live ones: fd_close and fd_renumber read them rarely, or they would close streams faster than
    // sock_accept and sock_open make them.
    if (this.slotsUsed.length > 0 && this.rng.chance(this.destructive ? 0.1 : 0.4)) {
      st.mask |= 1 << st.args.length;
      return this.push(st, this.rng.pick(this.slotsUsed));
    }
    return this.push(st, this.fdLiteral());
  }

  iovecs(st) {
    const rng = this.rng;
    const { memSize } = this.env;
    const c = count(rng);
    const arr = this.ptr(c * IOVEC);
    if (c > 0 && c <= MAX_WRITTEN && arr + c * IOVEC <= memSize) {
      const bytes = new Uint8Array(c * IOVEC);
      const dv = new DataView(bytes.buffer);
      for (let i = 0; i < c; i++) {
        const len = byteLen(rng, memSize);
        dv.setUint32(i * IOVEC, this.ptr(Math.min(len, memSize)), true);
        dv.setUint32(i * IOVEC + 4, len, true);
      }
      st.writes.push({ dst: arr, bytes });
    }
    this.push(st, arr);
    this.push(st, c);
  }

  str(st, text) {
    const rng = this.rng;
    const { memSize } = this.env;
    const bytes = Uint8Array.from(Buffer.from(text, 'latin1'));
    const p = rng.chance(0.88) ? validPtr(rng, memSize, bytes.length, this.aligned) : boundaryPtr(rng, memSize, bytes.length);
    const at = p ?? boundaryPtr(rng, memSize, bytes.length);
    if (bytes.length > 0 && at + bytes.length <= memSize) st.writes.push({ dst: at, bytes });
    this.push(st, at);
    this.push(st, rng.chance(0.85) ? bytes.length : rng.pick([0, bytes.length + 1, bytes.length + 4096, U32_MAX, 0x80000000, rng.u32()]));
  }

  port() {
    const { ports } = this.env;
    return this.rng.pick([ports.peer, ports.peer, ports.closed, 0, 65535, 65536, U32_MAX, this.rng.u32() & 0xffff]);
  }

  addr(st) {
    const rng = this.rng;
    const { memSize } = this.env;
    const p = this.ptr(ADDR_PORT);
    if (p + ADDR_PORT <= memSize) {
      const bytes = rng.bytes(ADDR_PORT);
      const dv = new DataView(bytes.buffer);
      bytes[0] = rng.chance(0.9) ? rng.pick([1, 1, 1, 2]) : bytes[0];
      dv.setUint16(2, this.port() & 0xffff, true);
      const ip = rng.pick([[127, 0, 0, 1], [127, 0, 0, 1], [0, 0, 0, 0], [10, 255, 255, 1], [...Array(15).fill(0), 1]]);
      if (rng.chance(0.9)) bytes.set(ip, 4);
      st.writes.push({ dst: p, bytes });
    }
    this.push(st, p);
  }

  /**
   * A subscription array. Whatever part of it the host reads (the count passed may differ from the entries
   * written) holds a short relative clock, so that every poll ends: a poll that waits forever would be the guest's
   * own doing, not a host hang.
   */
  subs(st) {
    const rng = this.rng;
    const { memSize } = this.env;
    const c = rng.chance(0.8) ? rng.range(1, 6) : count(rng);
    const arr = this.reusedSubs(c) ?? this.ptr(c * SUBSCRIPTION);
    if (!this.subsUsed.includes(arr)) this.subsUsed = [arr, ...this.subsUsed].slice(0, 4);
    st.nsubs = c;
    st.nsubsArg = rng.chance(0.85) ? c : count(rng); // the count passed may disagree with the array
    const n = c > 0 && c <= MAX_WRITTEN && arr + c * SUBSCRIPTION <= memSize ? c : arr + SUBSCRIPTION <= memSize ? 1 : 0;
    let bounded = -1;
    if (n > 0) {
      const bytes = new Uint8Array(n * SUBSCRIPTION);
      const dv = new DataView(bytes.buffer);
      bounded = rng.below(Math.min(n, Math.max(st.nsubsArg, 1)));
      for (let i = 0; i < n; i++) {
        const o = i * SUBSCRIPTION;
        dv.setBigUint64(o, rng.u64(), true);
        const tag = i === bounded ? 0 : rng.chance(Math.max(0.95, this.validFlags)) ? rng.below(3) : rng.pick([3, 255]);
        bytes[o + 8] = tag;
        if (tag === 0) {
          const abs = i !== bounded && rng.chance(0.3);
          dv.setUint32(o + 16, i === bounded ? 1 : flags(rng, 'clockid', this.validFlags), true);
          dv.setBigUint64(o + 24, i === bounded ? BigInt(rng.below(POLL_BOUND_MS + 1)) * NS_PER_MS : clockTimeout(rng), true);
          dv.setBigUint64(o + 32, u64(rng, 'prec'), true);
          dv.setUint16(o + 40, i === bounded ? 0 : abs ? 1 : rng.pick([0, 0, 2, 0xffff]), true);
        } else if (this.slotsUsed.length > 0 && rng.chance(0.4)) {
          st.writes.push({ dst: arr + o + 16, src: rng.pick(this.slotsUsed) }); // after the struct: see below
        } else {
          dv.setUint32(o + 16, this.fdLiteral(), true);
        }
      }
      st.writes.unshift({ dst: arr, bytes }); // the struct first, then the fd copies into it
    }
    this.journal(st, arr, n > 0 ? bounded : -1);
    this.push(st, arr);
  }

  /** Sometimes the address of an earlier array, when `c` subscriptions fit there inside a scratch region. */
  reusedSubs(c) {
    if (this.subsUsed.length === 0 || !this.rng.chance(0.4)) return null;
    const arr = this.rng.pick(this.subsUsed);
    return scratchRegions(this.env.memSize).some(([a, b]) => arr >= a && arr + c * SUBSCRIPTION <= b) ? arr : null;
  }

  /**
   * A subscription journal header right before the array, where the scratch region has room (the fuzz guest declares the journal, so the
   * Node host reads it): mostly with the magic, any count, slot numbers in and far past the array, and slots
   * written but left out; otherwise an honest "any slot". A list the host takes always names the bounding clock's
   * slot (`bounded`, written above): a journal that hides it lets the host keep an older subscription there, and a
   * poll that then waits forever would be the guest's own doing, not a host hang.
   */
  journal(st, arr, bounded) {
    const rng = this.rng;
    const at = arr - JOURNAL_SIZE;
    if (!scratchRegions(this.env.memSize).some(([a, b]) => at >= a && arr <= b)) return;
    const bytes = new Uint8Array(JOURNAL_SIZE);
    const dv = new DataView(bytes.buffer);
    if (bounded < 0 || !rng.chance(0.3)) {
      // An honest "any slot": memory there may hold a header from an earlier call, taken in since (count 0).
      dv.setUint32(0, JOURNAL_MAGIC, true);
      dv.setUint32(4, U32_MAX, true);
      st.writes.unshift({ dst: at, bytes });
      return;
    }
    const magic = rng.chance(0.9) ? JOURNAL_MAGIC : rng.u32();
    let listed = rng.pick([1, 2, JOURNAL_SLOTS, JOURNAL_SLOTS + 1, U32_MAX, rng.u32()]);
    if (magic === JOURNAL_MAGIC && listed === 0) listed = 1;
    dv.setUint32(0, magic, true);
    dv.setUint32(4, listed, true);
    for (let i = 0; i < JOURNAL_SLOTS; i++) {
      dv.setUint32(8 + 4 * i, rng.chance(0.7) ? rng.below(Math.max(st.nsubs, 1) + 2) : rng.pick([0x7fffffff, U32_MAX, rng.below(70000)]), true);
    }
    dv.setUint32(8 + 4 * rng.below(Math.min(listed, JOURNAL_SLOTS)), bounded, true);
    st.writes.unshift({ dst: at, bytes });
  }
}

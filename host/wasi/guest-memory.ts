// Bounds-checked access to the guest's linear memory. Every pointer and length that comes from the guest
// goes through here, so a hostile module gets an errno (FAULT) instead of a RangeError thrown in the host.
import { Buffer } from 'node:buffer';
import { Errno, IOVEC_SIZE, IOV_MAX } from './abi.js';

/**
 * View over WebAssembly.Memory. The Uint8Array and DataView are kept between calls (creating them and reading
 * memory.buffer on every access showed up in profiles) and rebuilt only when memory.grow has detached the old
 * buffer, which makes the cached views zero-length. That check reads `length`, never `byteLength`: on Node 20
 * (V8 11.3) a typed array's byteLength is a generic property load and a builtin call, about 12 ns against 3 ns
 * for length, and it ran several times per guest call.
 */
export class GuestMemory {
  private mem: WebAssembly.Memory | null = null;
  private u8a = new Uint8Array(0);
  private dva = new DataView(new ArrayBuffer(0));
  private u32a = new Uint32Array(0);
  private shared = false; // a shared memory grows without detaching: then the views are rebuilt on every access
  /** The range view() handed out last, its start, and the memory view it was cut from (a grow replaces that). */
  private lastView: Uint8Array = new Uint8Array(0);
  private viewPtr = -1;
  private viewOf: Uint8Array = this.u8a;

  /** Attaches the instance's exported memory; called once after instantiation. */
  attach(memory: WebAssembly.Memory): void {
    this.mem = memory;
    this.refresh();
  }

  private refresh(): void {
    if (!this.mem) return;
    const buf = this.mem.buffer;
    this.shared = !(buf instanceof ArrayBuffer);
    this.u8a = new Uint8Array(buf);
    this.dva = new DataView(buf);
    this.u32a = new Uint32Array(buf, 0, buf.byteLength >>> 2);
  }

  /** The whole memory as bytes (current after any grow); caller must check bounds. Invalidated by memory.grow. */
  get u8(): Uint8Array {
    if (this.u8a.length === 0 || this.shared) this.refresh(); // detached by a grow (or before attach)
    return this.u8a;
  }

  /** The whole memory as 32-bit words in the platform's byte order (index = address / 4), like `u8`. */
  get words(): Uint32Array {
    if (this.u8a.length === 0 || this.shared) this.refresh();
    return this.u32a;
  }

  /** The whole memory as a DataView, like `u8`. */
  get dv(): DataView {
    if (this.u8a.length === 0 || this.shared) this.refresh();
    return this.dva;
  }

  /** Current size in bytes (0 before attach). */
  get size(): number {
    return this.u8.length;
  }

  /** True when [ptr, ptr+len) lies inside memory. Pointers are unsigned 32-bit values. */
  ok(ptr: number, len: number): boolean {
    ptr >>>= 0;
    return len >= 0 && ptr + len <= this.size;
  }

  /** True when ptr is in bounds for len bytes and aligned to `align`. */
  okAligned(ptr: number, len: number, align: number): boolean {
    return this.ok(ptr, len) && ((ptr >>> 0) % align) === 0;
  }

  /** Raw bytes view of [ptr, ptr+len); caller must have checked bounds. Invalidated by memory.grow. */
  bytes(ptr: number, len: number): Uint8Array {
    ptr >>>= 0;
    return this.u8.subarray(ptr, ptr + len);
  }

  u8At(ptr: number): number { return this.u8[ptr >>> 0]; }
  u16(ptr: number): number { return this.dv.getUint16(ptr >>> 0, true); }
  u32(ptr: number): number { return this.dv.getUint32(ptr >>> 0, true); }
  u64(ptr: number): bigint { return this.dv.getBigUint64(ptr >>> 0, true); }
  setU8(ptr: number, v: number): void { this.u8[ptr >>> 0] = v; }
  setU16(ptr: number, v: number): void { this.dv.setUint16(ptr >>> 0, v, true); }
  setU32(ptr: number, v: number): void { this.dv.setUint32(ptr >>> 0, v >>> 0, true); }
  setU64(ptr: number, v: bigint): void { this.dv.setBigUint64(ptr >>> 0, v, true); }

  /** Writes a u32 result after checking the out-pointer; FAULT when it is out of bounds. */
  writeU32(ptr: number, v: number): number {
    if (!this.ok(ptr, 4)) return Errno.FAULT;
    this.setU32(ptr, v);
    return Errno.SUCCESS;
  }

  /**
   * Reads and validates an iovec array into `into` as (ptr, len) pairs, the non-empty ones only: the array itself
   * and every buffer it names must be in bounds. Returns how many pairs, or -errno (INVAL for absurd counts, FAULT
   * for bad pointers). `into` holds IOV_MAX pairs; nothing is allocated (this runs once per guest read or write).
   */
  loadIovecs(iovsPtr: number, iovsLen: number, into: Uint32Array): number {
    iovsLen >>>= 0;
    if (iovsLen > IOV_MAX) return -Errno.INVAL;
    if (!this.ok(iovsPtr, iovsLen * IOVEC_SIZE)) return -Errno.FAULT;
    const dv = this.dv;
    const size = this.u8a.length; // current: dv refreshed it
    const base = iovsPtr >>> 0;
    let n = 0;
    for (let i = 0; i < iovsLen; i++) {
      const ptr = dv.getUint32(base + i * IOVEC_SIZE, true);
      const len = dv.getUint32(base + i * IOVEC_SIZE + 4, true);
      if (ptr + len > size) return -Errno.FAULT; // both are u32: the sum is exact
      if (len > 0) {
        into[2 * n] = ptr;
        into[2 * n + 1] = len;
        n++;
      }
    }
    return n;
  }

  /**
   * Copies up to `limit` bytes named by `n` validated (ptr, len) pairs of `iov` into `dst` when they fit, else
   * into one fresh Buffer; returns the bytes' Buffer (a view of `dst`, or the new one).
   */
  gather(iov: Uint32Array, n: number, limit: number, dst: Buffer | null = null): Buffer {
    const total = Math.min(pairBytes(iov, n), limit);
    const out = dst !== null && total <= dst.length ? dst.subarray(0, total) : Buffer.allocUnsafe(total);
    this.gatherInto(iov, n, total, out);
    return out;
  }

  /** Copies the first `len` bytes named by `n` validated (ptr, len) pairs of `iov` to the start of `dst`
   *  (which holds at least `len` bytes). */
  gatherInto(iov: Uint32Array, n: number, len: number, dst: Uint8Array): void {
    let off = 0;
    for (let i = 0; i < n && off < len; i++) {
      const take = Math.min(iov[2 * i + 1], len - off);
      dst.set(this.view(iov[2 * i], take), off);
      off += take;
    }
  }

  /**
   * A view of [ptr, ptr+len) (validated by the caller). The last one is kept and handed out again for the same
   * range: a guest usually sends from the same buffer every time, and a view per send cost more than its copy.
   */
  private view(ptr: number, len: number): Uint8Array {
    const u8 = this.u8;
    if (ptr !== this.viewPtr || this.lastView.length !== len || this.viewOf !== u8) {
      this.lastView = u8.subarray(ptr, ptr + len);
      this.viewPtr = ptr;
      this.viewOf = u8;
    }
    return this.lastView;
  }
}

/** The bytes named by the first `n` (ptr, len) pairs of `iov`. */
export function pairBytes(iov: Uint32Array, n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += iov[2 * i + 1];
  return total;
}

/** Room for the (ptr, len) pairs of the largest iovec array a guest may pass (IOV_MAX). */
export function iovecPairs(): Uint32Array {
  return new Uint32Array(IOV_MAX * 2);
}

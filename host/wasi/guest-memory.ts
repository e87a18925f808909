// Bounds-checked access to the guest's linear memory. Every pointer and length that comes from the guest
// goes through here, so a hostile module gets an errno (FAULT) instead of a RangeError thrown in the host.
import { Errno, IOVEC_SIZE, IOV_MAX } from './abi.js';

/** A list of guest byte ranges described by an iovec array, already validated. */
export type Iovecs = { ptr: number; len: number }[];

/** Thin view over WebAssembly.Memory that re-reads memory.buffer on every access (it changes on grow). */
export class GuestMemory {
  private mem: WebAssembly.Memory | null = null;

  /** Attaches the instance's exported memory; called once after instantiation. */
  attach(memory: WebAssembly.Memory): void {
    this.mem = memory;
  }

  /** Current size in bytes (0 before attach). */
  get size(): number {
    return this.mem ? this.mem.buffer.byteLength : 0;
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

  private view(): DataView {
    return new DataView(this.mem!.buffer);
  }

  /** Raw bytes view of [ptr, ptr+len); caller must have checked bounds. Invalidated by memory.grow. */
  bytes(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.mem!.buffer, ptr >>> 0, len);
  }

  u8(ptr: number): number { return this.view().getUint8(ptr >>> 0); }
  u16(ptr: number): number { return this.view().getUint16(ptr >>> 0, true); }
  u32(ptr: number): number { return this.view().getUint32(ptr >>> 0, true); }
  u64(ptr: number): bigint { return this.view().getBigUint64(ptr >>> 0, true); }
  setU8(ptr: number, v: number): void { this.view().setUint8(ptr >>> 0, v); }
  setU16(ptr: number, v: number): void { this.view().setUint16(ptr >>> 0, v, true); }
  setU32(ptr: number, v: number): void { this.view().setUint32(ptr >>> 0, v >>> 0, true); }
  setU64(ptr: number, v: bigint): void { this.view().setBigUint64(ptr >>> 0, v, true); }

  /** Writes a u32 result after checking the out-pointer; FAULT when it is out of bounds. */
  writeU32(ptr: number, v: number): number {
    if (!this.ok(ptr, 4)) return Errno.FAULT;
    this.setU32(ptr, v);
    return Errno.SUCCESS;
  }

  /**
   * Reads and validates an iovec array: the array itself and every buffer it names must be in bounds.
   * Returns the list, or an errno (INVAL for absurd counts, FAULT for bad pointers).
   */
  iovecs(iovsPtr: number, iovsLen: number): Iovecs | number {
    iovsLen >>>= 0;
    if (iovsLen > IOV_MAX) return Errno.INVAL;
    if (!this.ok(iovsPtr, iovsLen * IOVEC_SIZE)) return Errno.FAULT;
    const out: Iovecs = [];
    for (let i = 0; i < iovsLen; i++) {
      const ptr = this.u32(iovsPtr + i * IOVEC_SIZE);
      const len = this.u32(iovsPtr + i * IOVEC_SIZE + 4);
      if (!this.ok(ptr, len)) return Errno.FAULT;
      if (len > 0) out.push({ ptr, len });
    }
    return out;
  }

  /** Copies the bytes named by validated iovecs into one fresh Buffer, up to `limit` bytes. */
  gather(iovs: Iovecs, limit: number): Buffer {
    let total = 0;
    for (const v of iovs) total += v.len;
    total = Math.min(total, limit);
    const out = Buffer.allocUnsafe(total);
    let off = 0;
    for (const v of iovs) {
      if (off >= total) break;
      const n = Math.min(v.len, total - off);
      out.set(this.bytes(v.ptr, n), off);
      off += n;
    }
    return out;
  }
}

/** Total byte length of validated iovecs. */
export function iovTotal(iovs: Iovecs): number {
  let t = 0;
  for (const v of iovs) t += v.len;
  return t;
}

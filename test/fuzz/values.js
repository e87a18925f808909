// Boundary and random values for single arguments: pointers (inside scratch, at and past the end of memory),
// byte lengths, counts, 64-bit offsets/sizes/clocks and flag sets with every bit. Pure functions of a Prng and
// the guest's memory size; the argument generator composes them.
import { scratchRegions } from './layout.js';

const U32_MAX = 0xffffffff;
const U64_MAX = (1n << 64n) - 1n;
const NS_PER_MS = 1000000n;

/**
 * A pointer p with [p, p+size) inside a scratch region, or null when no region is large enough. `aligned` is the
 * share of 8-aligned ones (wasmtime traps the guest on the first misaligned struct pointer).
 */
export function validPtr(rng, memSize, size, aligned = 0.8) {
  const fits = scratchRegions(memSize).filter(([a, b]) => b - a >= size);
  if (fits.length === 0) return null;
  const [a, b] = rng.pick(fits);
  const p = a + rng.below(b - a - size + 1);
  return rng.chance(aligned) ? p - (p % 8) : p;
}

/** A pointer for `size` bytes: mostly valid, else one at or past the end of memory, or a wild one. */
export function ptr(rng, memSize, size, aligned = 0.8) {
  if (rng.chance(0.8)) {
    const p = validPtr(rng, memSize, size, aligned);
    if (p !== null) return p;
  }
  return boundaryPtr(rng, memSize, size);
}

/**
 * A pointer at, straddling or past the end of memory, or wild. A candidate whose whole range is in bounds is kept
 * only when that range lies in scratch: the host may write there, and nowhere else.
 */
export function boundaryPtr(rng, memSize, size) {
  const inScratch = (p) => scratchRegions(memSize).some(([a, b]) => p >= a && p + size <= b);
  const candidates = [
    memSize - size, memSize - size + 1, memSize - 1, memSize, memSize + 1, memSize + 4096, U32_MAX, U32_MAX - size + 1,
    U32_MAX - 3, 0x80000000, 0x7fffffff, 0xfffffff0, memSize + rng.below(U32_MAX - memSize), 0,
  ].map((v) => Math.max(0, Math.min(U32_MAX, v))).filter((p) => p + size > memSize || inScratch(p));
  return rng.pick(candidates);
}

/** A byte length: mostly small, sometimes big (over 256 KiB), sometimes absurd. */
export function byteLen(rng, memSize) {
  const r = rng.below(100);
  if (r < 55) return rng.below(65);
  if (r < 75) return rng.below(4097);
  if (r < 82) return rng.below(65537);
  if (r < 87) return rng.range(256 * 1024 + 1, 500 * 1024);
  return rng.pick([0, 1, U32_MAX, 0x7fffffff, 0x80000000, memSize, memSize + 1, 0x10000, rng.u32()]);
}

/** An element count (iovecs, subscriptions, addresses): mostly a few, sometimes IOV_MAX and past it, absurd. */
export function count(rng) {
  const r = rng.below(100);
  if (r < 65) return rng.below(5);
  if (r < 82) return rng.range(5, 16);
  return rng.pick([0, 1024, 1025, 0x10000, 0x0fffffff, 0x10000000, 0x7fffffff, U32_MAX, rng.u32()]);
}

/** A 64-bit value of the given kind (offsets, sizes, rights, timestamps, precisions, readdir cookies). */
export function u64(rng, kind) {
  const common = [0n, 1n, U64_MAX, 1n << 63n, (1n << 63n) - 1n, 1n << 32n, (1n << 32n) - 1n, rng.u64()];
  switch (kind) {
    case 'off': return rng.chance(0.6) ? BigInt(rng.below(70000)) : rng.pick([...common, U64_MAX - 1n, 1n << 62n]);
    case 'size': return rng.chance(0.6) ? BigInt(rng.below(70000)) : rng.pick([...common, 1n << 40n]);
    case 'rights': return rng.pick([0n, U64_MAX, rng.u64(), (1n << 30n) - 1n, 1n << BigInt(rng.below(64))]);
    case 'time': return rng.pick([...common, 1700000000n * 1000000000n, BigInt(Date.now()) * NS_PER_MS]);
    case 'prec': return rng.pick([0n, 1n, 1000n, U64_MAX, rng.u64()]);
    case 'cookie': return rng.chance(0.6) ? BigInt(rng.below(8)) : rng.pick(common);
    default: throw new Error(`unknown 64-bit kind ${kind}`);
  }
}

/** The defined bits of each flag kind (WASI preview1 / WASIX), or the defined values of enum kinds. */
const FLAG_BITS = {
  lookupflags: [1], oflags: [1, 2, 4, 8], fdflags: [1, 2, 4, 8, 16], fstflags: [1, 2, 4, 8], riflags: [1, 2],
  siflags: [], sdflags: [1, 2],
};
const ENUMS = {
  whence: [0, 1, 2], advice: [0, 1, 2, 3, 4, 5], clockid: [0, 1, 2, 3], af: [0, 1, 2, 3], socktype: [0, 1, 2, 3, 4],
  proto: [0, 6, 17], signal: [...Array(31).keys()], exitcode: [0, 1, 2, 127, 255],
};

/**
 * A flag set (each defined bit, all of them, none, every undefined bit) or an enum value (defined or not).
 * `valid` is the share of defined values (wasmtime traps the guest on the first undefined one).
 */
export function flags(rng, kind, valid = 0.6) {
  if (kind in FLAG_BITS) {
    const bits = FLAG_BITS[kind];
    const all = bits.reduce((a, b) => a | b, 0);
    if (rng.chance(valid)) return bits.filter(() => rng.chance(0.5)).reduce((a, b) => a | b, 0);
    return rng.pick([0, all, ...bits, 0xffff, U32_MAX, rng.u32() & 0xffff, rng.u32(), (~all & 0xffff) >>> 0]);
  }
  const values = ENUMS[kind];
  if (!values) throw new Error(`unknown flag kind ${kind}`);
  return rng.chance(Math.max(valid, 0.8)) ? rng.pick(values) : rng.pick([values.length, 0xff, 0xffff, U32_MAX, rng.u32()]);
}

/** A clock timeout in ns for a poll subscription: short, past, 2^31 ms and more (timer overflow), u64::MAX. */
export function clockTimeout(rng) {
  return rng.pick([
    0n, 1n, 1000n, NS_PER_MS, 5n * NS_PER_MS, 2n ** 31n * NS_PER_MS, (2n ** 31n - 1n) * NS_PER_MS, 2n ** 53n,
    U64_MAX, U64_MAX - 1n, 1n << 63n, 86400000n * NS_PER_MS, rng.u64(),
  ]);
}

export { U32_MAX, U64_MAX, NS_PER_MS };

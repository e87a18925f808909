// Seeded pseudo-random numbers for the fuzzer. Everything the fuzzer decides comes from one of these, so a seed
// (printed at start) and a call number are enough to replay a failure. sfc32, seeded through splitmix32.

/** splitmix32 step: spreads a small seed over all 32 bits. */
function splitmix(state) {
  let z = (state + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return [(z ^ (z >>> 16)) >>> 0, (state + 0x9e3779b9) >>> 0];
}

/** A seeded generator; `new Prng(seed, stream)` gives independent sequences for the same seed. */
export class Prng {
  constructor(seed, stream = 0) {
    let s = ((seed >>> 0) ^ Math.imul(stream + 1, 0x632be5ab)) >>> 0;
    const w = [];
    for (let i = 0; i < 4; i++) {
      const [v, next] = splitmix(s);
      w.push(v);
      s = next;
    }
    [this.a, this.b, this.c, this.d] = w;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform unsigned 32-bit integer. */
  u32() {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t >>> 0;
  }

  /** A uniform unsigned 64-bit integer as a BigInt. */
  u64() {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }

  /** An integer in [0, n). */
  below(n) {
    return Math.floor((this.u32() / 0x100000000) * n);
  }

  /** An integer in [lo, hi]. */
  range(lo, hi) {
    return lo + this.below(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p) {
    return this.u32() / 0x100000000 < p;
  }

  /** One element of a non-empty array. */
  pick(list) {
    return list[this.below(list.length)];
  }

  /** `n` random bytes. */
  bytes(n) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

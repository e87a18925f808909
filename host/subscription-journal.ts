// The subscription journal (assembly/readiness/subscription-journal.ts is the guest's half): a module that declares
// the custom section `wasmux.subscription-journal` keeps a 48-byte header right before each subscription array it
// passes to poll_oneoff, listing the slots it wrote since the host last took the list in. The host then re-reads
// only those slots of an array it already holds a copy of, instead of comparing the whole array on every call.
//
// Trust: the list only decides which slots the host looks at again. Parsed slots are resolved against the host's
// own fd table and every write back goes through bounds checks, so a guest that leaves a write out gets events
// for what its array held before (its own loss) and can reach nothing else. A header without the magic, or any
// array of a module that did not declare the section, is compared whole as before.
import type { GuestMemory } from './wasi/guest-memory.js';

/** Name of the custom section that declares the journal. */
export const SUBSCRIPTION_JOURNAL_SECTION = 'wasmux.subscription-journal';
/** The one format version there is (the section's payload: a little-endian u32). */
export const JOURNAL_VERSION = 1;
/** Bytes of the header before the array: magic u32, count u32, JOURNAL_SLOTS slot numbers (u32). */
export const JOURNAL_SIZE = 48;
export const JOURNAL_SLOTS = 10;
/** "WMXJ" as a little-endian u32. */
export const JOURNAL_MAGIC = 0x4a584d57;

/** True when `module` declares the journal: exactly one section, of the version this host reads. */
export function declaresSubscriptionJournal(module: WebAssembly.Module): boolean {
  const sections = WebAssembly.Module.customSections(module, SUBSCRIPTION_JOURNAL_SECTION);
  return sections.length === 1 && sections[0].byteLength === 4 && new DataView(sections[0]).getUint32(0, true) === JOURNAL_VERSION;
}

/** Reads and acknowledges the journal headers of one instance's poll_oneoff calls. */
export class JournalReader {
  /** The slots listed by the last read() (the first `count` it returned). */
  readonly slots = new Uint32Array(JOURNAL_SLOTS);

  constructor(private readonly mem: GuestMemory) {}

  /**
   * The number of slots listed before the array at `inPtr` (copied into `slots`), or -1 when the header cannot
   * narrow the compare: out of memory, no magic, or "any slot may have changed".
   */
  read(inPtr: number): number {
    const at = inPtr - JOURNAL_SIZE;
    if (at < 0 || !this.mem.ok(at, JOURNAL_SIZE)) return -1;
    const dv = this.mem.dv;
    if (dv.getUint32(at, true) !== JOURNAL_MAGIC) return -1;
    const count = dv.getUint32(at + 4, true);
    if (count > JOURNAL_SLOTS) return -1;
    for (let i = 0; i < count; i++) this.slots[i] = dv.getUint32(at + 8 + 4 * i, true);
    return count;
  }

  /** Tells the guest that the host holds the array at `inPtr` as it is now (its header lists nothing). */
  acknowledge(inPtr: number): void {
    const at = inPtr - JOURNAL_SIZE;
    if (at < 0 || !this.mem.ok(at, JOURNAL_SIZE)) return;
    const dv = this.mem.dv;
    if (dv.getUint32(at, true) === JOURNAL_MAGIC) dv.setUint32(at + 4, 0, true);
  }
}

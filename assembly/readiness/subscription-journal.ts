// The subscription journal: a 48-byte header right before a subscription array that lists the slots written since
// the host last read the array, so that a host keeping a parsed copy of the array (the Node host does) re-reads
// only those slots instead of comparing every one on every poll_oneoff. A module opts in with the custom section
// `wasmux.subscription-journal` (scripts/lib/subscription-journal.js adds it to our builds); other hosts never look
// at the header, and the array itself stays a plain preview1 subscription array.
//
// Layout, little-endian: u32 magic, u32 count, then JOURNAL_SLOTS u32 slot numbers (the first `count` are
// meaningful). A count above JOURNAL_SLOTS means "any slot may have changed". The host sets count to 0 once it
// has taken the listed slots in. Slots past the call's nsubs need no entry: the host drops or adds those by count.

/** Bytes of the header, one subscription's size so the array after it keeps its 8-byte alignment. */
export const JOURNAL_SIZE: usize = 48;
/** Slot numbers the header can list; one more change and it says "any slot". */
export const JOURNAL_SLOTS: u32 = 10;
/** "WMXJ" read as a little-endian u32: the host trusts a header only with this magic. */
export const JOURNAL_MAGIC: u32 = 0x4a584d57;
/** A count that says every slot may have changed. */
export const JOURNAL_ALL: u32 = u32.MAX_VALUE;

/** Writes a fresh header at `header`: every slot of the array after it is new to the host. */
export function journalStart(header: usize): void {
  store<u32>(header, JOURNAL_MAGIC);
  store<u32>(header, JOURNAL_ALL, 4);
}

/** Records that slot `slot` of the array after `header` was written. */
// @ts-ignore: decorator
@inline export function journalMark(header: usize, slot: i32): void {
  const count = load<u32>(header, 4);
  if (count < JOURNAL_SLOTS) {
    store<u32>(header + 8 + (<usize>count << 2), <u32>slot);
    store<u32>(header, count + 1, 4);
  } else {
    store<u32>(header, JOURNAL_ALL, 4);
  }
}

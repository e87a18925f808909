// The build's half of the subscription journal (host/subscription-journal.ts reads it): modules built from our
// core keep a journal header before every subscription array (assembly/readiness/subscription-journal.ts), and
// this section tells the Node host it may trust that header.
import { appendCustomSection } from "./custom-section.js";

/** Name of the custom section (the host looks for exactly this). */
export const SUBSCRIPTION_JOURNAL_SECTION = "wasmux.subscription-journal";
/** The journal format the core writes: the section's payload, a little-endian u32. */
export const JOURNAL_VERSION = 1;

/** Appends the declaration to the module file `path`. */
export function declareSubscriptionJournal(path) {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint32(0, JOURNAL_VERSION, true);
  appendCustomSection(path, SUBSCRIPTION_JOURNAL_SECTION, payload);
}

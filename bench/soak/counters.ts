// What one host+server pair did during a soak: traffic, checked and lost bytes, and the errors, split into the
// ones we caused (our own resets) and the unexpected ones, which miss the goal.

export interface Counters {
  /** Completed exchanges: echoed writes, chat pieces received, HTTP responses, kv replies. */
  ops: number;
  bytesSent: number;
  /** Bytes received and found equal to what was expected. */
  bytesChecked: number;
  /** Bytes expected that never came (stall, early close, unexpected error). */
  bytesLost: number;
  /** Bytes that came but differ from what was expected, or were not expected at all. */
  bytesWrong: number;
  connects: number;
  closes: number;
  halfCloses: number;
  resets: number;
  /** Events our resets explain: a reset with bytes in flight (not counted lost), a chat line it cut short. */
  expectedErrors: number;
  unexpectedErrors: number;
  /** The first unexpected errors, one line each. */
  errorSamples: string[];
}

const MAX_SAMPLES = 20;

export function newCounters(): Counters {
  return {
    ops: 0, bytesSent: 0, bytesChecked: 0, bytesLost: 0, bytesWrong: 0, connects: 0, closes: 0, halfCloses: 0,
    resets: 0, expectedErrors: 0, unexpectedErrors: 0, errorSamples: [],
  };
}

/** Counts one unexpected error and keeps its line if it is among the first few. */
export function unexpected(c: Counters, line: string): void {
  c.unexpectedErrors++;
  if (c.errorSamples.length < MAX_SAMPLES) c.errorSamples.push(line);
}

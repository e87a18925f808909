// Bits that say what a registration waits for and what a select reports.

/** Interest and readiness bits. READ and WRITE are what a user registers; the others are only reported. */
export namespace Ready {
  export const READ: u8 = 1;
  export const WRITE: u8 = 2;
  /** The host reported an error for the fd (its errno travels beside the bits). */
  export const ERROR: u8 = 4;
  /** The peer hung up; a read will return 0 (EOF) and a write will fail. */
  export const HANGUP: u8 = 8;
  /** Every bit a user may register. */
  export const INTEREST_MASK: u8 = READ | WRITE;
}

/** True when `events` is a non-empty mask of READ/WRITE bits only. */
export function isValidInterest(events: u8): bool {
  return events != 0 && (events & ~Ready.INTEREST_MASK) == 0;
}

/** One registered fd: its interest, the caller's token, and where its subscriptions sit. */
export class Registration {
  // The small fields come first and share their padding: the object stays 40 bytes (a large select() makes
  // thousands per call).
  /** Readiness found by the current select (Ready bits); cleared when the next select starts. */
  ready: u8 = 0;
  /** Set once the host rejected the fd itself (EBADF and the like): it is left out of polls. */
  dead: bool = false;
  /** The errno the host (or the dead-fd probe) gave for this fd; 0 when none. */
  errno: u16 = 0;
  /** Slot of the fd_read / fd_write subscription in the dense array, or -1. */
  readSlot: i32 = -1;
  writeSlot: i32 = -1;
  /** The set's id for this registration (its subscriptions' userdata), while it is registered. */
  id: i32 = -1;
  /** Bytes the host said are available to read (a hint; 0 when unknown). */
  nbytes: u64 = 0;

  constructor(public fd: u32, public interest: u8, public token: u64) {}
}

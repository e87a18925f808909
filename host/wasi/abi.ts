// WASI preview1 ABI constants: errno values, struct layouts and flag bits used by the host.
// Values follow the alphabetical errno enum of WASI preview1 (docs.md of the wasi-0.1 branch).

/** Errno values the host answers with. */
export const Errno = {
  SUCCESS: 0,
  ACCES: 2,
  ADDRINUSE: 3,
  ADDRNOTAVAIL: 4,
  AFNOSUPPORT: 5,
  AGAIN: 6,
  ALREADY: 7,
  BADF: 8,
  CONNABORTED: 13,
  CONNREFUSED: 14,
  CONNRESET: 15,
  FAULT: 21,
  HOSTUNREACH: 23,
  INPROGRESS: 26,
  INVAL: 28,
  ILSEQ: 25,
  IO: 29,
  ISCONN: 30,
  LOOP: 32,
  NAMETOOLONG: 37,
  NETDOWN: 38,
  NETUNREACH: 40,
  NOENT: 44,
  NOSYS: 52,
  NOTDIR: 54,
  NOTCONN: 53,
  NOTSOCK: 57,
  NOTSUP: 58,
  PERM: 63,
  PIPE: 64,
  PROTONOSUPPORT: 66,
  SPIPE: 70,
  TIMEDOUT: 73,
  NOTCAPABLE: 76,
} as const;

/** Filetype values reported by fd_fdstat_get. */
export const Filetype = { UNKNOWN: 0, CHARACTER_DEVICE: 2, SOCKET_STREAM: 6 } as const;

/** filestat: dev u64 @0, ino u64 @8, filetype u8 @16, nlink @24, size @32, atim @40, mtim @48, ctim @56; 64 bytes. */
export const FILESTAT_SIZE = 64;
export const FILESTAT_FILETYPE = 16;

/** fdflags bits; only NONBLOCK has meaning on sockets. */
export const FDFLAGS_NONBLOCK = 4;

/** fstflags for the *_filestat_set_times calls: set atim, atim to now, set mtim, mtim to now. */
export const FSTFLAGS_ATIM = 1;
export const FSTFLAGS_ATIM_NOW = 2;
export const FSTFLAGS_MTIM = 4;
export const FSTFLAGS_MTIM_NOW = 8;

/** riflags for sock_recv. */
export const RIFLAGS_PEEK = 1;
export const RIFLAGS_WAITALL = 2;

/** sdflags for sock_shutdown. */
export const SDFLAGS_RD = 1;
export const SDFLAGS_WR = 2;

/** Clock ids. */
export const Clock = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME: 2, THREAD_CPUTIME: 3 } as const;

/** Subscription/event types (the eventtype enum). */
export const EventType = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;

/** subscription: 48 bytes, align 8. */
export const SUB_SIZE = 48;
export const SUB_USERDATA = 0; // u64
export const SUB_TAG = 8; // u8
export const SUB_CLOCK_ID = 16; // u32
export const SUB_CLOCK_TIMEOUT = 24; // u64 ns
export const SUB_CLOCK_FLAGS = 40; // u16, 1 = ABSTIME
export const SUB_FD = 16; // u32
export const SUBCLOCKFLAGS_ABSTIME = 1;

/** event: 32 bytes, align 8. */
export const EVENT_SIZE = 32;
export const EVENT_USERDATA = 0; // u64
export const EVENT_ERROR = 8; // u16
export const EVENT_TYPE = 10; // u8
export const EVENT_NBYTES = 16; // u64
export const EVENT_FLAGS = 24; // u16
export const EVENT_FLAG_HANGUP = 1;

/** iovec / ciovec: { buf: u32, len: u32 }, 8 bytes. */
export const IOVEC_SIZE = 8;

/** fdstat: filetype u8 @0, flags u16 @2, rights_base u64 @8, rights_inheriting u64 @16; 24 bytes. */
export const FDSTAT_SIZE = 24;

/** Upper bound on iovec counts we accept; larger counts are INVAL (POSIX IOV_MAX is 1024). */
export const IOV_MAX = 1024;

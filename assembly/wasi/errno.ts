// WASI preview1 errno values (the alphabetical enum of the preview1 spec) that wasmux names.
// Every fallible function in the core returns one of these; 0 is success.

export type Errno = u16;

export namespace Errno {
  export const SUCCESS: u16 = 0;
  export const ACCES: u16 = 2;
  export const ADDRINUSE: u16 = 3;
  export const AGAIN: u16 = 6;
  export const ALREADY: u16 = 7;
  export const BADF: u16 = 8;
  export const CONNABORTED: u16 = 13;
  export const CONNREFUSED: u16 = 14;
  export const CONNRESET: u16 = 15;
  export const EXIST: u16 = 20;
  export const FAULT: u16 = 21;
  export const INPROGRESS: u16 = 26;
  export const INTR: u16 = 27;
  export const INVAL: u16 = 28;
  export const IO: u16 = 29;
  export const MFILE: u16 = 33;
  export const NFILE: u16 = 41;
  export const NOBUFS: u16 = 42;
  export const NOENT: u16 = 44;
  export const NOMEM: u16 = 48;
  export const NOSYS: u16 = 52;
  export const NOTCONN: u16 = 53;
  export const NOTSOCK: u16 = 57;
  export const NOTSUP: u16 = 58;
  export const PERM: u16 = 63;
  export const PIPE: u16 = 64;
  export const TIMEDOUT: u16 = 73;
  export const NOTCAPABLE: u16 = 76;
}

/** Short symbolic name of an errno, for log lines ("EBADF"); unknown values print as "E<n>". */
export function errnoName(e: u16): string {
  switch (e) {
    case 0: return "SUCCESS";
    case 2: return "EACCES";
    case 3: return "EADDRINUSE";
    case 6: return "EAGAIN";
    case 7: return "EALREADY";
    case 8: return "EBADF";
    case 13: return "ECONNABORTED";
    case 14: return "ECONNREFUSED";
    case 15: return "ECONNRESET";
    case 20: return "EEXIST";
    case 21: return "EFAULT";
    case 26: return "EINPROGRESS";
    case 27: return "EINTR";
    case 28: return "EINVAL";
    case 29: return "EIO";
    case 33: return "EMFILE";
    case 41: return "ENFILE";
    case 42: return "ENOBUFS";
    case 44: return "ENOENT";
    case 48: return "ENOMEM";
    case 52: return "ENOSYS";
    case 53: return "ENOTCONN";
    case 57: return "ENOTSOCK";
    case 58: return "ENOTSUP";
    case 63: return "EPERM";
    case 64: return "EPIPE";
    case 73: return "ETIMEDOUT";
    case 76: return "ENOTCAPABLE";
  }
  return "E" + e.toString();
}

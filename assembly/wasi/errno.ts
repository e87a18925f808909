// WASI preview1 errno values, as the WASI shim declares them (the alphabetical enum of the preview1 spec).
// Every fallible function in the core returns one of these; 0 is success.
import { errno } from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";

export { errno as Errno } from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";

/**
 * Short symbolic name of an errno, for log lines ("EBADF"); others print as "E<n>". Only the errnos a socket
 * server meets are named: the shim's errnoToString names all 77 and would add 3 KB of strings to every module.
 */
export function errnoName(e: u16): string {
  switch (e) {
    case errno.SUCCESS: return "SUCCESS";
    case errno.ACCES: return "EACCES";
    case errno.ADDRINUSE: return "EADDRINUSE";
    case errno.AGAIN: return "EAGAIN";
    case errno.ALREADY: return "EALREADY";
    case errno.BADF: return "EBADF";
    case errno.CONNABORTED: return "ECONNABORTED";
    case errno.CONNREFUSED: return "ECONNREFUSED";
    case errno.CONNRESET: return "ECONNRESET";
    case errno.EXIST: return "EEXIST";
    case errno.FAULT: return "EFAULT";
    case errno.INPROGRESS: return "EINPROGRESS";
    case errno.INTR: return "EINTR";
    case errno.INVAL: return "EINVAL";
    case errno.IO: return "EIO";
    case errno.MFILE: return "EMFILE";
    case errno.NFILE: return "ENFILE";
    case errno.NOBUFS: return "ENOBUFS";
    case errno.NOENT: return "ENOENT";
    case errno.NOMEM: return "ENOMEM";
    case errno.NOSYS: return "ENOSYS";
    case errno.NOTCONN: return "ENOTCONN";
    case errno.NOTSOCK: return "ENOTSOCK";
    case errno.NOTSUP: return "ENOTSUP";
    case errno.PERM: return "EPERM";
    case errno.PIPE: return "EPIPE";
    case errno.TIMEDOUT: return "ETIMEDOUT";
    case errno.NOTCAPABLE: return "ENOTCAPABLE";
  }
  return "E" + e.toString();
}

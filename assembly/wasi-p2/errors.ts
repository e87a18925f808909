// wasi:sockets error-codes as the preview1 errnos the layers above understand, and as words for messages.
import { Errno } from "../wasi/errno";

/** error-code values the backend tells apart (the enum's order in wasi:sockets/network). */
export namespace ErrorCode {
  export const UNKNOWN: u8 = 0;
  export const WOULD_BLOCK: u8 = 8;
  export const NAME_UNRESOLVABLE: u8 = 18;
}

/** The errno a preview1 host would have given for `code`. */
export function errnoOf(code: u8): Errno {
  switch (code) {
    case 1: return Errno.ACCES;
    case 2: return Errno.NOTSUP;
    case 3: return Errno.INVAL;
    case 4: return Errno.NOMEM;
    case 5: return Errno.TIMEDOUT;
    case 6: return Errno.ALREADY;
    case 7: return Errno.INVAL;
    case 8: return Errno.AGAIN;
    case 9: return Errno.INVAL;
    case 10: return Errno.NOMEM;
    case 12: return Errno.ADDRINUSE;
    case 13: return Errno.HOSTUNREACH;
    case 14: return Errno.CONNREFUSED;
    case 15: return Errno.CONNRESET;
    case 16: return Errno.CONNABORTED;
  }
  return Errno.IO;
}

// @ts-ignore: decorator
@lazy const NAMES: StaticArray<string> = [
  "unknown", "access-denied", "not-supported", "invalid-argument", "out-of-memory", "timeout",
  "concurrency-conflict", "not-in-progress", "would-block", "invalid-state", "new-socket-limit",
  "address-not-bindable", "address-in-use", "remote-unreachable", "connection-refused", "connection-reset",
  "connection-aborted", "datagram-too-large", "name-unresolvable", "temporary-resolver-failure",
  "permanent-resolver-failure",
];

/** The error-code's WIT name ("address-in-use"); unknown values print as "error-code N". */
export function errorCodeName(code: u8): string {
  return <i32>code < NAMES.length ? NAMES[code] : "error-code " + code.toString();
}

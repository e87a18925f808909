import { Errno } from "../wasi/errno";
import { fd_fdstat_get } from "../wasi/imports";
import { FILETYPE_SOCKET_STREAM, fdstatFiletype } from "../wasi/layout";
import { fdstatCell } from "../wasi/scratch";
import { getenv } from "../wasi/environ";
import { Listener } from "./listener";

/** First fd a host gives to pre-opened listeners (after stdio), as in systemd and mio. */
export const FIRST_LISTEN_FD: u32 = 3;
/** How far the probe looks when LISTEN_FDS is not set. */
const PROBE_LIMIT: u32 = 64;

/**
 * The pre-opened listeners: fds 3 .. 3+N-1 when LISTEN_FDS=N is set (the systemd/mio convention),
 * else the socket-stream fds found by probing from fd 3 until the first fd that is not one.
 */
export function listenFds(): Array<Listener> {
  const out = new Array<Listener>();
  const declared = getenv("LISTEN_FDS");
  if (declared != null) {
    const n = I32.parseInt(declared);
    if (n > 0 && n < 1 << 16) {
      for (let i = 0; i < n; i++) out.push(new Listener(FIRST_LISTEN_FD + <u32>i));
      return out;
    }
  }
  for (let fd = FIRST_LISTEN_FD; fd < FIRST_LISTEN_FD + PROBE_LIMIT; fd++) {
    if (fd_fdstat_get(fd, fdstatCell()) != Errno.SUCCESS) break;
    if (fdstatFiletype(fdstatCell()) != FILETYPE_SOCKET_STREAM) break;
    out.push(new Listener(fd));
  }
  return out;
}

// The preview1 socket calls, all implemented by the host: sock_accept, sock_recv, sock_send, sock_shutdown.
// They act on host sockets only; on stdio, files or directories they answer NOTSOCK (forwarding them to node:wasi
// would crash Node on its own stdio).
import { Errno, FDFLAGS_NONBLOCK, SDFLAGS_RD, SDFLAGS_WR } from './abi.js';
import type { ImportContext, ImportSpec } from './context.js';
import { retry, streamRecv, streamSend } from './stream-io.js';
import { TcpStream } from '../sockets/tcp-stream.js';

type Spec = ImportSpec<ImportContext>;

/** sock_accept(fd, flags, *newfd): flags 0 (blocking stream) or NONBLOCK. */
function sockAccept(ctx: ImportContext) {
  const { mem, fds, waker } = ctx;
  return ctx.strategy.wrap((fd: number, flags: number, newfdPtr: number) => {
    const e = fds.socket(fd);
    if (typeof e === 'number') return e;
    if (e.kind !== 'listener') return Errno.INVAL;
    if ((flags & 0xffff) !== 0 && (flags & 0xffff) !== FDFLAGS_NONBLOCK) return Errno.INVAL;
    if (!mem.ok(newfdPtr, 4)) return Errno.FAULT;
    const l = e.listener;
    const attempt = () => {
      const s = l.take();
      if (!s) return Errno.AGAIN;
      const newfd = fds.add({ kind: 'stream', stream: new TcpStream(s, (flags & FDFLAGS_NONBLOCK) !== 0, waker.hub) });
      mem.setU32(newfdPtr, newfd);
      return Errno.SUCCESS;
    };
    const r = attempt();
    return r !== Errno.AGAIN || l.nonblock ? r : retry(waker, attempt);
  });
}

/** sock_recv(fd, iovs, n, riflags, *nread, *roflags): PEEK and WAITALL. */
function sockRecv(ctx: ImportContext) {
  return ctx.strategy.wrap((fd: number, iovs: number, n: number, flags: number, nreadPtr: number, roflagsPtr: number) => {
    const e = ctx.fds.socket(fd);
    if (typeof e === 'number') return e;
    if (e.kind !== 'stream') return Errno.NOTCONN;
    return streamRecv(ctx.mem, ctx.waker, e.stream, iovs, n, flags & 0xffff, nreadPtr, roflagsPtr);
  });
}

/** sock_send(fd, iovs, n, siflags, *nsent): no siflags are defined. */
function sockSend(ctx: ImportContext) {
  return ctx.strategy.wrap((fd: number, iovs: number, n: number, flags: number, nsentPtr: number) => {
    const e = ctx.fds.socket(fd);
    if (typeof e === 'number') return e;
    if (e.kind !== 'stream') return Errno.NOTCONN;
    if ((flags & 0xffff) !== 0) return Errno.INVAL;
    return streamSend(ctx.mem, ctx.waker, e.stream, iovs, n, nsentPtr);
  });
}

/** sock_shutdown(fd, how): 1 RD, 2 WR, 3 both. */
function sockShutdown(ctx: ImportContext) {
  return (fd: number, how: number) => {
    const e = ctx.fds.socket(fd);
    if (typeof e === 'number') return e;
    if (e.kind !== 'stream') return Errno.NOTCONN;
    how &= 0xff;
    if (how < 1 || how > 3) return Errno.INVAL;
    return e.stream.shutdown((how & SDFLAGS_RD) !== 0, (how & SDFLAGS_WR) !== 0);
  };
}

/** The socket rows of the import table. */
export const SOCK_IMPORTS: Record<string, Spec> = {
  sock_accept: { decision: 'ours', why: 'host listeners; NOTSOCK on anything else', make: sockAccept },
  sock_recv: { decision: 'ours', why: 'host streams; NOTSOCK on stdio and files', make: sockRecv },
  sock_send: { decision: 'ours', why: 'host streams; NOTSOCK on stdio and files', make: sockSend },
  sock_shutdown: { decision: 'ours', why: 'host streams; NOTSOCK on stdio and files', make: sockShutdown },
};

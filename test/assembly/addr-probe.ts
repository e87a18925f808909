// A WASI command used by the conformance tests to check sock_addr_local and sock_addr_peer on a real host:
//   1. connects to the address given as its argument, waits until the connection is made, and prints
//      "connected local=ADDR peer=ADDR"
//   2. accepts one connection on its listener (fd 3) and prints "accepted local=ADDR peer=ADDR"
// then exits 0. Anything unexpected is one "failed: ..." line and exit 1.
import { select, Listener, Stream, Errno, SocketAddress } from "../../assembly/index";

function say(line: string): void { process.stdout.write(line + "\n"); }
function fail(why: string): void { say("failed: " + why); process.exit(1); }
function show(a: SocketAddress | null): string { return a == null ? "none" : a.toString(); }

if (process.argv.length < 2) fail("usage: addr-probe HOST:PORT");
const c = Stream.connect(process.argv[process.argv.length - 1]);
if (c.stream == null) fail("connect: errno " + c.errno.toString());
else {
  const out = c.stream!;
  select([], [out.fd], [], 10000);
  const err = out.finishConnect();
  if (err != Errno.SUCCESS) fail("connect: errno " + err.toString());
  say("connected local=" + show(out.localAddress()) + " peer=" + show(out.peerAddress()));
}

const listener = new Listener(3);
let conn: Stream | null = null;
for (let tries = 0; tries < 100 && conn == null; tries++) {
  select([3], [], [], 100);
  conn = listener.accept();
}
if (conn == null) fail("no client within 10 s");
else say("accepted local=" + show(conn!.localAddress()) + " peer=" + show(conn!.peerAddress()));

// A WASI command used by the conformance tests to check, on a real host, what select() and the Selector
// tell the user when one fd is dead and another is over-reported. Protocol with the test:
//   1. the test connects three clients, each once the guest has printed "accepted N" for the one before; the guest
//      accepts them (A, B, C), closes C, prints "closed C"
//   2. the test sends "x" on A; the guest runs select([A, B, C, 9999]) and prints what it found
//   3. the guest runs a Selector over A, B, C, 9999, tries a recv on each reported key, prints the outcome
import { select, Selector, EVENT_READ, Listener, Stream, Errno } from "../../assembly/index";

function say(line: string): void { process.stdout.write(line + "\n"); }

const DEAD: u32 = 9999;
const listener = new Listener(3);
const accepted = new Array<Stream>();
while (accepted.length < 3) {
  const r = select([3], [], [], 10000);
  if (r.readers.length == 0 && r.errors.length == 0) { say("timeout waiting for clients"); process.exit(1); }
  const s = listener.accept();
  if (s != null) {
    accepted.push(s);
    say("accepted " + accepted.length.toString());
  }
}
const a = accepted[0].fd, b = accepted[1].fd, c = accepted[2].fd;
accepted[2].close();
function name(fd: u32): string {
  return fd == a ? "A" : fd == b ? "B" : fd == c ? "CLOSED" : fd == DEAD ? "DEAD" : "fd" + fd.toString();
}
say("closed C");

// Wait (bounded) until A is readable: a select that sees a dead fd answers at once, as poll(2) does.
select([a], [], [], 10000);
const result = select([a, b, c, DEAD], [], [], 10000);
const readers = new Array<string>();
for (let i = 0; i < result.readers.length; i++) readers.push(name(result.readers[i]));
const errors = new Array<string>();
for (let i = 0; i < result.errors.length; i++) errors.push(name(result.errors[i]) + ":" + result.errnos[i].toString());
readers.sort();
errors.sort();
say("select status=" + result.status.toString() + " readers=" + readers.join(",") + " errors=" + errors.join(","));

const sel = new Selector<i32>();
sel.register(a, EVENT_READ, 0);
sel.register(b, EVENT_READ, 0);
sel.register(c, EVENT_READ, 0);
sel.register(DEAD, EVENT_READ, 0);
const ready = sel.select(10000);
const outcomes = new Array<string>();
const buf = new Uint8Array(16);
for (let i = 0; i < ready.length; i++) {
  const k = ready[i];
  if (k.errno != 0) { outcomes.push(name(k.key.fd) + ":error" + k.errno.toString()); continue; }
  const r = new Stream(k.key.fd).recv(buf);
  outcomes.push(name(k.key.fd) + (r.wouldBlock ? ":again" : r.ok ? ":data" + r.n.toString() : ":errno" + r.errno.toString()));
}
outcomes.sort();
say("selector " + outcomes.join(" "));
say("done");

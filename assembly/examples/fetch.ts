// fetch: a client of the list-based select(). It connects to several servers at once, sends each a request, and prints
// the replies as they arrive, with nothing but select(): a connecting socket goes in the writers list
// ("if it shows up in the writable list, you have a decent chance that it has connected", as Python's socket
// HOWTO puts it), a connected one in the readers list.
//   wasmux run --allow-connect '127.0.0.1:*' build/fetch.wasm -- 127.0.0.1:8080 127.0.0.1:8081
// Each server gets "GET / HTTP/1.0" (set FETCH_REQUEST to send something else). Exit status 0 when
// every server answered and closed, 1 otherwise.
import { select, Stream, Errno, errnoName, logLine, getenv, monotonicMs } from "../index";

const TIMEOUT_MS: i64 = 10000;

class Target {
  stream: Stream | null = null;
  connected: bool = false;
  done: bool = false;
  failed: bool = false;
  constructor(public address: string) {}
}

function say(target: Target, text: string): void {
  process.stdout.write("[" + target.address + "] " + text + (text.endsWith("\n") ? "" : "\n"));
}

function fail(t: Target, why: string): void {
  say(t, "failed: " + why);
  t.failed = true;
  t.done = true;
  if (t.stream != null) t.stream!.close();
}

const args = process.argv;
if (args.length < 2) {
  logLine("fetch: usage: fetch.wasm HOST:PORT... (after `--` on the wasmux command line)");
  process.exit(2);
}
const custom = getenv("FETCH_REQUEST");
const targets = new Array<Target>();
for (let i = 1; i < args.length; i++) {
  const t = new Target(args[i]);
  targets.push(t);
  const r = Stream.connect(t.address);
  if (r.stream == null) { fail(t, errnoName(r.errno)); continue; }
  t.stream = r.stream;
  t.connected = r.errno == Errno.SUCCESS;
}

const buf = new Uint8Array(16384);
const deadline = monotonicMs() + TIMEOUT_MS;
for (;;) {
  const readers = new Array<u32>();
  const writers = new Array<u32>();
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    if (t.done) continue;
    if (t.connected) readers.push(t.stream!.fd); else writers.push(t.stream!.fd);
  }
  if (readers.length + writers.length == 0) break;
  const left = deadline - monotonicMs();
  if (left <= 0) break;
  const r = select(readers, writers, [], left);
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    if (t.done) continue;
    const fd = t.stream!.fd;
    const e = r.errors.indexOf(fd);
    if (e >= 0) { fail(t, errnoName(r.errnos[e])); continue; }
    if (!t.connected && r.writers.includes(fd)) {
      const err = t.stream!.finishConnect();
      if (err != Errno.SUCCESS) { fail(t, errnoName(err)); continue; }
      t.connected = true;
      const host = t.address.substring(0, t.address.lastIndexOf(":"));
      const request = custom != null ? custom! : "GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
      const bytes = Uint8Array.wrap(String.UTF8.encode(request));
      // A request this small goes out in one send; a partial send is still handled.
      let off = 0;
      while (off < bytes.length) {
        const s = t.stream!.sendFrom(bytes.dataStart + <usize>off, bytes.length - off);
        if (!s.ok) break; // AGAIN right after connecting: report it rather than spin
        off += s.n;
      }
      if (off < bytes.length) { fail(t, "could not send the request"); continue; }
      t.stream!.shutdownWrite();
      say(t, "connected, request sent");
    } else if (t.connected && r.readers.includes(fd)) {
      for (;;) {
        const got = t.stream!.recv(buf);
        if (got.wouldBlock) break;
        if (!got.ok) { fail(t, errnoName(got.errno)); break; }
        if (got.n == 0) { say(t, "closed"); t.done = true; t.stream!.close(); break; }
        say(t, String.UTF8.decodeUnsafe(buf.dataStart, got.n));
      }
    }
  }
}
let failures = 0;
for (let i = 0; i < targets.length; i++) {
  const t = targets[i];
  if (!t.done) { fail(targets[i], "timed out"); }
  if (t.failed) failures++;
}
process.exit(failures > 0 ? 1 : 0);

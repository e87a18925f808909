// kv: an in-memory key-value server speaking the Redis protocol (RESP2), enough for redis-cli and
// redis-benchmark. It shows a binary protocol parser that survives any split of its input, a state
// shared by every connection (the loop is single-threaded: no locks), replies batched per read,
// backpressure, and a timer that only runs while it has work.
//   wasmux run --listen 127.0.0.1:6379 build/kv.wasm
//   redis-cli -p 6379 set a 1    redis-benchmark -p 6379 -t ping,set,get -P 16 -q
//
// Commands: PING ECHO SET (EX/PX/NX/XX/KEEPTTL) GET DEL EXISTS INCR DECR INCRBY DECRBY DBSIZE
// FLUSHALL FLUSHDB SELECT 0 INFO QUIT, and what clients send on connect: CONFIG GET (save and
// appendonly answered, the rest empty), COMMAND (empty), CLIENT SETNAME/SETINFO/GETNAME/ID,
// HELLO [2] (HELLO 3 gets -NOPROTO, as clients expect from a RESP2-only server).
// Keys with a TTL expire on access and in a background sweep. Inline commands are split on blanks
// (no quoting). Malformed input gets "-ERR Protocol error: ..." and the connection closes, as in
// Redis; a bulk over 64 MiB, or a command whose arguments total more than a client may hold, counts
// as malformed.
//
// Memory is bounded whatever clients do (flags after `--`, sizes in bytes, times in ms):
//   --max-client-bytes (64 MiB + 1 MiB)  input one connection may hold: its partial command's
//                                         arguments and unparsed bytes; past it, an error and a close
//   --max-input-bytes  (256 MiB)          the same for all connections together
//   --idle-timeout     (300000)           a connection that sends nothing and takes no reply for this
//                                         long is closed (0: never)
// A large reply goes out in pieces as the client reads it, so a client that does not read holds
// at most the connection's output watermark of copies, not the value.
import { EventLoop, Connection, StreamHandler, ServerHandler, logLine, monotonicMs } from "../index";
import { ByteBuffer, lowerAscii, parseStrictI64 } from "./lib/byte-buffer";
import { Entry, Store, keyOf } from "./lib/kv-store";
import { listenersOrExit } from "./lib/listeners";
import { Flags } from "./lib/flags";
import { InputBudget, MAX_BULK, RespParser, Step } from "./lib/resp-parser";
import { Deadline, DeadlineTimer } from "./lib/deadline-timer";

/** Replies are batched; past this many bytes they go out before parsing more. */
const FLUSH_AT: i32 = 64 * 1024;
/** A large value is queued this many bytes at a time, as the client takes them. */
const REPLY_PIECE: i32 = 64 * 1024;
// ---------------------------------------------------------------------------------------------
// Commands: name -> arity, as Redis counts it (the name included; negative: at least that many).

const ARITY = new Map<string, i32>();
ARITY.set("ping", -1); ARITY.set("echo", 2); ARITY.set("quit", -1);
ARITY.set("set", -3); ARITY.set("get", 2); ARITY.set("del", -2); ARITY.set("exists", -2);
ARITY.set("incr", 2); ARITY.set("decr", 2); ARITY.set("incrby", 3); ARITY.set("decrby", 3);
ARITY.set("dbsize", 1); ARITY.set("flushall", -1); ARITY.set("flushdb", -1);
ARITY.set("select", 2); ARITY.set("info", -1); ARITY.set("config", -2); ARITY.set("command", -1);
ARITY.set("client", -2); ARITY.set("hello", -1);

/** ASCII-lowercased name of a command or option, for matching (not binary-safe: only for lookups). */
function lowerName(b: Uint8Array): string {
  if (b.length > 32) return ""; // no command is that long: unknown
  const t = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) unchecked(t[i] = lowerAscii(unchecked(b[i])));
  return String.UTF8.decode(t.buffer);
}

const CR: u8 = 13;
const LF: u8 = 10;
const intBox = new StaticArray<i64>(1);

const flags = new Flags("kv")
  .define("max-client-bytes", MAX_BULK + 1024 * 1024, "BYTES")
  .define("max-input-bytes", 256 * 1024 * 1024, "BYTES")
  .define("idle-timeout", 300_000, "MS")
  .parse();
const IDLE_TIMEOUT_MS = flags.get("idle-timeout");
const budget = new InputBudget(flags.get("max-input-bytes"));

/** One per connection: the parser of a command that may arrive in many pieces, and its replies. */
class RespSession extends StreamHandler implements Deadline {
  private parser: RespParser = new RespParser(budget, flags.get("max-client-bytes"));
  private output: ByteBuffer = new ByteBuffer(4096);
  private paused: bool = false;
  private done: bool = false;
  private name: Uint8Array | null = null;
  /** A large value being queued piece by piece, and how much of it is queued. */
  private sending: Uint8Array | null = null;
  private sendOffset: i32 = 0;
  /** Monotonic ms of the last byte received or the last drain of the output. */
  private lastActivity: i64 = monotonicMs();
  private timer: DeadlineTimer;

  constructor(private conn: Connection, private store: Store, private id: i64) {
    super();
    this.timer = new DeadlineTimer(conn.loop, IDLE_TIMEOUT_MS);
  }

  /** Starts the idle timeout (once the session exists, as the timer calls back into it). */
  start(): RespSession { this.timer.start(this); return this; }

  deadline(): i64 { return IDLE_TIMEOUT_MS > 0 ? this.lastActivity + IDLE_TIMEOUT_MS : -1; }
  expire(): void { this.conn.close(); }

  onData(conn: Connection, data: usize, len: i32): void {
    if (this.done) return;
    this.lastActivity = monotonicMs();
    // The bytes are only valid during this call: the parser keeps what it needs.
    if (!this.parser.feed(data, len)) { this.fail(this.parser.error); return; }
    this.process();
  }

  onDrain(conn: Connection): void {
    this.lastActivity = monotonicMs();
    if (!this.paused) return;
    this.paused = false;
    conn.resumeReading();
    this.process(); // commands that came before the pause are waiting in the input
  }

  onClose(conn: Connection, errno: u16): void {
    this.timer.stop();
    this.parser.release();
    this.sending = null;
  }

  /** Over a limit or malformed: the error reply, then close (what is pending still goes out first). */
  private fail(why: string): void {
    this.error(why);
    this.done = true;
    this.flush();
    this.conn.end();
  }

  private process(): void {
    const conn = this.conn;
    const parser = this.parser;
    while (!this.paused && !this.done && !conn.isClosed) {
      if (this.sending != null && !this.pump()) break;
      const step = parser.next();
      if (step == Step.STOP) { this.error(parser.error); this.done = true; break; }
      if (step == Step.NEED_MORE) break;
      if (step == Step.READY) this.execute(parser.args);
      if (this.output.length >= FLUSH_AT) this.flush();
    }
    this.flush();
    if (this.done && this.sending == null) conn.end(); // after QUIT or a protocol error: send the reply, then close
  }

  /** Queues the next pieces of a large value while the connection takes them; true once it is all queued. */
  private pump(): bool {
    const value = this.sending!;
    while (this.sendOffset < value.length) {
      const n = min(REPLY_PIECE, value.length - this.sendOffset);
      const ok = this.conn.write(value.dataStart + <usize>this.sendOffset, n);
      this.sendOffset += n;
      if (!ok) { this.backpressure(false); if (this.sendOffset < value.length) return false; }
    }
    this.sending = null;
    this.output.appendString("\r\n");
    return !this.paused;
  }

  private flush(): void {
    if (this.output.isEmpty) return;
    const ok = this.conn.write(this.output.ptr, this.output.length);
    this.output.clear();
    this.backpressure(ok);
  }

  /** write() said false: the queue is past its high watermark, so stop reading until onDrain. */
  private backpressure(ok: bool): void {
    if (!ok && !this.paused) { this.paused = true; this.conn.pauseReading(); }
  }

  // ---- replies (RESP2) ----------------------------------------------------------------------

  private simple(s: string): void { this.output.appendString("+" + s + "\r\n"); }
  private error(s: string): void { this.output.appendString("-" + s + "\r\n"); }
  private integer(n: i64): void { this.output.appendString(":" + n.toString() + "\r\n"); }
  private nil(): void { this.output.appendString("$-1\r\n"); }
  private arrayOf(n: i32): void { this.output.appendString("*" + n.toString() + "\r\n"); }
  private bulk(b: Uint8Array): void {
    this.output.appendString("$" + b.length.toString() + "\r\n");
    if (b.length >= FLUSH_AT && this.sending == null) {
      // A large value skips the batch and goes out in pieces as the client reads (process() pumps
      // it, then adds the CRLF). Values are never changed in place, so it is not copied first.
      this.flush();
      this.sending = b;
      this.sendOffset = 0;
      return;
    }
    this.output.appendBytes(b);
    this.output.appendString("\r\n");
  }
  private bulkString(s: string): void { this.bulk(Uint8Array.wrap(String.UTF8.encode(s))); }

  /** Client bytes inside an error line: no CR/LF (they would end the reply), at most 128 bytes. */
  private errorWithName(prefix: string, b: Uint8Array, suffix: string): void {
    this.output.appendString("-" + prefix);
    for (let i = 0; i < min(b.length, 128); i++) {
      const c = unchecked(b[i]);
      this.output.appendByte(c == CR || c == LF ? 32 : c);
    }
    this.output.appendString(suffix + "\r\n");
  }

  // ---- commands -----------------------------------------------------------------------------

  private execute(args: Array<Uint8Array>): void {
    const cmd = lowerName(args[0]);
    const argc = args.length;
    if (!ARITY.has(cmd)) { this.errorWithName("ERR unknown command '", args[0], "'"); return; }
    const arity = ARITY.get(cmd);
    if ((arity > 0 && argc != arity) || (arity < 0 && argc < -arity)) {
      this.error("ERR wrong number of arguments for '" + cmd + "' command");
      return;
    }
    const store = this.store;
    if (cmd == "ping") {
      if (argc > 2) this.error("ERR wrong number of arguments for 'ping' command");
      else if (argc == 2) this.bulk(args[1]);
      else this.simple("PONG");
    } else if (cmd == "echo") {
      this.bulk(args[1]);
    } else if (cmd == "set") {
      this.set(args);
    } else if (cmd == "get") {
      const e = store.get(keyOf(args[1]));
      if (e == null) this.nil(); else this.bulk(e.value);
    } else if (cmd == "del" || cmd == "exists") {
      // Like Redis, EXISTS counts a key once per mention.
      let n = 0;
      for (let i = 1; i < argc; i++) {
        const key = keyOf(args[i]);
        if (cmd == "del" ? store.delete(key) : store.get(key) != null) n++;
      }
      this.integer(n);
    } else if (cmd == "incr" || cmd == "decr") {
      this.incrBy(args[1], cmd == "incr" ? 1 : -1);
    } else if (cmd == "incrby" || cmd == "decrby") {
      const b = args[2];
      if (!parseStrictI64(b.dataStart, b.length, intBox)) { this.error("ERR value is not an integer or out of range"); return; }
      const d = intBox[0];
      if (cmd == "decrby" && d == i64.MIN_VALUE) { this.error("ERR decrement would overflow"); return; }
      this.incrBy(args[1], cmd == "incrby" ? d : -d);
    } else if (cmd == "quit") {
      this.simple("OK");
      this.done = true;
    } else if (cmd == "dbsize") {
      this.integer(store.size());
    } else if (cmd == "flushall" || cmd == "flushdb") {
      store.clear();
      this.simple("OK");
    } else if (cmd == "select") {
      const b = args[1];
      if (!parseStrictI64(b.dataStart, b.length, intBox)) this.error("ERR value is not an integer or out of range");
      else if (intBox[0] != 0) this.error("ERR DB index is out of range");
      else this.simple("OK");
    } else if (cmd == "info") {
      const n = store.size();
      this.bulkString("# Server\r\nredis_version:7.0.0\r\nredis_mode:standalone\r\nserver_name:wasmux-kv\r\n" +
        "\r\n# Persistence\r\nloading:0\r\naof_enabled:0\r\n\r\n# Replication\r\nrole:master\r\nconnected_slaves:0\r\n" +
        "\r\n# Keyspace\r\n" + (n > 0 ? "db0:keys=" + n.toString() + ",expires=" + store.withTtl.toString() + ",avg_ttl=0\r\n" : ""));
    } else if (cmd == "config") {
      this.config(args);
    } else if (cmd == "command") {
      // Clients use COMMAND / COMMAND DOCS only for hints; "no information" is a valid answer.
      if (argc > 1 && lowerName(args[1]) == "count") this.integer(0); else this.arrayOf(0);
    } else if (cmd == "client") {
      this.client(args);
    } else if (cmd == "hello") {
      this.hello(args);
    }
  }

  /** SET key value [NX|XX] [EX seconds|PX milliseconds|KEEPTTL] */
  private set(args: Array<Uint8Array>): void {
    let nx = false, xx = false, keepTtl = false, ttlMs: i64 = 0, hasTtl = false;
    for (let i = 3; i < args.length; i++) {
      const opt = lowerName(args[i]);
      if (opt == "nx" && !xx) nx = true;
      else if (opt == "xx" && !nx) xx = true;
      else if (opt == "keepttl" && !hasTtl) keepTtl = true;
      else if ((opt == "ex" || opt == "px") && !hasTtl && !keepTtl && i + 1 < args.length) {
        const b = args[++i];
        if (!parseStrictI64(b.dataStart, b.length, intBox)) { this.error("ERR value is not an integer or out of range"); return; }
        const v = intBox[0];
        // The deadline must be representable: reject what would overflow, as Redis does.
        if (v <= 0 || (opt == "ex" && v > i64.MAX_VALUE / 1000)) { this.error("ERR invalid expire time in 'set' command"); return; }
        ttlMs = opt == "ex" ? v * 1000 : v;
        hasTtl = true;
      } else { this.error("ERR syntax error"); return; }
    }
    const key = keyOf(args[1]);
    const old = this.store.get(key);
    if ((nx && old != null) || (xx && old == null)) { this.nil(); return; }
    let expiresAt: i64 = 0;
    if (hasTtl) {
      const now = monotonicMs();
      if (ttlMs > i64.MAX_VALUE - now) { this.error("ERR invalid expire time in 'set' command"); return; }
      expiresAt = now + ttlMs;
    } else if (keepTtl && old != null) {
      expiresAt = old.expiresAt;
    }
    this.store.set(key, new Entry(args[2], expiresAt)); // args[2] is our own copy: keep it as is
    this.simple("OK");
  }

  /** INCR and friends: the value must be a decimal i64 written the canonical way. */
  private incrBy(keyBytes: Uint8Array, delta: i64): void {
    const key = keyOf(keyBytes);
    const e = this.store.get(key);
    let cur: i64 = 0;
    if (e != null) {
      if (!parseStrictI64(e.value.dataStart, e.value.length, intBox)) { this.error("ERR value is not an integer or out of range"); return; }
      cur = intBox[0];
    }
    if ((delta > 0 && cur > i64.MAX_VALUE - delta) || (delta < 0 && cur < i64.MIN_VALUE - delta)) {
      this.error("ERR increment or decrement would overflow");
      return;
    }
    const next = cur + delta;
    const bytes = Uint8Array.wrap(String.UTF8.encode(next.toString()));
    if (e != null) e.value = bytes; // keeps the TTL, as Redis does
    else this.store.set(key, new Entry(bytes));
    this.integer(next);
  }

  /** CONFIG GET answers what redis-benchmark asks (save, appendonly); other parameters are unknown. */
  private config(args: Array<Uint8Array>): void {
    const sub = lowerName(args[1]);
    if (sub == "get") {
      if (args.length < 3) { this.error("ERR wrong number of arguments for 'config|get' command"); return; }
      const pairs = new Array<string>();
      for (let i = 2; i < args.length; i++) {
        const p = lowerName(args[i]);
        if (p == "save" || p == "*") { pairs.push("save"); pairs.push(""); }
        if (p == "appendonly" || p == "*") { pairs.push("appendonly"); pairs.push("no"); }
      }
      this.arrayOf(pairs.length);
      for (let i = 0; i < pairs.length; i++) this.bulkString(pairs[i]);
    } else if (sub == "set" || sub == "resetstat" || sub == "rewrite") {
      this.simple("OK"); // nothing to configure: accept and ignore
    } else {
      this.errorWithName("ERR unknown subcommand '", args[1], "'. Try CONFIG HELP.");
    }
  }

  private client(args: Array<Uint8Array>): void {
    const sub = lowerName(args[1]);
    if (sub == "setname" && args.length == 3) { this.name = args[2]; this.simple("OK"); }
    else if (sub == "getname" && args.length == 2) { const n = this.name; if (n == null) this.nil(); else this.bulk(n); }
    else if (sub == "setinfo" && args.length == 4) this.simple("OK");
    else if (sub == "id" && args.length == 2) this.integer(this.id);
    else this.errorWithName("ERR unknown subcommand or wrong number of arguments for '", args[1], "'");
  }

  /** HELLO [protover ...]: only RESP2 is spoken; the reply is HELLO's map, flattened for RESP2. */
  private hello(args: Array<Uint8Array>): void {
    if (args.length > 1) {
      const b = args[1];
      if (!parseStrictI64(b.dataStart, b.length, intBox)) { this.error("ERR Protocol version is not an integer or out of range"); return; }
      if (intBox[0] != 2) { this.error("NOPROTO unsupported protocol version"); return; }
    }
    this.arrayOf(14);
    this.bulkString("server"); this.bulkString("redis");
    this.bulkString("version"); this.bulkString("7.0.0");
    this.bulkString("proto"); this.integer(2);
    this.bulkString("id"); this.integer(this.id);
    this.bulkString("mode"); this.bulkString("standalone");
    this.bulkString("role"); this.bulkString("master");
    this.bulkString("modules"); this.arrayOf(0);
  }
}

class KvServer extends ServerHandler {
  private nextId: i64 = 1;
  constructor(private store: Store) { super(); }
  // Each connection has its own parser, all share one store.
  onConnect(conn: Connection): StreamHandler | null { return new RespSession(conn, this.store, this.nextId++).start(); }
}

const listeners = listenersOrExit("kv");
const loop = new EventLoop();
const server = new KvServer(new Store(loop));
for (let i = 0; i < listeners.length; i++) loop.listen(listeners[i], server);
logLine("kv: serving on " + listeners.length.toString() + " listener(s), first fd " + listeners[0].fd.toString());
loop.run();

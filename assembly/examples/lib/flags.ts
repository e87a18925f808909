// Command-line flags of the example servers: `--name VALUE` or `--name=VALUE`, integers only, given
// after `--` on the wasmux command line (`wasmux run ... build/http.wasm -- --idle-timeout 5000`).
// A mistake is one line naming the server and the flag, then exit 2: a server never starts with a
// setting it did not understand.
import { logLine } from "../../index";

/** One integer flag: its name (without the dashes), its value, and what the help line says. */
class Flag {
  value: i64;
  constructor(public name: string, public defaultValue: i64, public help: string) { this.value = defaultValue; }
}

/** The flags one server accepts, with their defaults; parse() fills them from process.argv. */
export class Flags {
  private list: Array<Flag> = [];

  constructor(private server: string) {}

  /** Declares `--name` with its default value and a few words for the usage line. */
  define(name: string, defaultValue: i64, help: string): Flags {
    this.list.push(new Flag(name, defaultValue, help));
    return this;
  }

  /** The value of `--name` (its default when not given). */
  get(name: string): i64 {
    for (let i = 0; i < this.list.length; i++) if (this.list[i].name == name) return this.list[i].value;
    return 0;
  }

  /** Reads process.argv (after the module name); on any mistake logs one line and exits 2. */
  parse(): Flags {
    const args = process.argv;
    for (let i = 1; i < args.length; i++) {
      const a = args[i];
      if (!a.startsWith("--")) this.fail("unexpected argument '" + a + "'");
      const eq = a.indexOf("=");
      const name = a.substring(2, eq < 0 ? a.length : eq);
      const flag = this.find(name);
      if (flag == null) this.fail("unknown flag '--" + name + "'");
      let text: string;
      if (eq >= 0) text = a.substring(eq + 1);
      else if (i + 1 < args.length) text = args[++i];
      else { this.fail("flag --" + name + " needs a value"); text = ""; }
      const value = parseCount(text);
      if (value < 0) this.fail("flag --" + name + " needs a whole number >= 0, got '" + text + "'");
      flag!.value = value;
    }
    return this;
  }

  private find(name: string): Flag | null {
    for (let i = 0; i < this.list.length; i++) if (this.list[i].name == name) return this.list[i];
    return null;
  }

  private fail(why: string): void {
    let usage = "";
    for (let i = 0; i < this.list.length; i++) {
      const f = this.list[i];
      usage += " [--" + f.name + " " + f.help + " (default " + f.defaultValue.toString() + ")]";
    }
    logLine(this.server + ": " + why + "; flags:" + usage);
    process.exit(2);
  }
}

/** A decimal whole number of at most 15 digits, or -1. */
function parseCount(s: string): i64 {
  if (s.length == 0 || s.length > 15) return -1;
  let v: i64 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + <i64>(c - 48);
  }
  return v;
}

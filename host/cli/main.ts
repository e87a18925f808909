#!/usr/bin/env -S node --min-semi-space-size=16 --max-semi-space-size=16
// The `wasmux` command. Every failure is one `wasmux: ...` line on stderr: exit 2 for usage errors, 1 when the
// module cannot be run; otherwise the guest's exit code (130/143 after SIGINT/SIGTERM, which stop it cleanly).
// The shebang's node flags are NODE_HOST_V8_FLAGS (node-flags.ts says why).
import { readFileSync } from 'node:fs';
import { formatAddress } from '../address.js';
import { WasmuxError } from '../errors.js';
import type { StartOptions } from '../options.js';
import { start } from '../start.js';
import { validateOptions } from '../validate-options.js';
import { runBenchFromCheckout, runSoakFromCheckout } from './checkout-tools.js';
import { MAIN_HELP, parseArgs, RUN_HELP, UsageError, type Parsed } from './args.js';

function fail(message: string, code: number): never {
  process.stderr.write(`wasmux: ${message}\n`);
  process.exit(code);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<void> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) fail(e.message, 2);
    throw e;
  }
  if (parsed.command === 'help') {
    process.stdout.write(parsed.topic === 'run' ? RUN_HELP : MAIN_HELP);
    return;
  }
  if (parsed.command === 'bench' || parsed.command === 'soak') {
    try {
      process.exitCode = await (parsed.command === 'bench' ? runBenchFromCheckout : runSoakFromCheckout)(parsed.argv);
    } catch (e) {
      if (e instanceof WasmuxError) fail(e.message, 1);
      throw e;
    }
    return;
  }
  if (parsed.command === 'version') {
    process.stdout.write(`wasmux ${version()}\n`);
    return;
  }
  const options: StartOptions = {
    module: parsed.module, listen: parsed.listen, env: parsed.env, dirs: parsed.dirs, args: parsed.args,
    wait: parsed.wait, host: parsed.host, allowConnect: parsed.allowConnect, maxModuleSize: parsed.maxModuleSize,
  };
  try {
    validateOptions(options, 'cli'); // the same checks as start(), worded with the flags' names
  } catch (e) {
    if (e instanceof WasmuxError) fail(e.message, 2);
    throw e;
  }

  // Signal handlers go in before anything starts: a supervisor may signal as soon as it reads the
  // listening line, and a signal that found no handler would kill this process and orphan a wasmtime child.
  // Before the guest runs, a signal ends the CLI at once (start-up may be waiting on a file or a bind; a
  // wasmtime child dies with us through its parent-death signal); afterwards it stops the guest cleanly, and a
  // second signal finds no handler and kills the process.
  let running: Awaited<ReturnType<typeof start>> | undefined;
  const onSignal = (code: number) => () => {
    if (running) void running.stop(code);
    else process.exit(code);
  };
  process.once('SIGINT', onSignal(130));
  process.once('SIGTERM', onSignal(143));
  try {
    running = await start(options);
  } catch (e) {
    if (e instanceof WasmuxError) fail(e.message, e.usage ? 2 : 1);
    throw e;
  }
  for (const a of running.addresses) {
    process.stderr.write(`listening on ${formatAddress(a.host, a.port)} (fd ${a.fd})\n`);
  }
  // A guest waiting on nothing that can ever happen would let Node exit silently with code 0; say so instead.
  let done = false;
  process.on('beforeExit', () => {
    if (!done) fail('the guest is waiting for an event that can never happen (no open sockets, no timers)', 1);
  });
  const code = await running.exited;
  done = true;
  process.exitCode = code;
  // Let stdout/stderr flush, then exit even if the embedder-side handles linger (closing sockets).
  setImmediate(() => process.exit(code));
}

main(process.argv.slice(2)).catch((e: unknown) => {
  fail(`internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, 1);
});

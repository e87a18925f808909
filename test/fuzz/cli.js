#!/usr/bin/env node
// `npm run fuzz`: the command line of the fuzzer. Bad flags are one `fuzz: ...` line and exit 2; a run with a
// failure prints each failure with the command that replays it and exits 1.
import { writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { runCampaign } from './run.js';
import { failureLines, markdownReport, summaryLine } from './report.js';

export const HELP = `Usage: npm run fuzz -- [options]

Generates guests that call every import the host offers (wasi_snapshot_preview1 and, on the Node host,
wasix_32v1) with random and boundary arguments while loopback peers connect, send, stall, half-close and
reset, and checks the host process: no crash, no hang (every call answered within --call-timeout), no
exception thrown by the host, fds 0-2 and every other host fd unchanged, its stdout/stderr files and files
outside the guest's --dir never changed, no CPU spin while the guest waits in a long poll, every call answered
with an errno (or it ended the guest: proc_exit, a trap). Under wasmtime a guest trap is fine, a wasmtime crash
is not; WASIX does not exist there (preview1 only) and fd 1 carries the per-call reports (never an argument).

Options:
  --calls N           Calls in total, spread over the seeds (default 20000)
  --seed S            First seed (default: random; always printed)
  --seeds K           Number of seeds S, S+1, ... (default 1)
  --batch-calls N     Calls per guest (one host process each; default 20000)
  --batch B           Run only batch B of each seed (to replay a failure)
  --host node|wasmtime  Host under test (default node)
  --call-timeout MS   A call unanswered this long is a hang (default 10000)
  --max-failures N    Stop after N failures (default 10)
  --report FILE       Write the Markdown report (totals, per-import errno counts) to FILE
  -h, --help          Show this help

Exit status: 0 when no invariant failed, 1 when one did, 2 for usage errors.
`;

class Usage extends Error {}

const NUMERIC = { '--calls': 'calls', '--seed': 'seed', '--seeds': 'seeds', '--batch-calls': 'batchCalls', '--batch': 'batch', '--call-timeout': 'callTimeoutMs', '--max-failures': 'maxFailures' };

/** Parses argv into options; throws Usage on bad input. */
export function parseFuzzArgs(argv) {
  const o = { calls: 20000, seeds: 1, batchCalls: 20000, host: 'node', callTimeoutMs: 10000, maxFailures: 10 };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) [a, v] = [a.slice(0, eq), a.slice(eq + 1)];
    if (a === '-h' || a === '--help') return { help: true };
    const takeValue = () => {
      if (v !== undefined) return v;
      if (i + 1 >= argv.length) throw new Usage(`option ${a} needs a value`);
      return argv[++i];
    };
    if (a in NUMERIC) {
      const text = takeValue();
      const n = Number(text);
      const min = a === '--seed' || a === '--batch' ? 0 : 1;
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || (a === '--seed' && n > 0xffffffff)) {
        throw new Usage(`${a} needs a whole number${min ? ' of at least 1' : ''}${a === '--seed' ? ' below 2^32' : ''}, not '${text}'`);
      }
      o[NUMERIC[a]] = n;
    } else if (a === '--host') {
      const h = takeValue();
      if (h !== 'node' && h !== 'wasmtime') throw new Usage(`unknown --host '${h}' (expected node or wasmtime)`);
      o.host = h;
    } else if (a === '--report') o.report = takeValue();
    else throw new Usage(`unknown option '${a}' (try 'npm run fuzz -- --help')`);
  }
  if (o.seeds > o.calls) throw new Usage(`--seeds ${o.seeds} is more than --calls ${o.calls}`);
  o.seed ??= randomInt(0, 0x7fffffff);
  return o;
}

async function main(argv) {
  let o;
  try {
    o = parseFuzzArgs(argv);
  } catch (e) {
    if (!(e instanceof Usage)) throw e;
    process.stderr.write(`fuzz: ${e.message}\n`);
    process.exit(2);
  }
  if (o.help) {
    process.stdout.write(HELP);
    return;
  }
  const command = `npm run fuzz -- ${argv.join(' ')}`.trim();
  console.log(`fuzz: seed ${o.seed}${o.seeds > 1 ? ` (seeds ${o.seed}..${o.seed + o.seeds - 1})` : ''}, ${o.calls} calls, host ${o.host}`);
  const total = await runCampaign({
    ...o,
    onBatch: (r) => console.log(`  seed ${r.seed} batch ${r.batch}: ${r.executed} calls in ${(r.ms / 1000).toFixed(1)} s` +
      `${r.trap ? ` (ended by a trap: ${r.trap})` : ''}${r.failures.length ? `, ${r.failures.length} failure(s)` : ''}` +
      ` [total ${r.total.calls}]`),
  });
  for (const line of failureLines(total.failures, o.host)) console.log(line);
  console.log(summaryLine(total, o.host));
  if (o.report) writeFileSync(o.report, markdownReport(total, o.host, command));
  process.exit(total.failures.length > 0 ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));

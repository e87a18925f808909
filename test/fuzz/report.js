// Turns a campaign's totals into text: the one-line summary, failure lines with the command that replays them,
// and the Markdown report (totals, per-import calls and errno distribution) that docs/fuzz.md quotes.

/** WASI preview1 errno names by number (the alphabetical enum of the specification). */
const ERRNO = ('SUCCESS 2BIG ACCES ADDRINUSE ADDRNOTAVAIL AFNOSUPPORT AGAIN ALREADY BADF BADMSG BUSY CANCELED CHILD ' +
  'CONNABORTED CONNREFUSED CONNRESET DEADLK DESTADDRREQ DOM DQUOT EXIST FAULT FBIG HOSTUNREACH IDRM ILSEQ INPROGRESS ' +
  'INTR INVAL IO ISCONN ISDIR LOOP MFILE MLINK MSGSIZE MULTIHOP NAMETOOLONG NETDOWN NETRESET NETUNREACH NFILE NOBUFS ' +
  'NODEV NOENT NOEXEC NOLCK NOLINK NOMEM NOMSG NOPROTOOPT NOSPC NOSYS NOTCONN NOTDIR NOTEMPTY NOTRECOVERABLE NOTSOCK ' +
  'NOTSUP NOTTY NXIO OVERFLOW OWNERDEAD PERM PIPE PROTO PROTONOSUPPORT PROTOTYPE RANGE ROFS SPIPE SRCH STALE TIMEDOUT ' +
  'TXTBSY XDEV NOTCAPABLE').split(' ');

/** An errno key of the counts ('0'..'76', 'exit', 'trap') as a name. */
export function errnoName(key) {
  return /^\d+$/.test(key) ? ERRNO[Number(key)] ?? `errno ${key}` : key;
}

/** The command that replays the batch of a failure. */
export function replayCommand(f, host) {
  return `npm run fuzz -- --seed ${f.seed} --batch ${f.batch} --batch-calls ${f.batchCalls} --calls ${f.batchCalls} --host ${host}`;
}

/** One line per failure, naming seed, batch and call. */
export function failureLines(failures, host) {
  return failures.map((f) => {
    const where = `seed ${f.seed} batch ${f.batch}`;
    const tail = f.stderr ? `\n    host stderr ends: ${f.stderr.split('\n').join('\n      ')}` : '';
    return `FAIL ${where}: ${f.what}\n    replay: ${replayCommand(f, host)}${tail}`;
  });
}

/** Calls per second, for the summary. */
function rate(t) {
  return Math.round(t.calls / Math.max(t.ms / 1000, 0.001));
}

/** The one-line summary of a campaign. */
export function summaryLine(t, host) {
  return `fuzz: ${t.calls} calls on the ${host} host, ${t.seeds.length} seed(s) (${t.seeds[0]}..${t.seeds[t.seeds.length - 1]}), ` +
    `${t.batches} batches, ${(t.ms / 1000).toFixed(1)} s (${rate(t)} calls/s), ${t.probes} long-poll CPU probes ` +
    `(worst ${(t.worstProbe * 100).toFixed(1)}%), ${t.failures.length} failure(s)`;
}

/** The Markdown report: totals, then each import's calls and errnos (most frequent first). */
export function markdownReport(t, host, command) {
  const rows = Object.entries(t.counts).sort(([a], [b]) => a.localeCompare(b)).map(([name, byErrno]) => {
    const n = Object.values(byErrno).reduce((a, b) => a + b, 0);
    const errnos = Object.entries(byErrno).sort((a, b) => b[1] - a[1]).map(([e, k]) => `${errnoName(e)} ${k}`).join(', ');
    return `| ${name} | ${n} | ${errnos} |`;
  });
  return [
    `- Command: \`${command}\``,
    `- Host: ${host}; seeds ${t.seeds.join(', ')}; ${t.batches} batches (one host process each)`,
    `- Calls: ${t.calls} in ${(t.ms / 1000).toFixed(1)} s (${rate(t)} calls/s)`,
    `- Long-poll CPU probes: ${t.probes}, worst ${(t.worstProbe * 100).toFixed(1)}% CPU`,
    `- Failures: ${t.failures.length}`,
    '',
    '| import | calls | answers (errno count; exit/trap = the call ended the guest) |',
    '|---|---:|---|',
    ...rows,
    '',
  ].join('\n');
}

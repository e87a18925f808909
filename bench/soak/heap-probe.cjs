// A look inside the Node host's memory during a soak, for finding out what its RSS is made of. Preload it into
// the servers with NODE_OPTIONS="--require ./bench/soak/heap-probe.cjs" and name a file prefix in
// WASMUX_HEAP_LOG: every `wasmux run` on the Node host then appends one JSON line every WASMUX_HEAP_LOG_MS
// (10 s) to PREFIX.PID.jsonl: RSS, V8's heap spaces, external and ArrayBuffer memory, the guest's linear memory,
// and the RSS of the process's mappings by kind (malloc's [heap], anonymous, the node binary, other files).
// Every other process (the soak itself, the wasmtime runner) ignores it. Not part of the host: a debugging aid.
'use strict';
const fs = require('node:fs');
const v8 = require('node:v8');

const prefix = process.env.WASMUX_HEAP_LOG;
const argv = process.argv;
const isNodeHostServer = argv.some((a) => a.endsWith('main.js')) && argv.includes('run') && !argv.includes('wasmtime');

/** RSS (KiB) of the process's mappings, grouped: [heap], [stack], anon, node (the binary), file. */
function mappings() {
  const kinds = {};
  let kind = null;
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[1];
      kind = !name ? 'anon' : name.startsWith('/') ? (/\/node$/.test(name) ? 'node' : 'file') : name;
      kinds[kind] ??= 0;
      continue;
    }
    const rss = /^Rss:\s+(\d+)/.exec(line);
    if (rss && kind) kinds[kind] += Number(rss[1]);
  }
  return kinds;
}

if (prefix && isNodeHostServer) {
  let guest = null;
  const instantiate = WebAssembly.instantiate;
  // The host instantiates the guest once; keep its memory to report its size.
  WebAssembly.instantiate = async function (...args) {
    const r = await instantiate.apply(this, args);
    const exports = (r.instance ?? r).exports;
    if (exports?.memory instanceof WebAssembly.Memory) guest = exports.memory;
    return r;
  };
  const file = `${prefix}.${process.pid}.jsonl`;
  const t0 = Date.now();
  // WASMUX_HEAP_LOG_GC=1: a full collection before each sample, so heap_used is what is still alive (slower).
  let gc = null;
  if (process.env.WASMUX_HEAP_LOG_GC === '1') {
    v8.setFlagsFromString('--expose-gc');
    gc = require('node:vm').runInNewContext('gc');
  }
  const sample = () => {
    gc?.();
    const m = process.memoryUsage();
    const spaces = {};
    for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name.replace(/_space$/, '')] = Math.round(s.space_size / 1024);
    fs.appendFileSync(file, `${JSON.stringify({
      t_s: Math.round((Date.now() - t0) / 100) / 10, rss_kib: Math.round(m.rss / 1024),
      heap_total_kib: Math.round(m.heapTotal / 1024), heap_used_kib: Math.round(m.heapUsed / 1024),
      external_kib: Math.round(m.external / 1024), array_buffers_kib: Math.round(m.arrayBuffers / 1024),
      guest_kib: guest ? guest.buffer.byteLength / 1024 : null, spaces_kib: spaces, mappings_kib: mappings(),
    })}\n`);
  };
  setInterval(sample, Number(process.env.WASMUX_HEAP_LOG_MS) || 10000).unref();
  sample();
}

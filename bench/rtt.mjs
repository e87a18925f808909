// Echo round-trip latency, 64-byte messages, one client: a plain Node `net` echo server against wasmux running
// an echo module with each available wait strategy. Usage: node bench/rtt.mjs [module.wasm] [rounds]
// Prints one line per server: mean and median round trip in microseconds.
import net from 'node:net';
import { start, jspiAvailable } from '../dist/host/index.js';

const modulePath = process.argv[2] ?? 'build/echo.wasm';
const rounds = Number(process.argv[3] ?? 20000);
const msg = Buffer.alloc(64, 0x61);

async function measure(port) {
  const s = net.connect({ port, host: '127.0.0.1' });
  s.setNoDelay(true);
  await new Promise((r) => s.once('connect', r));
  const times = [];
  let pending = 0;
  let resolveRound;
  s.on('data', (d) => { pending -= d.length; if (pending <= 0) resolveRound(); });
  for (let i = 0; i < rounds + 1000; i++) {
    const t0 = process.hrtime.bigint();
    pending = msg.length;
    await new Promise((r) => { resolveRound = r; s.write(msg); });
    if (i >= 1000) times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  s.destroy();
  times.sort((a, b) => a - b);
  return { mean: times.reduce((a, b) => a + b, 0) / times.length, median: times[times.length >> 1] };
}

const fmt = (r) => `mean ${r.mean.toFixed(1)} µs, median ${r.median.toFixed(1)} µs`;
const plain = net.createServer((c) => { c.setNoDelay(true); c.pipe(c); });
await new Promise((r) => plain.listen(0, '127.0.0.1', r));
console.log(`node ${process.version}, ${rounds} round trips of 64 B`);
console.log(`plain node net echo: ${fmt(await measure(plain.address().port))}`);
plain.close();
for (const wait of jspiAvailable() ? ['jspi', 'asyncify'] : ['asyncify']) {
  const g = await start({ module: modulePath, listen: ['127.0.0.1:0'], wait, stdout: new (await import('node:stream')).PassThrough() });
  console.log(`wasmux ${wait} (${modulePath}): ${fmt(await measure(g.addresses[0].port))}`);
  await g.stop();
}

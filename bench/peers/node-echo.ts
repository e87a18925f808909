// wasmux bench peer: Node's own `net` echo server (the vmbench one: pipe every chunk back).
// Usage: node dist/bench/peers/node-echo.js HOST PORT
import { createServer } from 'node:net';

const [host = '127.0.0.1', port = '0'] = process.argv.slice(2);
const server = createServer((sock) => {
  sock.setNoDelay(true);
  sock.on('data', (d) => { sock.write(d); });
  sock.on('error', () => sock.destroy());
});
server.listen(Number(port), host, 1024, () => process.stderr.write(`node-net: listening on ${host}:${port}\n`));

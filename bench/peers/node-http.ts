// wasmux bench peer: Node's `http` hello server (keep-alive), the same reply as build/http.wasm.
// Usage: node dist/bench/peers/node-http.js HOST PORT
import { createServer } from 'node:http';

const [host = '127.0.0.1', port = '0'] = process.argv.slice(2);
const body = Buffer.from('hello\n');
const server = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60000;
server.listen(Number(port), host, 1024, () => process.stderr.write(`node-http: listening on ${host}:${port}\n`));

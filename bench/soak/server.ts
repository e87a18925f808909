// Starts one example server the way a user would, `wasmux run [--host wasmtime] --listen 127.0.0.1:0
// build/NAME.wasm`, reads the port from its "listening on" line, and finds the process whose memory is the
// server's: the wasmux process on the Node host, its wasmtime child under wasmtime.
import { join } from 'node:path';
import { spawnChild, type Spawned } from '../driver/proc.js';
import { childEnv } from '../driver/servers.js';
import type { SoakHost, SoakServerName } from './options.js';
import { descendantNamed } from './rss.js';

/** How long a server may take to print its listening line (wasmtime compiles the module first). */
const START_TIMEOUT_MS = 60000;

export interface SoakServer {
  port: number;
  /** The process whose RSS is the server's. */
  rssPid: number;
  proc: Spawned;
  /** Stops it; resolves with its exit code. */
  stop(): Promise<number>;
}

/** Why a server could not be started (becomes a miss of that pair, not a crash). */
export class ServerStartError extends Error {}

/**
 * Starts build/NAME.wasm on `host` from the checkout at `root`, node running with `nodeFlags` (by default the
 * bin's, as the installed `wasmux` command runs); rejects with ServerStartError.
 */
export async function startSoakServer(root: string, host: SoakHost, name: SoakServerName, nodeFlags: readonly string[]): Promise<SoakServer> {
  const args = [...nodeFlags, join(root, 'dist', 'host', 'cli', 'main.js'), 'run', ...(host === 'wasmtime' ? ['--host', 'wasmtime'] : []),
    '--listen', '127.0.0.1:0', join(root, 'build', `${name}.wasm`)];
  const proc = spawnChild(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: childEnv() });
  const port = await new Promise<number | null>((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve(null), START_TIMEOUT_MS);
    proc.child.stderr?.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(text);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    void proc.exited.then(() => { clearTimeout(timer); resolve(null); });
  });
  if (port === null) {
    await proc.kill();
    const why = proc.stderrTail().split('\n').map((l) => l.trim()).filter(Boolean).slice(-2).join(' / ');
    throw new ServerStartError(`${host} ${name} did not start${why ? `: ${why}` : ''}`);
  }
  let rssPid = proc.pid;
  if (host === 'wasmtime') {
    const child = descendantNamed(proc.pid, 'wasmtime');
    if (child === null) { await proc.kill(); throw new ServerStartError(`${host} ${name}: no wasmtime process under wasmux (pid ${proc.pid})`); }
    rssPid = child;
  }
  return { port, rssPid, proc, stop: () => proc.kill() };
}

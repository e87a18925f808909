// wasmtime does not say when its listeners are bound, nor which port it got; these fill the gap.
import { readFile, readdir, readlink } from 'node:fs/promises';
import net from 'node:net';

/**
 * Binds and releases an ephemeral port on `host`, so that a port-0 listen can be given to wasmtime
 * as a real number (it cannot tell the guest or us which port it chose).
 */
export function reservePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host, port: 0, exclusive: true }, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Socket inodes held open by process `pid` (from /proc/PID/fd). */
async function socketInodes(pid: number): Promise<Set<string>> {
  const out = new Set<string>();
  let fds: string[] = [];
  try { fds = await readdir(`/proc/${pid}/fd`); } catch { return out; }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]);
    } catch { /* closed meanwhile */ }
  }
  return out;
}

/**
 * True when process `pid` itself holds a TCP socket in LISTEN state on `port` (Linux /proc).
 * Checking the owner matters: another process already listening there must read as a failure.
 */
export async function isListeningBy(pid: number, port: number): Promise<boolean> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = await socketInodes(pid);
  if (inodes.size === 0) return false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = await readFile(file, 'utf8'); } catch { continue; }
    // Columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode; st 0A is LISTEN.
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && cols[1].endsWith(`:${hex}`) && cols[3] === '0A' && inodes.has(cols[9])) return true;
    }
  }
  return false;
}

/** Whether the /proc check works here; without it the runner can only wait a fixed time. */
export async function canProbeListeners(): Promise<boolean> {
  try { await readFile('/proc/net/tcp', 'utf8'); return true; } catch { return false; }
}

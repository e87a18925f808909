// Other Node binaries for the Node-side echo servers (--node LIST): the Node host's wait strategy and Node's own
// `net` both change with the Node version, so the comparison is run on several Nodes side by side.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** One Node of --node: resolved to a binary, or the reason it could not be. */
export interface NodeBinary {
  /** What the user wrote (a version such as 26, or a path). */
  spec: string;
  /** Suffix of the server names: wasmux-node@LABEL, node-net@LABEL (the major, or the full version when two
   *  binaries share a major). */
  label: string;
  path: string | null;
  /** Full version (e.g. 26.12.1), and the wait strategy the host picks by default on it. */
  version: string | null;
  wait: 'jspi' | 'asyncify' | null;
  error: string | null;
}

function lastLine(e: unknown): string {
  const err = e as { stderr?: Buffer | string; message?: string };
  const text = (err.stderr ? err.stderr.toString() : '') || err.message || String(e);
  return text.trim().split('\n').pop()?.replace(/^wasmux: /, '') ?? 'failed';
}

/** Resolves one spec: a path to a node binary (it contains a '/'), or a version that scripts/ensure-node.sh pins. */
function resolveOne(root: string, spec: string): NodeBinary {
  const out: NodeBinary = { spec, label: spec, path: null, version: null, wait: null, error: null };
  try {
    const path = spec.includes('/') ? spec : execFileSync('bash', [join(root, 'scripts', 'ensure-node.sh'), spec],
      { encoding: 'utf8', timeout: 300000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    if (!existsSync(path)) throw new Error(`${path} does not exist`);
    const [version, suspending] = execFileSync(path, ['-p', "process.versions.node + ' ' + typeof WebAssembly.Suspending"],
      { encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'] }).trim().split(' ');
    Object.assign(out, { path, version, label: version.split('.')[0], wait: suspending === 'function' ? 'jspi' : 'asyncify' });
  } catch (e) {
    out.error = `--node ${spec}: ${lastLine(e)}`;
  }
  return out;
}

/** Resolves every --node spec (installing pinned versions on first use); a failure is kept as an error entry. */
export function resolveNodes(root: string, specs: string[]): NodeBinary[] {
  const nodes = specs.map((s) => resolveOne(root, s));
  for (const n of nodes) {
    if (n.version && nodes.some((m) => m !== n && m.label === n.label)) n.label = n.version;
  }
  nodes.forEach((n, i) => {
    if (nodes.some((m, j) => j < i && m.label === n.label)) n.label = `${n.label}-${i + 1}`;
  });
  return nodes;
}

/** The servers that run on Node and so are multiplied by --node. */
export const NODE_SERVERS = ['wasmux-node', 'wasmux-node-base', 'node-net'];

/** Splits a server name into its kind and its Node label: 'node-net@26' -> ['node-net', '26']. */
export function splitServer(name: string): [string, string | null] {
  const at = name.indexOf('@');
  return at < 0 ? [name, null] : [name.slice(0, at), name.slice(at + 1)];
}

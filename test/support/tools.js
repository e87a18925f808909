// The external commands some tests drive (clang, curl, wrk, redis-cli, ...). A test calls needTool() first: when
// the command is not on PATH, that test alone fails with one line naming the command and the Debian packages that
// provide it (from scripts/system-packages.txt), and every other test still runs.
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LIST = fileURLToPath(new URL('../../scripts/system-packages.txt', import.meta.url));

/** COMMAND -> the Debian packages that provide it, read from scripts/system-packages.txt. */
function readPackages() {
  const packages = new Map();
  for (const raw of readFileSync(LIST, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [command, rest] = line.split(':');
    packages.set(command.trim(), rest.trim().split(/\s+/));
  }
  return packages;
}

const PACKAGES = readPackages();

/** The path of `command` on PATH, or null. */
export function findTool(command) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** The command that installs what `command` needs, e.g. `apt-get install curl`. */
export function installLine(command) {
  const pkgs = PACKAGES.get(command);
  return pkgs ? `apt-get install ${pkgs.join(' ')}` : `install ${command} and put it on PATH`;
}

/** The one line a test fails with when `command` is missing. */
function missingToolLine(command) {
  return `${command} not found: ${installLine(command)}`;
}

/**
 * Throws, as one line without a stack, when a command is not on PATH; returns the path of the first command.
 * Call it at the top of a test body (never at load time nor in a before hook: only the test must fail).
 */
export function needTool(...commands) {
  const paths = commands.map((c) => findTool(c));
  const missing = commands.find((_, i) => !paths[i]);
  if (missing) throw lineError(missingToolLine(missing));
  return paths[0];
}

/** An Error that uvu reports as its message alone: it prints a stack only when the stack has several lines. */
export function lineError(message) {
  const e = new Error(message);
  e.stack = message;
  return e;
}

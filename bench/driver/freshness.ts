// Whether a guest build is older than the sources it was compiled from. A guest is its entry file plus the whole
// library under assembly/ (the selector, its poll policy, the backends, the component's WIT): a build checked
// against its entry file alone measures old library code after a library change, and `npm run build` does not
// rebuild the component builds at all, so a bench could time a guest from before the change without a word.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The newest of `dir`'s files, recursively: its modification time (ms) and path; mtime 0 when there is none. */
function newestUnder(dir: string): { ms: number; path: string } {
  let best = { ms: 0, path: '' };
  if (!existsSync(dir)) return best;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const c = e.isDirectory() ? newestUnder(p) : e.isFile() ? { ms: statSync(p).mtimeMs, path: p } : best;
    if (c.ms > best.ms) best = c;
  }
  return best;
}

/**
 * The source a build at `out` is older than (its path relative to `root`), or null when the build is newer than
 * every source: the entry files `entries` (paths under `root`) and every file under `root`/assembly. A missing
 * build is older than everything: the answer is then the newest source.
 */
export function newerSource(root: string, out: string, entries: string[]): string | null {
  let newest = newestUnder(join(root, 'assembly'));
  for (const e of entries) {
    const p = join(root, e);
    if (existsSync(p) && statSync(p).mtimeMs > newest.ms) newest = { ms: statSync(p).mtimeMs, path: p };
  }
  if (existsSync(out) && statSync(out).mtimeMs >= newest.ms) return null;
  return newest.path ? relative(root, newest.path) : null;
}

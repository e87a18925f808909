// The files around one batch: a directory the guest gets as its preopen (with symlinks that point out of it),
// a sibling directory with a file the guest must never change, and the host process's stdout and stderr files,
// each starting with a marker line the guest must never truncate or overwrite.
import { closeSync, mkdtempSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SECRET = 'the guest must never change this file\n';
/** Larger than all the bytes a batch's guest could write to its stdio. */
const MAX_SANE_SIZE = 4 * 1024 ** 3;

/** Creates the files; returns {root, sandbox, allow, outFd, errFd, check(), remove()}. */
export function makeSandbox(seed, batch) {
  const root = mkdtempSync(join(tmpdir(), 'wasmux-fuzz-'));
  const sandbox = join(root, 'sandbox');
  const outside = join(root, 'outside');
  mkdirSync(join(sandbox, 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(sandbox, 'file.txt'), 'hello\n');
  writeFileSync(join(sandbox, 'sub', 'inner.txt'), 'inner\n');
  writeFileSync(join(outside, 'secret.txt'), SECRET);
  symlinkSync('../outside/secret.txt', join(sandbox, 'link-out'));
  symlinkSync('../outside', join(sandbox, 'link-dir-out'));
  symlinkSync('file.txt', join(sandbox, 'link-in'));
  const marker = (name) => `fuzz ${name} of seed ${seed} batch ${batch}: nothing may truncate this line\n`;
  const open = (name) => {
    const fd = openSync(join(root, `${name}.txt`), 'w');
    writeFileSync(fd, marker(name));
    return fd;
  };
  const outFd = open('stdout');
  const errFd = open('stderr');
  const ino = (name) => statSync(join(root, `${name}.txt`)).ino;
  const inodes = { stdout: ino('stdout'), stderr: ino('stderr') };
  const secretIno = statSync(join(outside, 'secret.txt')).ino;

  /** Lines describing every change to the files the guest must not touch. */
  const check = () => {
    const problems = [];
    for (const name of ['stdout', 'stderr']) {
      const path = join(root, `${name}.txt`);
      let st;
      try {
        st = statSync(path);
      } catch {
        problems.push(`host ${name} file is gone`);
        continue;
      }
      if (st.ino !== inodes[name]) problems.push(`host ${name} file was replaced`);
      // The guest's own writes may grow the file; a size no write of its memory could make means a seek or resize.
      if (st.size > MAX_SANE_SIZE) problems.push(`host ${name} file was extended to ${st.size} bytes`);
      const head = Buffer.alloc(marker(name).length);
      const fd = openSync(path, 'r');
      readSync(fd, head, 0, head.length, 0);
      closeSync(fd);
      const text = head.toString('latin1');
      if (text !== marker(name)) problems.push(`host ${name} file was truncated or overwritten (now starts ${JSON.stringify(text.slice(0, 40).replace(/[^\x20-\x7e]/g, '.'))})`);
    }
    try {
      const st = statSync(join(outside, 'secret.txt'));
      if (st.ino !== secretIno || readFileSync(join(outside, 'secret.txt'), 'utf8') !== SECRET) problems.push('a file outside the preopen was changed');
    } catch {
      problems.push('a file outside the preopen was removed');
    }
    const extra = readdirSync(outside).filter((n) => n !== 'secret.txt');
    if (extra.length > 0) problems.push(`the guest created ${extra.join(', ')} outside the preopen`);
    const top = readdirSync(root).filter((n) => !['sandbox', 'outside', 'stdout.txt', 'stderr.txt'].includes(n));
    if (top.length > 0) problems.push(`the guest created ${top.join(', ')} next to the preopen`);
    return problems;
  };

  /** The end of the host's stderr as printable text (guest bytes shown as '.'), for failure reports. */
  const stderrTail = () => {
    try {
      const path = join(root, 'stderr.txt');
      const size = statSync(path).size;
      const tail = Buffer.alloc(Math.min(size, 4096));
      const fd = openSync(path, 'r');
      readSync(fd, tail, 0, tail.length, size - tail.length);
      closeSync(fd);
      const text = tail.toString('latin1').replace(/[^\n\x20-\x7e]+/g, '.');
      return text.split('\n').filter((l) => l !== '' && l !== '.').slice(-4).map((l) => l.slice(-300)).join('\n');
    } catch {
      return '';
    }
  };

  const remove = () => {
    closeSync(outFd);
    closeSync(errFd);
    rmSync(root, { recursive: true, force: true });
  };
  return { root, sandbox, outFd, errFd, check, stderrTail, remove };
}

import { fd_write } from "./imports";
import { iovecCell, outA } from "./scratch";
import { writeIovec } from "./layout";

/** Writes one line to stderr (fd 2), whole; used for the servers' start and drop lines. */
export function logLine(text: string): void {
  const bytes = String.UTF8.encode(text + "\n");
  let p = changetype<usize>(bytes);
  let left = <u32>bytes.byteLength;
  while (left > 0) {
    writeIovec(iovecCell(), p, left);
    if (fd_write(2, iovecCell(), 1, outA()) != 0) return;
    const n = load<u32>(outA());
    if (n == 0) return;
    p += n;
    left -= n;
  }
}

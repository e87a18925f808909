// Exports the churn the memory-bound test drives: short-lived selectors and repeated select() calls,
// each loop inside Wasm so that only the host calls cross into JS. Built like the core harness
// (no WASI shim, the incremental collector), so guest memory growth is what the core leaves behind.
import { Selector, select, EVENT_READ } from "../../assembly/index";

/** `lives` times: a new Selector, `fds` registrations starting at `firstFd`, one select(0), close(). Returns fds seen ready. */
export function selectorLives(lives: i32, firstFd: u32, fds: i32): i32 {
  let seen = 0;
  for (let i = 0; i < lives; i++) {
    const sel = new Selector<i32>();
    for (let k = 0; k < fds; k++) sel.register(firstFd + <u32>k, EVENT_READ, k);
    seen += sel.select(0).length;
    sel.close();
  }
  return seen;
}

const readers = new Array<u32>();

/** `calls` times select(readers, [], [], 0) over `fds` fds starting at `firstFd`. Returns fds seen readable. */
export function selectCalls(calls: i32, firstFd: u32, fds: i32): i32 {
  readers.length = 0;
  for (let k = 0; k < fds; k++) readers.push(firstFd + <u32>k);
  let seen = 0;
  for (let i = 0; i < calls; i++) seen += select(readers, [], [], 0).readers.length;
  return seen;
}

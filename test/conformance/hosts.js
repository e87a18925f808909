// The hosts every conformance suite runs on. Both, always: a host that cannot start fails its tests
// with the reason (for wasmtime: "wasmtime not found ... npm run setup:wasmtime"), it is never skipped.
export const HOSTS = ['node', 'wasmtime'];

/**
 * The third host of the example and dead-fd suites: a current wasmtime (from npm run setup:components)
 * running the component builds (build/component/NAME.wasm). Not found: its tests fail with the reason.
 */
export const LATEST = 'wasmtime-latest';

/** Polls `read()` until it matches `re` or `ms` pass; resolves with the match or rejects with what was read. */
export async function waitFor(read, re, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = re.exec(read());
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`${what}: no ${re} within ${ms} ms; got ${JSON.stringify(read())}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

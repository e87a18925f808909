// The one error class the embedding API rejects with: its message is a single clear line meant for users.

/** Bad input or an environment problem (missing file, not Wasm, address in use, ...). */
export class WasmuxError extends Error {
  override readonly name = 'WasmuxError';
  /** True when the error is about malformed input (the CLI exits 2 for these, 1 for the others). */
  readonly usage: boolean;
  constructor(message: string, options: { usage?: boolean } = {}) {
    super(message);
    this.usage = options.usage ?? false;
  }
}

// What every import of the Node host is built from, and the shape of one import decision. The import table
// (wasi/table.ts) lists one ImportSpec per function; each spec says how the host answers it and builds it.
import type { FdTable } from '../fd-table.js';
import type { Waker } from '../wait/waker.js';
import type { WaitStrategy } from '../wait/strategy.js';
import type { GuestMemory } from './guest-memory.js';
import type { StdioSink } from './stdio.js';

/** A Wasm import function as JavaScript sees it. */
export type Fn = (...args: any[]) => any;

/** Everything the wasi_snapshot_preview1 functions need. */
export interface ImportContext {
  mem: GuestMemory;
  fds: FdTable;
  waker: Waker;
  strategy: WaitStrategy;
  /** The module keeps the subscription journal (it declares the section): poll_oneoff reads it. */
  journaled: boolean;
  /** node:wasi's own preview1 functions: reached only for file entries under a `--dir` preopen. */
  wasi: Record<string, Fn>;
  /** Where the guest's fds 1 and 2 write: the configured Writables, else the process's fds 1 and 2. */
  stdout: StdioSink;
  stderr: StdioSink;
  /** The guest's argv (argv[0] first) and environment ('KEY=VALUE'). */
  args: string[];
  env: string[];
}

/**
 * How the host answers one import:
 * - 'ours': implemented by the host itself;
 * - 'errno': always answered with one errno (the function is not offered);
 * - 'delegated': passed to node:wasi only for file/directory fds of a `--dir` preopen (paths confined to it);
 *   an errno for every other fd.
 */
export type Decision = 'ours' | 'errno' | 'delegated';

/** One import: its decision, a line saying why or how, and the builder of the function. */
export interface ImportSpec<C> {
  decision: Decision;
  why: string;
  make(ctx: C): unknown;
}

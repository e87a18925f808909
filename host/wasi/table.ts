// The wasi_snapshot_preview1 import table: every function of preview1, each with the host's decision (see
// ImportSpec in context.ts) and its builder. Nothing of node:wasi is spread into the import object: a function
// missing from this table is not offered at all (instantiation fails with a clear error).
import type { Fn, ImportContext, ImportSpec } from './context.js';
import { FD_IMPORTS } from './fd-imports.js';
import { FILE_IMPORTS } from './file-imports.js';
import { PROC_IMPORTS } from './proc-imports.js';
import { SOCK_IMPORTS } from './sock-imports.js';

/** Every function of wasi_snapshot_preview1 (the wasi-0.1 witx), for the completeness check of the table. */
export const PREVIEW1_FUNCTIONS = [
  'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get',
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread',
  'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek',
  'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times',
  'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'sched_yield', 'random_get', 'sock_accept',
  'sock_recv', 'sock_send', 'sock_shutdown',
] as const;

/** The host's decision for every preview1 function. */
export const PREVIEW1_IMPORTS: Readonly<Record<string, ImportSpec<ImportContext>>> = {
  ...PROC_IMPORTS, ...FD_IMPORTS, ...FILE_IMPORTS, ...SOCK_IMPORTS,
};

/** Builds the wasi_snapshot_preview1 import object from the table. */
export function makeImports(ctx: ImportContext): Record<string, Fn> {
  const out: Record<string, Fn> = {};
  for (const [name, spec] of Object.entries(PREVIEW1_IMPORTS)) out[name] = spec.make(ctx) as Fn;
  return out;
}

// Signatures of every import the fuzzer may call, as argument kinds. The Wasm parameter types follow from the
// kinds (KIND_TYPES); the kinds tell the argument generator what a parameter means (an fd, an iovec array and its
// count, a path and its length, a flag set, a clock, ...). preview1 from the WASI preview1 specification
// (witx, wasi_snapshot_preview1); WASIX from the Node host's wasix_32v1 module.

/** Wasm types of each argument kind; a kind may stand for several consecutive parameters. */
export const KIND_TYPES = {
  fd: ['i32'], iovs: ['i32', 'i32'], ciovs: ['i32', 'i32'], buf: ['i32', 'i32'], str: ['i32', 'i32'],
  name: ['i32', 'i32'], out: ['i32'], outfd: ['i32'], subs: ['i32'], events: ['i32'], nsubs: ['i32'], addr: ['i32'], addrs: ['i32', 'i32'],
  off: ['i64'], size: ['i64'], rights: ['i64'], time: ['i64'], prec: ['i64'], cookie: ['i64'],
  lookupflags: ['i32'], oflags: ['i32'], fdflags: ['i32'], fstflags: ['i32'], riflags: ['i32'], siflags: ['i32'],
  sdflags: ['i32'], whence: ['i32'], advice: ['i32'], clockid: ['i32'], signal: ['i32'], exitcode: ['i32'],
  af: ['i32'], socktype: ['i32'], proto: ['i32'], port: ['i32'],
};

/** wasi_snapshot_preview1: name -> [argument kinds, has an errno result]. `out:N` is an out pointer of N bytes. */
export const PREVIEW1 = {
  args_get: [['out:64', 'out:256'], true],
  args_sizes_get: [['out:4', 'out:4'], true],
  environ_get: [['out:64', 'out:256'], true],
  environ_sizes_get: [['out:4', 'out:4'], true],
  clock_res_get: [['clockid', 'out:8'], true],
  clock_time_get: [['clockid', 'prec', 'out:8'], true],
  fd_advise: [['fd', 'off', 'size', 'advice'], true],
  fd_allocate: [['fd', 'off', 'size'], true],
  fd_close: [['fd'], true],
  fd_datasync: [['fd'], true],
  fd_fdstat_get: [['fd', 'out:24'], true],
  fd_fdstat_set_flags: [['fd', 'fdflags'], true],
  fd_fdstat_set_rights: [['fd', 'rights', 'rights'], true],
  fd_filestat_get: [['fd', 'out:64'], true],
  fd_filestat_set_size: [['fd', 'size'], true],
  fd_filestat_set_times: [['fd', 'time', 'time', 'fstflags'], true],
  fd_pread: [['fd', 'iovs', 'off', 'out:4'], true],
  fd_prestat_get: [['fd', 'out:8'], true],
  fd_prestat_dir_name: [['fd', 'buf'], true],
  fd_pwrite: [['fd', 'ciovs', 'off', 'out:4'], true],
  fd_read: [['fd', 'iovs', 'out:4'], true],
  fd_readdir: [['fd', 'buf', 'cookie', 'out:4'], true],
  fd_renumber: [['fd', 'fd'], true],
  fd_seek: [['fd', 'off', 'whence', 'out:8'], true],
  fd_sync: [['fd'], true],
  fd_tell: [['fd', 'out:8'], true],
  fd_write: [['fd', 'ciovs', 'out:4'], true],
  path_create_directory: [['fd', 'str'], true],
  path_filestat_get: [['fd', 'lookupflags', 'str', 'out:64'], true],
  path_filestat_set_times: [['fd', 'lookupflags', 'str', 'time', 'time', 'fstflags'], true],
  path_link: [['fd', 'lookupflags', 'str', 'fd', 'str'], true],
  path_open: [['fd', 'lookupflags', 'str', 'oflags', 'rights', 'rights', 'fdflags', 'outfd'], true],
  path_readlink: [['fd', 'str', 'buf', 'out:4'], true],
  path_remove_directory: [['fd', 'str'], true],
  path_rename: [['fd', 'str', 'fd', 'str'], true],
  path_symlink: [['str', 'fd', 'str'], true],
  path_unlink_file: [['fd', 'str'], true],
  poll_oneoff: [['subs', 'events', 'nsubs', 'out:4'], true],
  proc_exit: [['exitcode'], false],
  proc_raise: [['signal'], true],
  sched_yield: [[], true],
  random_get: [['buf'], true],
  sock_accept: [['fd', 'fdflags', 'outfd'], true],
  sock_recv: [['fd', 'iovs', 'riflags', 'out:4', 'out:2'], true],
  sock_send: [['fd', 'ciovs', 'siflags', 'out:4'], true],
  sock_shutdown: [['fd', 'sdflags'], true],
};

/** wasix_32v1 functions the Node host offers. */
export const WASIX = {
  sock_open: [['af', 'socktype', 'proto', 'outfd'], true],
  sock_connect: [['fd', 'addr'], true],
  sock_addr_local: [['fd', 'out:110'], true],
  sock_addr_peer: [['fd', 'out:110'], true],
  resolve: [['name', 'port', 'addrs', 'out:4'], true],
};

export const MODULES = { wasi_snapshot_preview1: PREVIEW1, wasix_32v1: WASIX };

/** The Wasm parameter types of a signature's kinds. */
export function paramTypes(kinds) {
  return kinds.flatMap((k) => KIND_TYPES[k.split(':')[0]]);
}

/**
 * The callable imports for `names` ({module: [name, ...]}, as the host offers them), each with its signature.
 * Throws when the host offers a function the fuzzer has no signature for: nothing may be left out silently.
 */
export function resolveImports(names) {
  const out = [];
  for (const [module, list] of Object.entries(names)) {
    const table = MODULES[module];
    if (!table) throw new Error(`no signatures for import module ${module}`);
    for (const name of [...list].sort()) {
      const sig = table[name];
      if (!sig) throw new Error(`no signature for ${module}.${name}: add it to test/fuzz/signatures.js`);
      const [kinds, result] = sig;
      out.push({ module, name, kinds, params: paramTypes(kinds), result });
    }
  }
  return out;
}

// Builds the example servers as WASI 0.2 components for a current wasmtime (47 and later), into
// build/component/NAME.wasm: each is compiled with the wasi:sockets backend (`--use WASMUX_SOCKETS_P2=1`,
// see assembly/wasi/imports.ts), its proc_exit pointed at wasi:cli/exit's exit-with-code (lib/exit-with-code.js),
// embedded with the world in assembly/wasi-p2/wit/server.wit, and made a component with the preview1 adapter
// of the same wasmtime release. Needs what scripts/setup-components.sh provisions (wasm-tools, the adapter,
// the WIT files); the preview1 build (build-wasm.js) needs none of it.
//   node scripts/build-components.js [NAME ...]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWithCode } from './lib/exit-with-code.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const pins = JSON.parse(readFileSync(join(root, 'scripts', 'components.json'), 'utf8'));
const cache = process.env.WASMUX_CACHE || join(homedir(), '.cache', 'wasmux');
const wasmTools = join(cache, `wasm-tools-${pins.wasmTools}`, 'bin', 'wasm-tools');
const wasi = join(cache, `wasi-p2-${pins.wasmtime}`);
const adapter = join(wasi, 'wasi_snapshot_preview1.command.wasm');

for (const [what, path] of [['wasm-tools', wasmTools], ['the preview1 adapter', adapter], ['the WASI 0.2 WIT files', join(wasi, 'wit', 'deps')]]) {
  if (!existsSync(path)) {
    console.error(`build-components: ${what} not found at ${path}; provision it with: npm run setup:components`);
    process.exit(1);
  }
}

const only = process.argv.slice(2);
const jobs = readdirSync(join(root, 'assembly', 'examples'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .filter((name) => only.length === 0 || only.includes(name))
  .map((name) => ({ name, source: `assembly/examples/${name}.ts`, out: join('build', 'component', `${name}.wasm`) }));
if (only.length === 0 || only.includes('select-probe')) {
  // The conformance probe of select() and the Selector, for the dead-fd suite on a current wasmtime.
  jobs.push({ name: 'select-probe', source: 'test/assembly/select-probe.ts', out: join('build', 'test', 'component', 'select-probe.wasm') });
}
if (only.length === 0 || only.includes('exit-code')) {
  // The probe of exit statuses 0-255 through exit-with-code.
  jobs.push({ name: 'exit-code', source: 'test/assembly/exit-code.ts', out: join('build', 'test', 'component', 'exit-code.wasm') });
}
if (only.length === 0 || only.includes('addr-probe')) {
  // The probe of sock_addr_local / sock_addr_peer, for component-connect.test.js.
  jobs.push({ name: 'addr-probe', source: 'test/assembly/addr-probe.ts', out: join('build', 'test', 'component', 'addr-probe.wasm') });
}
if (only.length === 0 || only.includes('select-cost')) {
  // The bench guest of the core scenario, for wasmux-wasmtime-latest.
  jobs.push({ name: 'select-cost', source: 'bench/assembly/select-cost.ts', out: join('build', 'bench', 'component', 'select-cost.wasm') });
}

/** Runs a command; resolves with its stderr, rejects with it on failure. */
function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', (e) => reject(new Error(`${cmd}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(err) : reject(new Error(err.trim() || `${cmd} exited ${code}`))));
  });
}

// The world's package folder: our server.wit beside the pinned release's WIT files as deps/.
const work = mkdtempSync(join(tmpdir(), 'wasmux-components-'));
const wit = join(work, 'wit');
mkdirSync(wit);
copyFileSync(join(root, 'assembly', 'wasi-p2', 'wit', 'server.wit'), join(wit, 'server.wit'));
symlinkSync(join(wasi, 'wit', 'deps'), join(wit, 'deps'));

const ascBin = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
/** Compiles, embeds and adapts one program; resolves false (after saying why) when it fails. */
async function build({ name, source, out }) {
  const core = join(work, `${name}.core.wasm`);
  const embedded = join(work, `${name}.embedded.wasm`);
  mkdirSync(join(root, dirname(out)), { recursive: true });
  try {
    await run(process.execPath, [ascBin, source, 'assembly/wasi-p2/component-exports.ts',
      '-o', core, '--target', 'release', '--use', 'WASMUX_SOCKETS_P2=1']);
    const foreign = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(core)))
      .filter((i) => i.module.startsWith('wasix'));
    if (foreign.length > 0) {
      // The WASIX calls the core makes go to the wasi:sockets backend (assembly/wasi/wasix.ts); one left
      // here has no counterpart there, and the component could not be made.
      console.error(`build-components: ${name} imports ${foreign[0].module}.${foreign[0].name}, which the component backend does not provide`);
      return false;
    }
    writeFileSync(core, exitWithCode(readFileSync(core)));
    await run(wasmTools, ['component', 'embed', wit, '--world', 'server', core, '-o', embedded]);
    await run(wasmTools, ['component', 'new', embedded, '--adapt', `wasi_snapshot_preview1=${adapter}`, '-o', join(root, out)]);
    console.log(`build-components: ${out}`);
    return true;
  } catch (e) {
    console.error(`build-components: ${name} failed\n${e.message}`);
    return false;
  }
}

// Two at a time: one per core.
let failed = 0;
const queue = [...jobs];
await Promise.all([0, 1].map(async () => {
  for (let job = queue.shift(); job; job = queue.shift()) if (!(await build(job))) failed++;
}));
rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);

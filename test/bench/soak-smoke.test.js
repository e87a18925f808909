// Smoke test of `wasmux soak`: a few seconds of the real thing, a few connections, two servers per host, every
// byte checked. It asserts the goals that hold at any length (0 bytes lost or wrong, 0 unexpected errors, some
// traffic), the shape of soak.json and soak.svg, and the command's usage errors. RSS growth is not judged in a
// run this short (the report says so with null), and nothing here is timed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runSoak } from '../../dist/bench/soak/main.js';

const CLI = fileURLToPath(new URL('../../dist/host/cli/main.js', import.meta.url));

async function soak(hosts, servers) {
  const dir = mkdtempSync(join(tmpdir(), 'wasmux-soak-'));
  try {
    const code = await runSoak(['--duration', '3s', '--interval', '1s', '--connections', '6', '--hosts', hosts,
      '--servers', servers, '--seed', '42', '--out', dir]);
    return { code, doc: JSON.parse(readFileSync(join(dir, 'soak.json'), 'utf8')), svg: readFileSync(join(dir, 'soak.svg'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertClean(doc, pairs) {
  assert.is(doc.results.length, pairs.length);
  assert.equal(doc.results.map((r) => `${r.host} ${r.server}`), pairs);
  for (const r of doc.results) {
    const who = `${r.host} ${r.server}`;
    assert.is(r.error, null, who);
    assert.is(r.bytes_lost, 0, `${who}: bytes lost`);
    assert.is(r.bytes_wrong, 0, `${who}: bytes wrong`);
    assert.is(r.unexpected_errors, 0, `${who}: ${r.error_samples.join(' / ')}`);
    assert.ok(r.ops > 0 && r.bytes_checked > 0 && r.connects > 0, `${who}: traffic`);
    assert.equal(r.misses, [], who);
    assert.ok(r.samples.length >= 2, `${who}: samples`);
    for (const s of r.samples) {
      assert.type(s.t_s, 'number');
      assert.ok(s.rss_kib > 0, `${who}: rss sample ${JSON.stringify(s)}`);
      assert.ok(s.ops >= 0);
    }
    assert.is(r.rss.growth_pct, null, `${who}: RSS is not judged in a run this short`);
    assert.ok(r.rss.last_kib > 0);
  }
  assert.is(doc.passed, true);
  assert.equal(doc.misses, []);
  for (const k of ['duration_s', 'connections', 'seed', 'interval_s', 'hosts', 'servers']) assert.ok(k in doc.options, `options.${k}`);
  assert.is(doc.options.seed, 42);
}

test('echo, chat and http on the Node host lose no byte and meet every goal in a short soak', async () => {
  const { code, doc, svg } = await soak('node', 'echo,chat,http');
  assertClean(doc, ['node echo', 'node chat', 'node http']);
  assert.is(code, 0);
  assert.ok(svg.startsWith('<svg'));
  assert.ok(svg.includes('node echo') && svg.includes('node chat') && svg.includes('node http'));
  assert.ok(svg.includes('Server RSS') && svg.includes('per second'));
});

test('chat and kv under wasmtime lose no byte and meet every goal in a short soak', async () => {
  const { code, doc, svg } = await soak('wasmtime', 'chat,kv');
  assertClean(doc, ['wasmtime chat', 'wasmtime kv']);
  assert.is(code, 0);
  assert.ok(svg.includes('wasmtime chat') && svg.includes('wasmtime kv'));
});

test('wasmux soak --help prints the soak options', () => {
  const r = spawnSync(process.execPath, [CLI, 'soak', '--help'], { encoding: 'utf8' });
  assert.is(r.status, 0);
  assert.ok(r.stdout.includes('Usage: wasmux soak') && r.stdout.includes('--duration'));
});

test('wasmux soak rejects a malformed duration with one usage line and exit code 2', () => {
  const r = spawnSync(process.execPath, [CLI, 'soak', '--duration', 'ten'], { encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.is(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^wasmux soak: --duration must look like/);
});

test('wasmux soak rejects an unknown server name with exit code 2', async () => {
  assert.is(await runSoak(['--servers', 'echo,ftp']), 2);
});

test.run();

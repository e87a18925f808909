// The timer heap deletes cancelled timers lazily; what a cancelled timer held must still be freed at
// once, or every closed connection's session lives on until its idle timeout would have fired.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadHarness } from './fake-host.js';

test('cancelled timers release their callbacks: 5,000 cancelled 64 KiB holders grow memory by less than 16 MiB', async () => {
  const { core, host } = await loadHarness();
  const before = host.memory.buffer.byteLength;
  core.timersCancelChurn(5000);
  const grown = host.memory.buffer.byteLength - before;
  assert.ok(grown < 16 * 1024 * 1024, `memory grew by ${(grown / 1048576).toFixed(1)} MiB`);
});

test.run();

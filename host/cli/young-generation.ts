// Sizes V8's young generation ("new space") at its final size as soon as the server starts allocating, instead of
// doubling it step by step. V8 starts with 1 MiB semi-spaces and doubles them each time more bytes survived its
// scavenges than the space holds, up to 16 MiB per semi-space on Node 20 and 22; the last doublings (to 8, then 16
// MiB: 32 MiB of RSS in all) need tens of MiB to survive, which a server under load reaches one to three minutes
// in, so a steady server's RSS climbed by up to 30 % after its first minute although nothing leaked. Growing by 16
// at once takes the first expansion (seconds in) straight from 1 to 16 MiB, and RSS stays flat after. V8 caps it at
// its maximum (or the user's --max-semi-space-size). --min-semi-space-size would do the same, but V8 reads it only
// when it creates the heap (a shebang or every caller's command line); the growth factor is read at each expansion,
// so setting it here works. Node 24's maximum is larger (64 MiB): there a later expansion can still grow it.
import { setFlagsFromString } from 'node:v8';

/** From V8's initial 1 MiB semi-space to Node 20's and 22's maximum, 16 MiB, in one expansion. */
const ONE_STEP_GROWTH_FACTOR = 16;

/**
 * Makes V8 grow the young generation to its final size in one step, unless the user chose a growth factor or a
 * minimum semi-space size on node's command line (then theirs holds).
 */
export function growYoungGenerationInOneStep(): void {
  if (process.execArgv.some((a) => /^--(semi[-_]space[-_]growth[-_]factor|min[-_]semi[-_]space[-_]size)\b/.test(a))) return;
  setFlagsFromString(`--semi-space-growth-factor=${ONE_STEP_GROWTH_FACTOR}`);
}

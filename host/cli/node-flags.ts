// The V8 flags node runs the `wasmux` CLI with: the bin's shebang (`#!/usr/bin/env -S node ...` in main.ts) and
// every place in this checkout that starts `node dist/host/cli/main.js` (npm start, the soak's and the bench's
// servers) use exactly these; a test holds them equal.
//
// Why: they fix V8's young generation ("new space") at its final size, 16 MiB per semi-space (Node 20's and 22's
// default maximum), from the start. By default V8 starts it at 1 MiB and doubles it each time more bytes survived
// its scavenges than it holds; the last doublings need tens of MiB to survive, which a server under moderate load
// reaches one to three minutes in, so a steady server's RSS rose by up to 30 % after its first minute though
// nothing leaked, and a server that allocates little (chat) shrank and regrew it with its load. Fixed, the young
// generation costs its 32 MiB of RSS in the first seconds and RSS stays flat after. V8 reads these only when it
// creates the heap, so the process cannot set them for itself (v8.setFlagsFromString comes too late).

/** Node flags for a long-running wasmux server process. */
export const NODE_HOST_V8_FLAGS: readonly string[] = ['--min-semi-space-size=16', '--max-semi-space-size=16'];

// wasmux: a select()-style I/O multiplexer for WASI preview1, in AssemblyScript.
// Layers, bottom up: WASI bindings -> readiness set -> select / selector -> sockets -> event loop.

export { Errno, errnoName } from "./wasi/errno";
export { monotonicMs, monotonicNs } from "./wasi/clock";
export { getenv } from "./wasi/environ";
export { logLine } from "./wasi/stderr";

export { Ready, isValidInterest } from "./readiness/interest";
export { Registration } from "./readiness/registration";
export { ReadinessSet } from "./readiness/readiness-set";

export { Poller } from "./select/poller";
export { select, SelectResult } from "./select/select";
export { Selector, SelectorKey, SelectedKey, EVENT_READ, EVENT_WRITE } from "./select/selector";

export { Stream, IoResult, ConnectResult } from "./net/stream";
export { SocketAddress, HostPort, parseIPv4, parseIPv6 } from "./net/socket-address";
export { Listener } from "./net/listener";
export { listenFds, FIRST_LISTEN_FD } from "./net/listen-fds";

export { OutputBuffer } from "./loop/output-buffer";
export { TimerCallback, TimerHeap } from "./loop/timers";
export { Watcher } from "./loop/watcher";
export { StreamHandler, ServerHandler } from "./loop/handlers";
export { Connection, ConnState } from "./loop/connection";
export { EventLoop } from "./loop/event-loop";

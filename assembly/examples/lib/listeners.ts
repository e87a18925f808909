// What every example server does first: find its pre-opened listeners, or say how to run it and exit.
import { Listener, listenFds, logLine } from "../../index";

/** The pre-opened listeners; with none, one line naming `server` and how to run it, then exit 2. */
export function listenersOrExit(server: string): Array<Listener> {
  const listeners = listenFds();
  if (listeners.length == 0) {
    logLine(server + ": no listener (expected fd 3 or LISTEN_FDS); run it under `wasmux run --listen HOST:PORT`");
    process.exit(2);
  }
  return listeners;
}

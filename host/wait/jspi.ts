// JSPI: the guest's stack is suspended by the engine when a Suspending import returns a promise.
import { pacedImport, type BlockingImport, type Pace, type WaitStrategy } from './strategy.js';

type JspiApi = {
  Suspending: new (fn: (...a: any[]) => unknown) => unknown;
  promising: (fn: Function) => (...a: any[]) => Promise<unknown>;
};

/** Creates the JSPI strategy; only valid when jspiAvailable() is true. */
export function jspiStrategy(): WaitStrategy {
  const W = WebAssembly as unknown as JspiApi;
  return {
    name: 'jspi',
    compile: (bytes) => WebAssembly.compile(bytes),
    // A Suspending import that returns a non-promise does not suspend (checked on Node 24: see docs/host.md),
    // so the fast path of a blocking import costs a plain call.
    wrap: (fn: BlockingImport, pace?: Pace) => new W.Suspending(pacedImport(fn, pace)),
    run: async (instance) => {
      await W.promising(instance.exports._start as Function)();
    },
  };
}

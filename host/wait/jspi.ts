// JSPI: the guest's stack is suspended by the engine when a Suspending import returns a promise.
import { suspendingOnlyToWait } from './jspi-trampoline.js';
import { pacedImport, type BlockingImport, type Pace, type WaitStrategy } from './strategy.js';

type JspiApi = {
  Suspending: new (fn: (...a: any[]) => unknown) => unknown;
  promising: (fn: Function) => (...a: any[]) => Promise<unknown>;
};

/**
 * Creates the JSPI strategy; only valid when jspiAvailable() is true. With `trampolines` (the default) each
 * blocking import goes through a trampoline (jspi-trampoline.ts) and costs a plain call when it answers at once;
 * without, it is a Suspending import, which any signature links to.
 */
export function jspiStrategy(options: { trampolines?: boolean } = {}): WaitStrategy {
  const W = WebAssembly as unknown as JspiApi;
  const trampolines = options.trampolines ?? true;
  return {
    name: 'jspi',
    compile: (bytes) => WebAssembly.compile(bytes),
    wrap: (fn: BlockingImport, pace?: Pace) =>
      trampolines ? suspendingOnlyToWait(fn, W.Suspending, pace) : new W.Suspending(pacedImport(fn, pace)),
    run: async (instance) => {
      await W.promising(instance.exports._start as Function)();
    },
    withoutTrampolines: trampolines ? () => jspiStrategy({ trampolines: false }) : undefined,
  };
}

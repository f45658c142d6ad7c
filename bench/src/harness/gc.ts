import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = () => void;

let cached: GcFunction | null | undefined;

/**
 * Returns V8's `gc()` even when node was started without `--expose-gc`: the flag is set at run time
 * and a fresh context is created, which then exposes `gc`. Collecting between samples (outside the
 * timed region) keeps one implementation's garbage from being collected on another's clock.
 * Returns null if the runtime refuses.
 */
export function garbageCollector(): GcFunction | null {
  if (cached !== undefined) return cached;
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') {
    cached = existing as GcFunction;
    return cached;
  }
  try {
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('gc');
    cached = typeof fn === 'function' ? (fn as GcFunction) : null;
  } catch {
    cached = null;
  }
  return cached;
}

/**
 * Runs a young-generation collection if one is available (a no-op otherwise): it frees the previous
 * samples' outputs (their ArrayBuffers die young), so one implementation's garbage is not collected on
 * another's clock. Not a full collection: a forced major gc() ages and flushes the compiled code of
 * functions that did not run since the last ones, so after the other contenders' samples (each with a
 * forced collection) a JavaScript implementation would be measured recompiling itself — measured
 * here: the library's sparsemax at 9.7 ms per call right after gc() against 4.6 ms otherwise.
 */
export function collectGarbage(): void {
  const gc = garbageCollector() as ((options?: { type: 'minor' | 'major' }) => void) | null;
  gc?.({ type: 'minor' });
}

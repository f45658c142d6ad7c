import { fail } from './errors.js';

/** A finite number > 0 (temperature, scale, …); `undefined` gives the default. */
export function positiveFinite(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail('E_PARAM', name, 'a finite number > 0', value);
  return value;
}

/** A finite number in [lo, hi]. */
export function finiteInRange(value: unknown, name: string, lo: number, hi: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi) {
    fail('E_PARAM', name, `a finite number in [${lo}, ${hi}]`, value);
  }
  return value;
}

/** An integer in [lo, hi]. */
export function integerInRange(value: unknown, name: string, lo: number, hi: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    fail('E_PARAM', name, `an integer in [${lo}, ${hi}]`, value);
  }
  return value;
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail('E_PARAM', name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

/** Rejects an options argument that is not an object (a common slip: passing a number as options). */
export function optionsObject<T extends object>(opts: T | undefined, name = 'options'): Partial<T> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts)) fail('E_INPUT', name, 'an options object', opts);
  return opts;
}

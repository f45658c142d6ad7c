import { fail } from '../tensor/errors.js';
import type { Input } from '../tensor/types.js';
import { adaptiveTemperatureSoftmax } from './adaptiveTemperatureSoftmax.js';
import { clippedSoftmax } from './clippedSoftmax.js';
import { entmax } from './entmax.js';
import { gumbelSoftmax } from './gumbelSoftmax.js';
import { scalableSoftmax } from './scalableSoftmax.js';
import { selfAdjustSoftmax } from './selfAdjustSoftmax.js';
import { sinkhorn } from './sinkhorn.js';
import { softmax } from './softmax.js';
import { softpick } from './softpick.js';
import { sparseSoftmax } from './sparseSoftmax.js';
import { sparsemax } from './sparsemax.js';
import { stableMax } from './stableMax.js';

/**
 * A normalizer as the composed features (attention, gating) take it: a forward map over an axis, its
 * backward pass, and two facts callers plan with. A user-defined object of this shape works wherever a
 * registry name does.
 */
export interface Normalizer {
  readonly name: string;
  /** y = f(x) along `opts.axis` (default −1), same forms and options as `softmax`. */
  forward(x: Input, opts?: Record<string, unknown>): unknown;
  /** Input gradient from the output y and upstream dy; `opts.x` carries the forward input when needed. */
  vjp(y: Input, dy: Input, opts?: Record<string, unknown>): unknown;
  /** Rows sum to one (a probability distribution). */
  readonly sumsToOne: boolean;
  /** Outputs can be exactly zero for finite inputs. */
  readonly sparse: boolean;
  /** The backward pass needs the forward input as `opts.x`. */
  readonly needsX: boolean;
}

type AnyFunction = (...args: never[]) => unknown;

function entry(name: string, f: AnyFunction & { vjp: AnyFunction }, sumsToOne: boolean, sparse: boolean, needsX: boolean): Normalizer {
  return Object.freeze({
    name,
    forward: f as unknown as Normalizer['forward'],
    vjp: f.vjp as unknown as Normalizer['vjp'],
    sumsToOne,
    sparse,
    needsX,
  });
}

/**
 * Every built-in normalizer by name. `gumbelSoftmax` needs `opts.rng`; `sinkhorn` takes square
 * matrices (its axis is fixed: rows and columns of the last two dims).
 */
export const normalizers: Readonly<Record<string, Normalizer>> = Object.freeze({
  softmax: entry('softmax', softmax, true, false, false),
  sparsemax: entry('sparsemax', sparsemax, true, true, false),
  entmax: entry('entmax', entmax, true, true, false),
  sparseSoftmax: entry('sparseSoftmax', sparseSoftmax, true, true, false),
  softpick: entry('softpick', softpick, false, true, true),
  clippedSoftmax: entry('clippedSoftmax', clippedSoftmax, false, true, true),
  scalableSoftmax: entry('scalableSoftmax', scalableSoftmax, true, false, true),
  stableMax: entry('stableMax', stableMax, true, false, true),
  selfAdjustSoftmax: entry('selfAdjustSoftmax', selfAdjustSoftmax, false, false, true),
  gumbelSoftmax: entry('gumbelSoftmax', gumbelSoftmax, true, false, false),
  adaptiveTemperatureSoftmax: entry('adaptiveTemperatureSoftmax', adaptiveTemperatureSoftmax, true, false, true),
  sinkhorn: entry('sinkhorn', sinkhorn, true, false, true),
});

/**
 * Resolves a normalizer given by name (see `normalizers`) or as an object of the `Normalizer` shape
 * (user-defined ones included). Throws `E_PARAM` naming `argument` otherwise.
 */
export function resolveNormalizer(spec: string | Normalizer, argument = 'normalizer'): Normalizer {
  if (typeof spec === 'string') {
    const found = Object.prototype.hasOwnProperty.call(normalizers, spec) ? normalizers[spec] : undefined;
    if (!found) fail('E_PARAM', argument, `a normalizer name (${Object.keys(normalizers).join(', ')}) or a Normalizer object`, spec);
    return found;
  }
  if (typeof spec !== 'object' || spec === null || typeof spec.forward !== 'function' || typeof spec.vjp !== 'function' ||
      typeof spec.name !== 'string' || typeof spec.sumsToOne !== 'boolean' || typeof spec.sparse !== 'boolean') {
    fail('E_PARAM', argument, 'a normalizer name or an object { name, forward, vjp, sumsToOne, sparse }', spec);
  }
  return { ...spec, needsX: spec.needsX === true };
}

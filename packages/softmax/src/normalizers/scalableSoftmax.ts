import { referenceBackend } from '../kernels/reference/backend.js';
import { fail } from '../tensor/errors.js';
import { finiteInRange, integerInRange } from '../tensor/options.js';
import { defineMapping, type MappingSpec } from './defineMapping.js';

export interface ScalableSoftmaxOptions {
  /** The scale s (learnable in the paper; any finite number). Default 1. */
  s?: number;
  /**
   * n of s·ln(n). Default: the number of entries of the row that are not −∞/masked (the context a
   * query actually sees, e.g. position + 1 under a causal mask). Give a fixed length to override.
   */
  length?: number;
  /** vjp only: also return ∂(⟨dy, y⟩)/∂s per row, as `{ dx, dS }`. */
  wrtS?: boolean;
}

interface ScalableParams {
  s: number;
  length: number | undefined;
  wantS: boolean;
}

/** Entries that are not −∞, or −1 when a NaN or +∞ makes the row NaN. */
function unmaskedCount(z: Float64Array, n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = z[i];
    if (Number.isNaN(v) || v === Infinity) return -1;
    if (v !== -Infinity) count++;
  }
  return count;
}

const spec: MappingSpec<ScalableParams> = {
  name: 'scalableSoftmax',
  params(o) {
    return {
      s: finiteInRange(o.s, 's', -Number.MAX_VALUE, Number.MAX_VALUE, 1),
      length: o.length === undefined ? undefined : integerInRange(o.length, 'length', 1, Number.MAX_SAFE_INTEGER),
      wantS: o.wrtS === true,
    };
  },
  forward(z, y, { n, params }) {
    if (n === 0) return;
    const count = unmaskedCount(z, n);
    if (count <= 0) {
      // NaN/+∞ in the row, or no entry left (fully masked): NaN, as softmax.
      y.fill(NaN, 0, n);
      return;
    }
    const a = params.s * Math.log(params.length ?? count);
    if (a === 0) {
      // softmax(0·z): uniform over the unmasked entries (0·(−∞) must not become NaN).
      for (let i = 0; i < n; i++) y[i] = z[i] === -Infinity ? 0 : 1 / count;
      return;
    }
    // Masked entries stay −∞ whatever the sign of a.
    for (let i = 0; i < n; i++) z[i] = z[i] === -Infinity ? -Infinity : a * z[i];
    referenceBackend.softmaxRows(z, y, 1, n, 1, 'three-pass');
  },
  vjp(y, dy, dz, z, { n, params }) {
    if (n === 0) return 0;
    let nanRow = false;
    for (let i = 0; i < n; i++) if (Number.isNaN(y[i])) nanRow = true;
    if (nanRow) {
      dz.fill(NaN, 0, n);
      return NaN;
    }
    let len = params.length;
    if (len === undefined) {
      if (z) {
        len = unmaskedCount(z, n);
      } else {
        // Without x: a row with no zero output has no masked entry, so n is its length. A zero output
        // is either masked or underflowed, and the two give different n: x is needed to tell.
        for (let i = 0; i < n; i++) {
          if (!(y[i] > 0)) {
            fail('E_PARAM', 'x', "the forward input as opts.x (a row has zero outputs, so scalableSoftmax.vjp cannot tell masked entries from underflowed ones; or pass 'length')");
          }
        }
        len = n;
      }
    }
    const logN = Math.log(len);
    const a = params.s * logN;
    let dot = 0;
    for (let i = 0; i < n; i++) dot += dy[i] * y[i];
    for (let i = 0; i < n; i++) dz[i] = a * y[i] * (dy[i] - dot);
    if (!params.wantS) return;
    if (!z) fail('E_PARAM', 'x', 'the forward input as opts.x (scalableSoftmax.vjp needs it for wrtS)');
    // ∂⟨dy, y⟩/∂s = ln n · Σ_i dy_i·y_i·(z_i − z̄), z̄ = Σ y_i z_i (masked entries have y_i = 0: skipped).
    let zbar = 0;
    for (let i = 0; i < n; i++) if (y[i] !== 0) zbar += y[i] * z[i];
    let cov = 0;
    for (let i = 0; i < n; i++) if (y[i] !== 0) cov += dy[i] * y[i] * (z[i] - zbar);
    return logN * cov;
  },
  needsX: false,
  paramGradient: { flag: 'wrtS', key: 'dS' },
};

/**
 * Scalable-Softmax (SSMax): y = softmax(s·ln(n)·z), z = x/τ, n the row's context size.
 *
 * Nakanishi, "Scalable-Softmax Is All You Need" (2025). Plain softmax flattens as n grows (the max entry's
 * weight decays like 1/n for bounded logits); multiplying the logits by s·ln n keeps attention peaked
 * at any length. s is learnable: with `{ wrtS: true }` the vjp also returns ∂/∂s. s = 1/ln n gives
 * plain softmax; s = 0 (or n = 1) gives the uniform distribution over the unmasked entries.
 *
 * - n: by default the number of unmasked (not −∞) entries of the row, so under a causal mask row i
 *   uses n = i + 1 as in causal SSMax attention; `length` fixes n instead.
 * - Special values: −∞ (masked) entries give 0 (for any sign of s). A fully masked row, or +∞ / NaN in
 *   a row, gives NaN for the row (softmax semantics). Length 1: y = [1]. Finite rows never give NaN.
 * - O(n) per row, float64 inside; float32 in gives float32 out.
 *
 * `scalableSoftmax.vjp(y, dy, opts)`: dz = s·ln n · y ⊙ (dy − ⟨dy, y⟩), dx = dz/τ (from y alone when no
 * output is 0, else pass `x` or `length` so n is known). With `wrtS: true` (x required) it returns
 * `{ dx, dS }`, dS = ln n · Σ_i dy_i·y_i·(z_i − Σ_j y_j z_j) per row (a number for a row input).
 *
 * @example scalableSoftmax([1, 0], { s: 1 }) // softmax(ln 2 · [1, 0]) = Float64Array [2/3, 1/3]
 */
export const scalableSoftmax = defineMapping<ScalableSoftmaxOptions, ScalableParams>(spec);

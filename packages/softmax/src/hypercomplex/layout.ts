/**
 * Quaternion feature layouts.
 *
 * A feature vector of width D = 4U holds U quaternions q_u = r_u + i·x_u + j·y_u + k·z_u. The library
 * uses two layouts along the last axis:
 *
 * - **blocks** `[r | i | j | k]` (the layers' and attention's layout, Parcollet et al. 2019): the four
 *   component blocks of width U one after the other, component c of unit u at index c·U + u.
 *   A quaternion linear layer is then one real block matrix, and a head's features are four slices.
 * - **interleaved** `[r, i, j, k, r, i, j, k, …]`: unit u's components at 4u … 4u + 3 (the layout of
 *   `hamiltonProduct` and of most quaternion libraries).
 *
 * Conversion is a permutation of the last axis, O(size), never in place.
 */
import { fail } from '../tensor/errors.js';
import type { FloatArray, Input } from '../tensor/types.js';
import { allocLike, toView, wrapOutput } from '../tensor/view.js';

/** The two feature layouts (see the module documentation). */
export type QuaternionLayout = 'blocks' | 'interleaved';

/** Validates the last axis of `dims` as a multiple of 4 and returns U (quaternion units per row). */
export function quaternionUnits(dims: readonly number[], name: string): number {
  const width = dims.length === 0 ? 1 : dims[dims.length - 1];
  if (width % 4 !== 0) fail('E_SHAPE', `${name}.dims`, 'a last dimension that is a multiple of 4 (quaternion components)', `[${dims.join(', ')}]`);
  return width / 4;
}

function permuteLastAxis(x: Input, name: string, toBlocks: boolean): FloatArray | { data: FloatArray; dims: number[] } {
  const view = toView(x, name);
  const units = quaternionUnits(view.dims, name);
  const width = 4 * units;
  const out = allocLike(view.data, view.data.length);
  const rows = width === 0 ? 0 : view.data.length / width;
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    for (let u = 0; u < units; u++) {
      for (let c = 0; c < 4; c++) {
        const interleaved = o + 4 * u + c;
        const block = o + c * units + u;
        if (toBlocks) out[block] = view.data[interleaved];
        else out[interleaved] = view.data[block];
      }
    }
  }
  return wrapOutput(view, out);
}

/**
 * `[r | i | j | k]` blocks → interleaved `[r, i, j, k, …]` along the last axis (width 4U):
 * out[4u + c] = x[c·U + u]. Bare arrays in → bare array out; tensors keep their dims. O(size).
 */
export function blocksToInterleaved(x: Input): FloatArray | { data: FloatArray; dims: number[] } {
  return permuteLastAxis(x, 'x', false);
}

/** Interleaved → `[r | i | j | k]` blocks along the last axis: out[c·U + u] = x[4u + c]. O(size). */
export function interleavedToBlocks(x: Input): FloatArray | { data: FloatArray; dims: number[] } {
  return permuteLastAxis(x, 'x', true);
}

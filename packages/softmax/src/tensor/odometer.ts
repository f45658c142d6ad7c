/**
 * One step of an odometer over a row-major multi-index: `index` (over the first `axes` axes of `dims`)
 * advances by one position, last axis fastest, wrapping an axis to 0 past its end and carrying into the
 * previous one (after the last position every entry is 0 again). Returns the change of a flat offset
 * whose per-axis steps are `strides` (0 along a broadcast axis), so a strided view — broadcast or
 * permuted — is walked in the order of a contiguous one with `offset += odometerStep(...)`.
 *
 * O(1) amortised per step (O(axes) at a carry), integer arithmetic only, no allocation. Mutates `index`.
 */
export function odometerStep(index: number[], dims: readonly number[], strides: readonly number[], axes = dims.length): number {
  let delta = 0;
  for (let ax = axes - 1; ax >= 0; ax--) {
    index[ax]++;
    delta += strides[ax];
    if (index[ax] < dims[ax]) break;
    delta -= strides[ax] * index[ax];
    index[ax] = 0;
  }
  return delta;
}

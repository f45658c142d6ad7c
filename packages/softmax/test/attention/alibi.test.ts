/** alibiMask: −m_h·|i − j| with m_h = 2^(−8(h+1)/heads), in the float type asked for, cached. */
import { describe, expect, it } from 'vitest';
import { alibiMask } from '../../src/attention/alibi.js';

describe('alibiMask', () => {
  it('gives −m_h·|i − j| on both sides of the diagonal, per head, in the given float type', () => {
    const m = alibiMask(4, 3, new Float64Array(0));
    expect(m.dims).toEqual([1, 4, 3, 3]);
    expect(m.data).toBeInstanceOf(Float64Array);
    for (let h = 0; h < 4; h++) {
      const slope = 2 ** (-2 * (h + 1));
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(m.data[(h * 3 + i) * 3 + j]).toBe(-slope * Math.abs(i - j));
    }
    expect(alibiMask(4, 3, new Float32Array(0)).data).toBeInstanceOf(Float32Array);
    expect(alibiMask(4, 3, new Float64Array(0))).toBe(m);
  });
});

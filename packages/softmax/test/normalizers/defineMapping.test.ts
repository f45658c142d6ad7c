import { describe, expect, it } from 'vitest';
import { defineMapping } from '../../src/normalizers/defineMapping.js';
import { softmax } from '../../src/index.js';

/** Softmax written as a plain row mapping: the mechanism must reproduce the library's softmax. */
const rowSoftmax = defineMapping<object, null>({
  name: 'rowSoftmax',
  params: () => null,
  forward(z, y, { n }) {
    let m = -Infinity;
    for (let i = 0; i < n; i++) m = Math.max(m, z[i]);
    let d = 0;
    for (let i = 0; i < n; i++) d += (y[i] = Math.exp(z[i] - m));
    for (let i = 0; i < n; i++) y[i] /= d;
  },
  vjp(y, dy, dz, _z, { n }) {
    let dot = 0;
    for (let i = 0; i < n; i++) dot += y[i] * dy[i];
    for (let i = 0; i < n; i++) dz[i] = y[i] * (dy[i] - dot);
  },
  needsX: false,
});

describe('defineMapping', () => {
  const data = Float64Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7) * 3);
  const dy = Float64Array.from({ length: 24 }, (_, i) => Math.cos(i));

  it('handles axis, temperature, mask and the chain rule like the library softmax', () => {
    const mask = { data: Uint8Array.from({ length: 24 }, (_, i) => (i % 5 === 0 ? 0 : 1)), dims: [2, 3, 4] };
    for (const axis of [0, 1, -1]) {
      const opts = { axis, temperature: 0.7, mask };
      const a = rowSoftmax({ data, dims: [2, 3, 4] }, opts);
      const b = softmax({ data, dims: [2, 3, 4] }, opts);
      expect(a.dims).toEqual([2, 3, 4]);
      for (let i = 0; i < 24; i++) expect(a.data[i]).toBeCloseTo(b.data[i], 14);
      const ga = rowSoftmax.vjp(a, { data: dy, dims: [2, 3, 4] }, opts) as { data: Float64Array };
      const gb = softmax.vjp(b, { data: dy, dims: [2, 3, 4] }, opts);
      for (let i = 0; i < 24; i++) expect(ga.data[i]).toBeCloseTo(gb.data[i], 14);
    }
  });

  it('keeps float32 in float32 and writes into out', () => {
    const x = Float32Array.from(data.subarray(0, 6));
    const out = new Float32Array(6);
    const y = rowSoftmax(x, { out });
    expect(y).toBe(out);
    const want = softmax(Float64Array.from(x));
    for (let i = 0; i < 6; i++) expect(Math.abs(y[i] - want[i])).toBeLessThan(1e-7);
  });
});

import { describe, expect, it } from 'vitest';
import { normalizers, resolveNormalizer, softmax, SoftmaxError, type Normalizer } from '../../src/index.js';

describe('normalizer registry', () => {
  it('resolves every built-in by name to a working forward/vjp pair', () => {
    for (const [name, n] of Object.entries(normalizers)) {
      expect(resolveNormalizer(name)).toBe(n);
      expect(n.name).toBe(name);
      expect(typeof n.forward).toBe('function');
      expect(typeof n.vjp).toBe('function');
    }
    const y = normalizers.softmax.forward([1, 2, 3]) as Float64Array;
    expect(Array.from(y)).toEqual(Array.from(softmax([1, 2, 3])));
    // sparsemax([1, 2, 3]): θ = 2 (support {3}, 3 − θ = 1), so the output is one-hot.
    expect(Array.from(normalizers.sparsemax.forward([1, 2, 3]) as Float64Array)).toEqual([0, 0, 1]);
  });

  it('accepts a user-defined normalizer object and rejects malformed ones with E_PARAM', () => {
    const half: Normalizer = {
      name: 'half',
      forward: (x) => (x as number[]).map((v) => v / 2),
      vjp: (_y, dy) => (dy as number[]).map((v) => v / 2),
      sumsToOne: false,
      sparse: false,
      needsX: false,
    };
    expect(resolveNormalizer(half).forward([2, 4])).toEqual([1, 2]);
    for (const bad of ['nope', { name: 'x' }, null, 3] as const) {
      let caught: unknown;
      try {
        resolveNormalizer(bad as unknown as Normalizer, 'normalizer');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SoftmaxError);
      expect((caught as SoftmaxError).code).toBe('E_PARAM');
      expect((caught as SoftmaxError).message).toContain('normalizer');
    }
  });
});

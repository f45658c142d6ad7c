/**
 * The interaction-subspace check (Yamauchi, Nitta & Tamori, ICML 2026): with quaternion projections the
 * component maps of Q ⊗ K* add no rank to the span of the shared maps; with identity projections they do.
 */
import { describe, expect, it } from 'vitest';
import { interactionSubspaceRanks, numericalRank } from '../../src/hypercomplex/interactionSubspace.js';

describe('interactionSubspaceRanks', () => {
  it('quaternion projections: shared maps span the 4n² quaternion-structured forms; conjugate component maps add no rank', () => {
    for (const [n, m] of [[1, 1], [2, 2], [3, 1]]) {
      const r = interactionSubspaceRanks({ inputUnits: n, outputUnits: m, seed: n + 10 * m });
      expect(r.quaternionStructured).toBe(4 * n * n);
      expect(r.quaternion.shared).toBe(4 * n * n);
      expect(r.quaternion.withConjugateComponents).toBe(r.quaternion.shared);
      // Each component map is the shared map of rotated query weights ē_c ⊗ W_Q.
      expect(r.rotationError).toBeLessThan(1e-12);
      // Documented contrast: the unconjugated Q ⊗ K maps leave the span.
      expect(r.quaternion.withComponents).toBeGreaterThan(r.quaternion.shared);
    }
  });

  it('identity (non-mixing) projections: the shared map is one form, the component maps add three', () => {
    const r = interactionSubspaceRanks({ inputUnits: 2, outputUnits: 2 });
    expect(r.identity.shared).toBe(1);
    expect(r.identity.withConjugateComponents).toBe(4);
    expect(r.identity.withComponents).toBeGreaterThan(r.identity.shared);
  });

  it('numericalRank: known ranks', () => {
    const e = (i: number): Float64Array => Float64Array.from({ length: 4 }, (_, j) => (i === j ? 1 : 0));
    expect(numericalRank([e(0), e(1), Float64Array.from([1, 1, 0, 0])])).toBe(2);
    expect(numericalRank([e(0), e(1), e(2), e(3)])).toBe(4);
    expect(numericalRank([new Float64Array(4)])).toBe(0);
    expect(numericalRank([])).toBe(0);
  });
});

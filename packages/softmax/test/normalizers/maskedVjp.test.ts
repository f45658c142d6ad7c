import { describe, expect, it } from 'vitest';
import { stableMax } from '../../src/normalizers/stableMax.js';
import { clippedSoftmax } from '../../src/normalizers/clippedSoftmax.js';
import { softpick } from '../../src/normalizers/softpick.js';

describe('vjp with a mask and the raw forward input', () => {
  // The backward pass must see opts.x masked exactly as the forward pass saw it (−∞ where dropped), so
  // passing the raw x with the mask equals passing x with −∞ written in by hand.
  const x = Float64Array.from([0.3, -1.2, 2.0, 0.7, -0.4, 1.1]);
  const mask = [1, 0, 1, 1, 0, 1];
  const xMasked = x.map((v, i) => (mask[i] ? v : -Infinity));
  const dy = Float64Array.from([0.5, -0.3, 0.9, 0.1, 0.4, -0.7]);
  for (const [name, f] of [['stableMax', stableMax], ['clippedSoftmax', clippedSoftmax], ['softpick', softpick]] as const) {
    it(name, () => {
      const y = f(x, { mask });
      const viaMask = f.vjp(y, dy, { mask, x }) as Float64Array;
      const viaInfinity = f.vjp(y, dy, { mask, x: xMasked }) as Float64Array;
      expect(Array.from(viaMask)).toEqual(Array.from(viaInfinity));
      expect(Math.abs(viaMask[1])).toBe(0);
    });
  }
});

import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/kernels/wasm/module.js';

/** Distance in units in the last place between two float32 values of the same sign. */
function ulpDistance(a: number, b: number): number {
  const buf = new Float32Array([a, b]);
  const bits = new Int32Array(buf.buffer);
  return Math.abs(bits[0] - bits[1]);
}

/** Runs the kernel's vectorised exp (the one every softmax kernel uses) over `x`. */
function kernelExp(x: Float32Array): Float32Array {
  const wasm = kernels();
  if (!wasm) throw new Error('WebAssembly SIMD kernels unavailable');
  const p = wasm.alloc(x.length * 8);
  new Float32Array(wasm.memory.buffer, p, x.length).set(x);
  wasm.expF32(p, p + x.length * 4, x.length);
  const y = new Float32Array(wasm.memory.buffer, p + x.length * 4, x.length).slice();
  wasm.free(p);
  return y;
}

const STEP = 613;

describe('vectorised float32 exp', () => {
  it('is within 2 ulp of the correctly rounded exp on [-87.33, 0] (the max is stated in the README)', () => {
    // Every STEP-th float32 in the domain (~1.8M points, every binade); scripts/measure-exp-ulp.mjs checks all.
    const lo = new Float32Array([-87.33])[0];
    const xs: number[] = [];
    const f = new Float32Array(1);
    const bits = new Int32Array(f.buffer);
    f[0] = lo;
    for (let b = bits[0]; b >= (0x80000000 | 0) ; b -= STEP) {
      bits[0] = b;
      if (f[0] > 0 || f[0] < lo) break;
      xs.push(f[0]);
      if (b - STEP < (0x80000000 | 0)) break;
    }
    xs.push(0, -0.5, -1, -Math.LN2, -10, -87);
    const x = Float32Array.from(xs);
    const y = kernelExp(x);
    let worst = 0;
    let at = 0;
    for (let i = 0; i < x.length; i++) {
      const d = ulpDistance(y[i], Math.fround(Math.exp(x[i])));
      if (d > worst) {
        worst = d;
        at = x[i];
      }
    }
    console.log(`exp: max error ${worst} ulp at x = ${at} over ${x.length} points`);
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('flushes below the subnormal cutoff to 0, maps −∞ to 0 and NaN to NaN', () => {
    const y = kernelExp(new Float32Array([-87.4, -100, -1e30, -Infinity, NaN, 0]));
    expect(Array.from(y.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(y[4]).toBeNaN();
    expect(y[5]).toBe(1);
  });
});

/**
 * The seeded generator (src/tensor/rng.ts): xoshiro128** against the C reference implementation's
 * output, determinism, and basic distribution checks (fixed seeds, so every bound is deterministic; the
 * bounds are p ≈ 0.001 critical values or ≥ 4 standard errors).
 */
import { describe, expect, it } from 'vitest';
import { checkRng, createRng, gumbelFrom, rngFromState } from '../../src/tensor/rng.js';
import { expectSoftmaxError } from '../ops/helpers.js';

describe('xoshiro128** core', () => {
  it('matches the reference C implementation (xoshiro128starstar.c) from a given state', () => {
    // Test vectors generated with the C reference, as published in edorfaus/xoshiro-6502
    // (test-rom/testdata.asm): state words 0x964D4A0C, 0xD40AB895, 0xAD7FDECB, 0x3006F0F0, then the
    // outputs and states after each step.
    const g = rngFromState([0x964d4a0c, 0xd40ab895, 0xad7fdecb, 0x3006f0f0]);
    const outputs = [0xf1391922, 0x6fe53806, 0xa5be2840, 0xf510ee70];
    const states = [
      [0x72410269, 0xef382c52, 0x2e43bec7, 0x62432f20],
      [0xff3a011b, 0xb33a90fc, 0x2c5a18ae, 0xd81b946b],
      [0x941b058c, 0x605a8949, 0xa641e1b5, 0x0824bb59],
      [0xfc65379c, 0x52006d70, 0x87487639, 0xf1908343],
    ];
    for (let k = 0; k < 4; k++) {
      expect(g.nextUint32()).toBe(outputs[k]);
      expect(g.state()).toEqual(states[k]);
    }
  });

  it('first output from state [1, 2, 3, 4] is rotl(2·5, 7)·9 = 11520 (hand-derived)', () => {
    expect(rngFromState([1, 2, 3, 4]).nextUint32()).toBe(11520);
  });
});

describe('createRng', () => {
  it('is deterministic: the same seed gives the same stream, different seeds differ', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 1000 }, () => a.nextUint32());
    const sb = Array.from({ length: 1000 }, () => b.nextUint32());
    const sc = Array.from({ length: 1000 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    // The high 32 bits of a seed matter, and negative seeds are accepted.
    expect(createRng(1).nextUint32()).not.toBe(createRng(1 + 2 ** 32).nextUint32());
    expect(createRng(-1).nextUint32()).not.toBe(createRng(2 ** 32 - 1).nextUint32());
  });

  it('regression pin of the seeding (splitmix32 → xoshiro128**): first outputs of seed 0 and 42', () => {
    // The seeding is this library's own (the generator itself is pinned to the C reference above), so
    // these are regression values; a change here changes every seeded stream of the library.
    const first = (seed: number) => {
      const g = createRng(seed);
      return [g.nextUint32(), g.nextUint32(), g.nextUint32()];
    };
    expect(first(0)).toEqual(PIN_0);
    expect(first(42)).toEqual(PIN_42);
  });

  it('clone continues the same stream independently; state round-trips through rngFromState', () => {
    const g = createRng(7);
    for (let i = 0; i < 10; i++) g.next();
    const h = g.clone();
    const k = rngFromState(g.state());
    const xs = Array.from({ length: 50 }, () => g.next());
    expect(Array.from({ length: 50 }, () => h.next())).toEqual(xs);
    expect(Array.from({ length: 50 }, () => k.next())).toEqual(xs);
  });

  it('next() is uniform on [0, 1): 10-bin chi-square (9 dof, p = 0.001: 27.88), mean and range', () => {
    const g = createRng(2025);
    const N = 100000;
    const bins = new Array<number>(10).fill(0);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < N; i++) {
      const u = g.next();
      bins[Math.floor(u * 10)]++;
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    let chi2 = 0;
    for (const b of bins) chi2 += (b - N / 10) ** 2 / (N / 10);
    expect(chi2).toBeLessThan(27.88);
    // Mean 1/2, standard error √(1/12/N) ≈ 9.1e-4: 5 standard errors.
    expect(Math.abs(sum / N - 0.5)).toBeLessThan(4.6e-3);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
  });

  it('nextOpen is in (0, 1); nextInt(n) is unbiased (die: chi-square 5 dof, p = 0.001: 20.52)', () => {
    const g = createRng(3);
    for (let i = 0; i < 10000; i++) {
      const u = g.nextOpen();
      expect(u > 0 && u < 1).toBe(true);
    }
    const counts = new Array<number>(6).fill(0);
    const N = 60000;
    for (let i = 0; i < N; i++) counts[g.nextInt(6)]++;
    let chi2 = 0;
    for (const c of counts) chi2 += (c - N / 6) ** 2 / (N / 6);
    expect(chi2).toBeLessThan(20.52);
    expect(g.nextInt(1)).toBe(0);
    expectSoftmaxError(() => g.nextInt(0), 'E_PARAM', 'n');
    expectSoftmaxError(() => g.nextInt(1.5), 'E_PARAM', 'n');
  });

  it('gumbel() has the standard Gumbel mean γ_E = 0.5772 and variance π²/6; normal() mean 0, variance 1', () => {
    const g = createRng(11);
    const N = 50000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < N; i++) {
      const v = g.gumbel();
      s += v;
      s2 += v * v;
    }
    const mean = s / N;
    const variance = s2 / N - mean * mean;
    // Standard error of the mean: √(π²/6/N) ≈ 5.7e-3; 5 standard errors.
    expect(Math.abs(mean - 0.5772156649015329)).toBeLessThan(0.029);
    expect(Math.abs(variance - Math.PI ** 2 / 6)).toBeLessThan(0.1);
    let n1 = 0;
    let n2 = 0;
    for (let i = 0; i < N; i++) {
      const v = g.normal();
      n1 += v;
      n2 += v * v;
    }
    expect(Math.abs(n1 / N)).toBeLessThan(0.023);
    expect(Math.abs(n2 / N - 1)).toBeLessThan(0.04);
  });

  it('validates seeds, states and rng options', () => {
    expectSoftmaxError(() => createRng(1.5), 'E_PARAM', 'seed');
    expectSoftmaxError(() => createRng(NaN), 'E_PARAM', 'seed');
    expectSoftmaxError(() => createRng(2 ** 53), 'E_PARAM', 'seed');
    expectSoftmaxError(() => rngFromState([0, 0, 0, 0]), 'E_PARAM', 'state');
    expectSoftmaxError(() => rngFromState([1, 2, 3]), 'E_PARAM', 'state');
    expectSoftmaxError(() => rngFromState([1, 2, 3, -1]), 'E_PARAM', 'state[3]');
    expectSoftmaxError(() => checkRng(undefined), 'E_PARAM', 'rng');
    expectSoftmaxError(() => checkRng({ next: 1 }), 'E_PARAM', 'rng');
    // A plain { next } generator: gumbelFrom redraws the endpoints 0 and 1.
    const seq = [0, 1, 0.5];
    let i = 0;
    expect(gumbelFrom({ next: () => seq[i++] })).toBeCloseTo(-Math.log(-Math.log(0.5)), 15);
    expectSoftmaxError(() => gumbelFrom({ next: () => 0 }), 'E_PARAM', 'rng');
  });
});

// Cross-checked against an independent BigInt transcription of splitmix32 + xoshiro128** (not in the repo).
const PIN_0 = [1789933344, 44971166, 2521387044];
const PIN_42 = [660444221, 3652823732, 77672526];

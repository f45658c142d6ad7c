import { describe, expect, it } from 'vitest';
import { budgetFor } from '../src/harness/budget.js';
import { speedup, summarizeCase, timeRatio } from '../src/harness/compare.js';
import { measureInterleaved } from '../src/harness/measure.js';
import { quantileSorted, summarize } from '../src/harness/stats.js';
import { splitmix32 } from '../src/harness/random.js';
import { meetsTarget, metric } from '../src/results/metrics.js';

describe('order statistics', () => {
  it('interpolates quantiles linearly between order statistics', () => {
    const sorted = [1, 2, 3, 4];
    expect(quantileSorted(sorted, 0.5)).toBe(2.5);
    expect(quantileSorted(sorted, 0.25)).toBe(1.75);
    expect(quantileSorted(sorted, 0.75)).toBe(3.25);
    expect(quantileSorted([7], 0.5)).toBe(7);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });

  it('summarises unsorted samples, unmoved by one outlier', () => {
    const s = summarize([5, 1, 3, 2, 4, 1000]);
    expect(s).toMatchObject({ count: 6, median: 3.5, min: 1, max: 1000 });
    expect(s.p25).toBe(2.25);
    expect(s.p75).toBe(4.75);
  });
});

describe('case summaries and ratios', () => {
  const samples = new Map<string, number[]>([
    ['ours', [2, 2.2, 1.8, 2, 50]],
    ['peer', [6, 6.1, 5.9, 6, 6]],
    ['floor', [1, 1, 1, 1, 1]],
  ]);
  const timings = summarizeCase(samples, 1_000_000, 'ours');

  it('reports medians, quartiles, ns/element and time relative to the baseline', () => {
    const ours = timings.find((t) => t.name === 'ours')!;
    expect(ours.medianMs).toBe(2);
    expect(ours.p25Ms).toBe(2);
    expect(ours.p75Ms).toBeCloseTo(2.2);
    expect(ours.nsPerElement).toBeCloseTo(2); // 2 ms over 1e6 elements
    expect(ours.timeVsBaseline).toBe(1);
    expect(timings.find((t) => t.name === 'peer')!.timeVsBaseline).toBeCloseTo(3);
    expect(timings.map((t) => t.name)).toEqual(['ours', 'peer', 'floor']);
  });

  it('computes speed-ups and time ratios from medians', () => {
    expect(speedup(timings, 'ours', 'peer')).toBeCloseTo(3);
    expect(timeRatio(timings, 'ours', 'floor')).toBeCloseTo(2);
    expect(speedup(timings, 'ours', 'missing')).toBeNaN();
  });

  it('rejects a baseline that was not measured', () => {
    expect(() => summarizeCase(samples, 10, 'nobody')).toThrow(/baseline/);
  });

  it('checks targets and turns missing values into null', () => {
    expect(meetsTarget(1.5, { op: '>=', value: 1.5 })).toBe(true);
    expect(meetsTarget(2.6, { op: '<=', value: 2.5 })).toBe(false);
    expect(metric('a', 'a', 3, 'x', { op: '>=', value: 30 })).toMatchObject({ value: 3, pass: false });
    const missing = metric('b', 'b', Number.NaN, 'x', { op: '>=', value: 1 });
    expect(missing.value).toBeNull();
    expect(missing.pass).toBeUndefined();
  });
});

describe('interleaved measurement', () => {
  it('takes one sample of each contender per round, rotating the starting contender', async () => {
    const calls: string[] = [];
    const contenders = ['a', 'b', 'c'].map((name) => ({ name, run: () => calls.push(name) }));
    const budget = budgetFor('quick', { warmupMs: 0, minWarmupCalls: 1, minRounds: 4, maxRounds: 4, budgetMs: 0, minSampleMs: 0, minSliceMs: 0 });
    const result = await measureInterleaved(contenders, budget);
    expect(result.rounds).toBe(4);
    const timed = calls.slice(3); // after one warm-up call each
    expect(timed).toEqual(['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b', 'a', 'b', 'c']);
    for (const name of ['a', 'b', 'c']) expect(result.samplesMs.get(name)).toHaveLength(4);
  });

  it('awaits asynchronous calls inside the timed region and runs untimed hooks first', async () => {
    let prepared = 0;
    const slow = {
      name: 'slow',
      beforeSample: () => {
        prepared++;
      },
      run: () => new Promise((resolve) => setTimeout(resolve, 5)),
    };
    const budget = budgetFor('quick', { warmupMs: 0, minWarmupCalls: 1, minRounds: 3, maxRounds: 3, budgetMs: 0, minSampleMs: 0 });
    const result = await measureInterleaved([slow], budget);
    expect(prepared).toBe(4);
    for (const ms of result.samplesMs.get('slow')!) expect(ms).toBeGreaterThanOrEqual(4);
  });

  it('runs no warm-up with minWarmupCalls 0 and warmupMs 0, one call per sample', async () => {
    let calls = 0;
    const budget = budgetFor('quick', { warmupMs: 0, minWarmupCalls: 0, minRounds: 3, maxRounds: 3, budgetMs: 0, minSampleMs: 5, minSliceMs: 0 });
    const result = await measureInterleaved([{ name: 'long', run: () => calls++ }], budget);
    expect(calls).toBe(3);
    expect(result.callsPerSample.get('long')).toBe(1);
    expect(result.samplesMs.get('long')).toHaveLength(3);
  });

  it('gives fast contenders more samples per round while a slow one sets the pace', async () => {
    const spin = (ms: number) => {
      const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
      while (process.hrtime.bigint() < end);
    };
    const budget = budgetFor('quick', { warmupMs: 0, minWarmupCalls: 1, minRounds: 3, maxRounds: 3, budgetMs: 0, minSampleMs: 0, minSliceMs: 4 });
    const result = await measureInterleaved([{ name: 'slow', run: () => spin(5) }, { name: 'fast', run: () => spin(1) }], budget);
    expect(result.samplesMs.get('slow')).toHaveLength(3);
    expect(result.samplesMs.get('fast')!.length).toBeGreaterThan(2 * 3);
  });

  it('batches calls shorter than minSampleMs into one sample', async () => {
    const budget = budgetFor('quick', { warmupMs: 0, minWarmupCalls: 2, minRounds: 2, maxRounds: 2, budgetMs: 0, minSampleMs: 1 });
    const result = await measureInterleaved([{ name: 'tiny', run: () => 1 + 1 }], budget);
    expect(result.callsPerSample.get('tiny')).toBeGreaterThan(1);
  });
});

describe('seeded generator', () => {
  it('is deterministic and uniform in [0, 1)', () => {
    const a = splitmix32(42);
    const b = splitmix32(42);
    const values = Array.from({ length: 10_000 }, () => a());
    expect(values.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.reduce((s, v) => s + v, 0) / values.length).toBeCloseTo(0.5, 1);
  });
});

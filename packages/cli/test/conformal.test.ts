import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng, splitConformal } from 'softmax';
import { calibratedSynthetic as synthetic, useTempDir } from './decision-fixtures.js';
import { runCli } from './run-cli.js';

const tmp = useTempDir('softmax-cli-conformal-');
const npy = tmp.npy;

describe('softmax conformal --exact-coverage', () => {
  // n = 59, α = 0.13: (n+1)(1−α) = 52.2, k = 53, θ = 0.2 (a fractional weight, so the randomisation matters).
  const cal = synthetic(59, 5, 11);
  const test = synthetic(500, 5, 12);
  const alpha = 0.13;

  async function run(extra: string[], out: string): Promise<{ code: number; json: { predictor: Record<string, unknown>; sets: number[][] } }> {
    const args = [
      'conformal', '--calib', await npy('cal.npy', cal.probs, [59, 5]), '--calib-labels', await npy('cal_y.npy', cal.labels, [59]),
      '--test', await npy('test.npy', test.probs, [500, 5]), '--alpha', String(alpha), '--method', 'split', '--score', 'lac', ...extra, '-o', join(tmp.dir(), out),
    ];
    const r = await runCli(args);
    return { code: r.code, json: r.code === 0 ? JSON.parse(await readFile(join(tmp.dir(), out), 'utf8')) : { predictor: {}, sets: [] } };
  }

  it('calibrates with exactCoverage and predicts with the rng seeded from --seed (same sets as the library)', async () => {
    const { code, json } = await run(['--exact-coverage', '--seed', '7'], 'exact.json');
    expect(code).toBe(0);
    expect(json.predictor.exactCoverage).toBe(true);
    expect(json.predictor.lowerThresholds).toHaveLength((json.predictor.thresholds as unknown[]).length);
    const predictor = splitConformal({ data: cal.probs, dims: [59, 5] }, cal.labels, { alpha, score: 'lac', exactCoverage: true, seed: 7 });
    const expected = predictor.predict({ data: test.probs, dims: [500, 5] }, { rng: createRng(8) }).sets;
    expect(json.sets).toEqual(expected);
  });

  it('is reproducible for a seed, and its sets lie between the lower- and upper-quantile sets', async () => {
    const a = await run(['--exact-coverage', '--seed', '3'], 'a.json');
    const b = await run(['--exact-coverage', '--seed', '3'], 'b.json');
    const plain = await run(['--seed', '3'], 'plain.json');
    expect(a.json.sets).toEqual(b.json.sets);
    expect(plain.json.predictor.exactCoverage).toBeUndefined();
    // Standard split conformal uses the upper order statistic q̂_hi; the randomised rule uses q̂_lo ≤ q̂_hi or q̂_hi
    // per test point, so every set is a subset of the standard set, and a fraction 1 − θ > 0 of the points is smaller.
    let smaller = 0;
    a.json.sets.forEach((set, i) => {
      for (const y of set) expect(plain.json.sets[i]).toContain(y);
      if (set.length < plain.json.sets[i].length) smaller++;
    });
    expect(smaller).toBeGreaterThan(0);
  });
});

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibratedSynthetic as synthetic, useTempDir } from './decision-fixtures.js';
import { runCli } from './run-cli.js';

const tmp = useTempDir('softmax-cli-decisions-');
const npy = tmp.npy;

describe('softmax conformal', () => {
  it('calibrates on logits and writes sets and metrics as JSON', async () => {
    const cal = synthetic(600, 5, 1);
    const test = synthetic(400, 5, 2);
    const args = [
      'conformal', '--logits',
      '--calib', await npy('cal.npy', cal.logits, [600, 5]), '--calib-labels', await npy('cal_y.npy', cal.labels, [600]),
      '--test', await npy('test.npy', test.logits, [400, 5]), '--test-labels', await npy('test_y.npy', test.labels, [400]),
      '--alpha', '0.1', '--method', 'split', '--score', 'lac', '-o', join(tmp.dir(), 'sets.json'),
    ];
    const run = await runCli(args);
    expect(run.stderr).toContain('coverage');
    expect(run.code).toBe(0);
    const out = JSON.parse(await readFile(join(tmp.dir(), 'sets.json'), 'utf8'));
    expect(out.sets).toHaveLength(400);
    expect(out.predictor.method).toBe('split');
    // Split conformal guarantees ≥ 1 − α marginally; 400 test rows: allow 3σ ≈ 0.045 below.
    expect(out.metrics.coverage).toBeGreaterThan(0.9 - 0.045);
  });

  it('hints at --logits when the inputs are not probabilities, and writes nothing', async () => {
    const cal = synthetic(50, 3, 3);
    const run = await runCli([
      'conformal', '--calib', await npy('c.npy', cal.logits, [50, 3]), '--calib-labels', await npy('y.npy', cal.labels, [50]),
      '--test', await npy('t.npy', cal.logits, [50, 3]), '--alpha', '0.1', '-o', join(tmp.dir(), 'out.json'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--logits');
    expect((await readdir(tmp.dir())).filter((f) => f.endsWith('.json'))).toEqual([]);
  });

  it('rejects a label count that does not match the rows', async () => {
    const cal = synthetic(40, 3, 4);
    const run = await runCli([
      'conformal', '--logits', '--calib', await npy('c.npy', cal.logits, [40, 3]), '--calib-labels', await npy('y.npy', cal.labels.subarray(0, 39), [39]),
      '--test', await npy('t.npy', cal.logits, [40, 3]), '--alpha', '0.1',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/labels/i);
  });
});

describe('softmax calibrate', () => {
  it('recovers the temperature that over-confident logits were scaled by', async () => {
    const { logits, labels } = synthetic(3000, 6, 5);
    // Labels were drawn from softmax(logits); multiplying the logits by 2 makes them over-confident,
    // so the NLL-optimal temperature is close to 2.
    const sharp = logits.map((v) => v * 2);
    const run = await runCli(['calibrate', '--logits', await npy('z.npy', sharp, [3000, 6]), '--labels', await npy('y.npy', labels, [3000]), '-o', join(tmp.dir(), 'cal.json')]);
    expect(run.code).toBe(0);
    const out = JSON.parse(await readFile(join(tmp.dir(), 'cal.json'), 'utf8'));
    expect(out.temperature).toBeGreaterThan(1.7);
    expect(out.temperature).toBeLessThan(2.3);
    expect(out.nllAfter).toBeLessThanOrEqual(out.nllBefore);
    expect(out.eceAfter).toBeLessThan(out.eceBefore);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { budgetFor } from '../src/harness/budget.js';
import { conformalSection } from '../src/report/sections/conformal-section.js';
import { reportSections } from '../src/report/sections/index.js';
import type { SuiteResult } from '../src/results/result-types.js';
import { conformalSuite } from '../src/suites/conformal-suite.js';
import type { ConformalIllustration } from '../src/suites/conformal/illustration-types.js';
import { MARGINS, difficultySet, marginOf, timingSet } from '../src/suites/conformal/synthetic.js';
import { createRng } from 'softmax';
import { suites } from '../src/suites/registry.js';

describe('conformal synthetic generators', () => {
  it('are deterministic under a seed', () => {
    const a = difficultySet(5, 20, 4);
    const b = difficultySet(5, 20, 4);
    const c = difficultySet(6, 20, 4);
    expect(a.probs.dims).toEqual([80, 20]);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.probs.data)).toEqual(Array.from(b.probs.data));
    expect(Array.from(a.probs.data)).not.toEqual(Array.from(c.probs.data));
    const t1 = timingSet(createRng(7), 30, 10);
    const t2 = timingSet(createRng(7), 30, 10);
    expect(Array.from(t1.probs.data)).toEqual(Array.from(t2.probs.data));
  });

  it('has class-dependent difficulty: harder groups get larger true-label scores', () => {
    const classes = 50;
    const set = difficultySet(11, classes, 40);
    const groups = MARGINS.length;
    const sum = new Float64Array(groups);
    const count = new Float64Array(groups);
    for (let i = 0; i < set.labels.length; i++) {
      const g = set.labels[i] % groups;
      sum[g] += 1 - set.probs.data[i * classes + set.labels[i]]; // LAC score of the true label
      count[g]++;
    }
    const means = Array.from(sum, (s, g) => s / count[g]);
    for (let g = 1; g < groups; g++) expect(means[g]).toBeLessThan(means[g - 1]);
    expect(means[0] - means[groups - 1]).toBeGreaterThan(0.3);
    expect(marginOf(0)).toBeLessThan(marginOf(groups - 1));
  });
});

describe('conformal suite, quick run', () => {
  let result: SuiteResult;
  let ill: ConformalIllustration;

  beforeAll(async () => {
    result = await conformalSuite.run({ mode: 'quick', budget: budgetFor('quick') });
    if (result.illustration?.kind !== 'conformal') throw new Error('no conformal illustration');
    ill = result.illustration;
  });

  it('is registered with its section', () => {
    expect(suites.some((s) => s.id === 'conformal')).toBe(true);
    expect(reportSections.some((s) => s.suite === 'conformal')).toBe(true);
    expect(result.suite).toBe('conformal');
  });

  it('produces the timing metrics for LAC and APS, without targets in quick mode', () => {
    expect(result.cases.map((c) => c.id)).toEqual(['clustered-lac', 'clustered-aps']);
    for (const c of result.cases) {
      expect(c.timings).toHaveLength(2);
      for (const t of c.timings) expect(t.medianMs).toBeGreaterThan(0);
      expect(c.metrics).toHaveLength(2);
      for (const m of c.metrics) {
        expect(m.value).toBeGreaterThan(0);
        expect(m.target).toBeUndefined();
      }
      for (const v of c.validation) expect(v.ok).toBe(true);
    }
    expect(ill.timing.map((t) => [t.score, t.classes, t.perClass, t.testRows])).toEqual([
      ['lac', 100, 20, 5000],
      ['aps', 100, 20, 5000],
    ]);
  });

  it('produces the reproduction table with all three methods and a verdict per setting', () => {
    const rep = ill.reproduction;
    expect(rep.seedsByClasses).toEqual([{ classes: 100, seeds: 2 }]);
    expect(rep.rows).toHaveLength(6);
    for (const n of [10, 50]) {
      expect(rep.rows.filter((r) => r.nAvg === n).map((r) => r.method)).toEqual(['standard', 'classwise', 'clustered']);
    }
    for (const r of rep.rows) {
      expect(r.covGap.mean).toBeGreaterThan(0);
      expect(r.avgSize.mean).toBeGreaterThan(1);
      expect(r.fracUnderCov.mean).toBeGreaterThanOrEqual(0);
    }
    expect(rep.verdicts.map((v) => v.nAvg)).toEqual([10, 50]);
    expect(typeof rep.verdicts[0].holds).toBe('boolean');
    expect(rep.summary).toMatch(/The claim holds in \d of 2 settings/);
    // Set-size histograms of the representative setting (|Y| = 100, n_avg = 10, seed 0): one per method,
    // counting every test point (20 per class).
    expect(rep.setSizes?.map((h) => h.method)).toEqual(['standard', 'classwise', 'clustered']);
    for (const h of rep.setSizes ?? []) expect(h.counts.reduce((a, b) => a + b, 0)).toBe(100 * 20);
    expect(JSON.parse(JSON.stringify(ill))).toEqual(ill);
  });

  it('renders the section with charts, tables and the verdict', () => {
    const html = conformalSection.render(result);
    expect(html).toContain('<svg');
    expect(html).toContain('CovGap vs n_avg, |Y| = 100');
    expect(html).toContain('AvgSize vs n_avg, |Y| = 100');
    expect(html).toContain('Reproduction of Ding et al.');
    expect(html).toContain('Claim checked.');
    expect(html).toContain('Verdict.');
    expect(html).toContain('Set sizes, LAC: synthetic, |Y| = 100, n_avg = 10, seed 0');
  });

  it('runs the Fashion-MNIST experiment when the dataset is installed, else says it skipped', () => {
    const fm = ill.fashionMnist;
    expect(fm).toBeDefined();
    const html = conformalSection.render(result);
    if (fm?.available) {
      expect(fm.testAccuracy).toBeGreaterThan(0.7);
      expect(fm.rows.length).toBeGreaterThan(0);
      expect(html).toContain('Set sizes, APS: Fashion-MNIST');
    } else {
      expect(result.notes.some((n) => n.startsWith('Fashion-MNIST experiment skipped'))).toBe(true);
      expect(html).toContain('Skipped:');
    }
  });
});

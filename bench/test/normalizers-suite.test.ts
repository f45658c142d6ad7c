import { beforeAll, describe, expect, it } from 'vitest';
import { budgetFor } from '../src/harness/budget.js';
import type { SuiteResult } from '../src/results/result-types.js';
import { normalizersSection } from '../src/report/sections/normalizers-section.js';
import { reportSections } from '../src/report/sections/index.js';
import { renderReport } from '../src/report/write-report.js';
import { normalizersSuite } from '../src/suites/normalizers-suite.js';
import { suites } from '../src/suites/registry.js';

const TARGETED = ['time-ratio:sparsemax:softmax', 'time-ratio:entmax α=1.5:softmax', 'time-ratio:entmax α=1.3:softmax'];

describe('normalizers suite, quick run', () => {
  let result: SuiteResult;

  beforeAll(async () => {
    result = await normalizersSuite.run({ mode: 'quick', budget: budgetFor('quick') });
  });

  it('is registered after the existing suites, with its section', () => {
    const ids = suites.map((s) => s.id);
    expect(ids.indexOf('normalizers')).toBeGreaterThan(ids.indexOf('crossEntropy'));
    expect(reportSections.some((s) => s.suite === 'normalizers')).toBe(true);
    expect(result.suite).toBe('normalizers');
    expect(result.mode).toBe('quick');
  });

  it('times the 13 mappings on n = 128 and 4096, validated, with the three target metrics at n = 4096', () => {
    expect(result.cases.map((c) => c.params.n)).toEqual([128, 4096]);
    expect(result.implementations.filter((i) => i.error !== undefined)).toEqual([]);
    for (const c of result.cases) {
      expect(c.elements).toBe(65536);
      expect(c.timings).toHaveLength(13);
      expect(c.timings[0].name).toBe('softmax');
      expect(c.timings.map((t) => t.name)).toContain('sort-based sparsemax (plain JS)');
      for (const t of c.timings) expect(t.medianMs).toBeGreaterThan(0);
      for (const v of c.validation) expect(v, `${c.label} ${v.name} vs ${v.against}`).toMatchObject({ ok: true });
      expect(c.validation.find((v) => v.name === 'sparsemax' && v.against === 'sort-based sparsemax (plain JS)')?.tolerance).toBe(1e-6);
      expect(c.validation.find((v) => v.name === 'entmax α=1.5' && v.against === 'Σ row = 1')).toBeDefined();
      for (const id of TARGETED) {
        const m = c.metrics.find((x) => x.id === id);
        expect(m?.value, `${c.label} ${id}`).toBeGreaterThan(0);
        if (c.params.n === 4096) expect(m?.target?.op).toBe('<=');
        else expect(m?.target).toBeUndefined();
      }
      expect(c.metrics.find((x) => x.id === 'speedup:sparsemax:sort-based sparsemax (plain JS)')?.target).toBeUndefined();
    }
    const at4096 = result.cases[1].metrics;
    expect(TARGETED.map((id) => at4096.find((m) => m.id === id)?.target?.value)).toEqual([4, 4, 10]);
  });

  it('carries the illustration: example outputs, a temperature sweep and sparsity/entropy statistics', () => {
    const any = result.illustration!;
    expect(any.kind).toBe('normalizers');
    if (any.kind !== 'normalizers') return;
    const ill = any;
    expect(ill.exampleLogits).toHaveLength(12);
    expect(ill.exampleLogits.at(-1)).toBeNull(); // the masked entry (JSON has no −∞)
    const byName = new Map(ill.mappings.map((m) => [m.name, m]));
    for (const name of ['softmax', 'sparsemax', 'entmax α=1.5', 'entmax α=1.3', 'sparseSoftmax k=3', 'softpick', 'clippedSoftmax', 'scalableSoftmax', 'stableMax', 'selfAdjustSoftmax', 'gumbelSoftmax', 'adaptiveTemperatureSoftmax']) {
      expect(byName.get(name)?.output, name).toHaveLength(12);
    }
    // sparsemax keeps 3 of the 11 unmasked entries: τ = (3.2 + 3.0 + 2.7 − 1)/3.
    const sm = byName.get('sparsemax')!;
    expect(sm.output.slice(0, 3).map((v) => +v.toFixed(6))).toEqual([0.566667, 0.366667, 0.066667]);
    expect(sm.sparsity).toBeCloseTo(8 / 11, 12);
    expect(byName.get('softmax')!.sparsity).toBe(0);
    expect(byName.get('sparseSoftmax k=3')!.sparsity).toBeCloseTo(8 / 11, 12);
    // Entropy is undefined for x ⊙ softmax(x) (negative outputs), defined for the rest.
    expect(byName.get('selfAdjustSoftmax')!.entropy).toBeNull();
    expect(byName.get('softpick')!.sumsToOne).toBe(false);
    expect(byName.get('softmax')!.entropy!).toBeGreaterThan(byName.get('entmax α=1.5')!.entropy!);
    expect(byName.get('entmax α=1.5')!.entropy!).toBeGreaterThan(sm.entropy!);
    for (const m of ill.mappings) {
      expect(m.random.meanSparsity).toBeGreaterThanOrEqual(0);
      if (m.sumsToOne) expect(m.random.meanSum).toBeCloseTo(1, 9);
    }
    expect(byName.get('sparsemax')!.random.meanSparsity).toBeGreaterThan(0.5);
    expect(ill.randomRows).toMatchObject({ rows: 1000, n: 64 });

    expect(ill.sweep.temperatures).toEqual([0.25, 0.5, 1, 2, 4]);
    expect(ill.sweep.series.map((s) => s.name)).toEqual(['softmax', 'sparsemax', 'entmax α=1.5']);
    for (const s of ill.sweep.series) {
      // Hotter is flatter: entropy rises with τ, sparsity never grows.
      for (let i = 1; i < 5; i++) {
        expect(s.entropy[i]).toBeGreaterThan(s.entropy[i - 1]);
        expect(s.sparsity[i]).toBeLessThanOrEqual(s.sparsity[i - 1]);
      }
    }
    const sk = ill.sinkhorn!;
    for (let i = 0; i < sk.output.length; i++) {
      expect(sk.output[i].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(sk.output.reduce((a, row) => a + row[i], 0)).toBeCloseTo(1, 6);
    }
    // Survives the JSON round trip of the result files.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('renders its section: SVG charts, the tables and their titles', () => {
    const html = normalizersSection.render(result);
    expect((html.match(/<svg/g) ?? []).length).toBe(3);
    for (const title of [
      'Median ns per element against row length',
      'Output of each mapping on the example row',
      'Entropy of the output (nats) against τ',
      'Sparsity (fraction of exact zeros) against τ',
      'Ratios and targets',
      'Timings (per call)',
      'Outputs on the example row',
      'Sparsity and entropy on the example row and on 1,000 random rows of length 64',
      'sinkhorn on a 4 × 4 matrix',
      'Validation (once per case, outside timing)',
    ]) {
      expect(html, title).toContain(title);
    }
    expect(html).toContain('sort-based sparsemax (plain JS)');
    expect(html).not.toMatch(/<script|NaN|undefined/);
    const page = renderReport([result]);
    expect(page).toContain(`<h2>${normalizersSection.title}</h2>`);
    expect(page).toContain('sparsemax / softmax time');
  });

  it('renders a result without illustration data (timings only)', () => {
    const { illustration: _unused, ...timingsOnly } = result;
    const html = normalizersSection.render(timingsOnly);
    expect((html.match(/<svg/g) ?? []).length).toBe(1);
    expect(html).not.toContain('Outputs on the example row');
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from 'softmax';
import { budgetFor } from '../src/harness/budget.js';
import { quaternionSection } from '../src/report/sections/quaternion-section.js';
import type { SuiteResult } from '../src/results/result-types.js';
import { quaternionSuite } from '../src/suites/quaternion-suite.js';
import type { QuaternionIllustration } from '../src/suites/quaternion/illustration-types.js';
import { jsDivergence } from '../src/suites/quaternion/maps.js';
import { parameterTable } from '../src/suites/quaternion/params.js';
import { meanStd } from '../src/suites/quaternion/quality.js';
import { corpusText } from '../src/suites/quaternion/corpus.js';
import { fashionMnistDir, missingFashionFiles } from '../src/datasets/fashion-mnist.js';

/** Whether this machine has Fashion-MNIST (CI may not: the suite then skips that task and says so). */
const hasFashion = missingFashionFiles(fashionMnistDir()).length === 0;

describe('quaternion suite helpers', () => {
  it('jsDivergence: 0 for equal rows, 1 bit for disjoint ones, symmetric', () => {
    expect(jsDivergence([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(jsDivergence([1, 0], [0, 1])).toBeCloseTo(1, 15);
    expect(jsDivergence([0.9, 0.1], [0.2, 0.8])).toBeCloseTo(jsDivergence([0.2, 0.8], [0.9, 0.1]), 15);
  });

  it('meanStd uses the sample standard deviation', () => {
    expect(meanStd([1, 2, 3])).toEqual({ mean: 2, std: 1 });
    expect(meanStd([4])).toEqual({ mean: 4, std: 0 });
  });

  it('parameter table: quaternion linear maps hold exactly 1/4 of the real weights', () => {
    const rows = parameterTable();
    const attention = rows.find((r) => r.part === 'attention projections')!;
    expect(attention.ratio).toBe(0.25);
    const embeddings = rows.find((r) => r.part.startsWith('embeddings'))!;
    expect(embeddings.ratio).toBe(1);
    const mlp = rows.find((r) => r.part === 'MLP')!;
    expect(mlp.ratio).toBeGreaterThan(0.25);
    expect(mlp.ratio).toBeLessThan(0.27); // biases are real-sized in both
  });

  it('the corpus is the repository text (or a generated one) of at least a few thousand characters', () => {
    const { text, source } = corpusText();
    expect(text.length).toBeGreaterThan(4000);
    expect(source.length).toBeGreaterThan(0);
  });
});

describe('quaternion suite (quick mode)', () => {
  let result: SuiteResult;
  beforeAll(async () => {
    await ready();
    result = await quaternionSuite.run({ mode: 'quick', budget: budgetFor('quick') });
  });

  it('times both variants on the attention op and the 2-block model at every quick length', () => {
    const ill = result.illustration as unknown as QuaternionIllustration;
    expect(ill.kind).toBe('quaternion');
    expect(ill.speed.map((r) => `${r.scope}-${r.length}`)).toEqual(['attention-32', 'model-32', 'attention-96', 'model-96']);
    for (const r of ill.speed) {
      expect(r.sharedMs).toBeGreaterThan(0);
      expect(r.componentwiseMs).toBeGreaterThan(0);
      expect(r.reduction).toBeCloseTo(1 - r.sharedMs / r.componentwiseMs, 12);
    }
    expect(result.cases).toHaveLength(4);
    expect(result.cases[0].timings.map((t) => t.name)).toEqual(['componentwise', 'shared']);
  });

  it('reports exact operation counts (−75 % multiplications, 4 → 1 softmaxes), ranks and quality rows', () => {
    const ill = result.illustration as unknown as QuaternionIllustration;
    const [c, s] = ill.ops;
    expect(c.variant).toBe('componentwise');
    expect(s.scoreMultiplications / c.scoreMultiplications).toBe(0.25);
    expect([c.softmaxCalls, s.softmaxCalls]).toEqual([4 * 4, 4]); // 4 heads
    expect(ill.subspace.quaternion.withConjugateComponents).toBe(ill.subspace.quaternion.shared);
    expect(ill.subspace.identity.withConjugateComponents).toBeGreaterThan(ill.subspace.identity.shared);
    expect(ill.quality).toHaveLength(hasFashion ? 8 : 6); // (3 sequence tasks + Fashion-MNIST if installed) × 2 variants
    expect(ill.quality.some((r) => r.task.startsWith('Fashion-MNIST'))).toBe(hasFashion);
    expect(ill.qualityNotes.some((n) => (hasFashion ? /16 patches of 7×7/ : /Fashion-MNIST as a patch sequence: skipped/).test(n))).toBe(true);
    for (const r of ill.quality) {
      expect(r.seeds).toBe(3);
      expect(Number.isFinite(r.evalLoss.mean)).toBe(true);
      expect(r.evalAccuracy.mean).toBeGreaterThanOrEqual(0);
    }
    const maps = ill.maps!;
    expect(maps.components).toHaveLength(4);
    expect(maps.shared).toHaveLength(maps.tokens.length);
    for (const row of maps.shared.slice(1)) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    for (let c2 = 0; c2 < 4; c2++) expect(maps.jsComponents[c2][c2]).toBe(0);
  });

  it('renders a section with the tables and heatmaps', () => {
    const html = quaternionSection.render(result);
    for (const text of ['Operation counts', 'Inference time', 'Quality', 'Parameters', 'Attention maps', 'Interaction subspace', '<svg']) expect(html).toContain(text);
    expect(html).toMatch(/Claim &quot;quality maintained&quot;|Claim "quality maintained"/);
    expect(html).toContain('noise band');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(6); // speed chart + 5 maps
  });
});

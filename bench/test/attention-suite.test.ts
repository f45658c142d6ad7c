import { beforeAll, describe, expect, it } from 'vitest';
import { budgetFor } from '../src/harness/budget.js';
import { reportSections } from '../src/report/sections/index.js';
import { attentionSection } from '../src/report/sections/attention-section.js';
import { renderReport } from '../src/report/write-report.js';
import type { SuiteResult } from '../src/results/result-types.js';
import { attentionSuite, growthExponent } from '../src/suites/attention-suite.js';
import { suites } from '../src/suites/registry.js';

const ORT = ['onnxruntime-node MatMul–Softmax–MatMul', 'onnxruntime-node MultiHeadAttention (contrib)', 'onnxruntime-node Attention (opset 23)'];
const FORWARD = ['attention (ours)', 'attention zero-copy (ours)', ...ORT, 'tfjs-wasm'];
const DECODE = ['attendDecode (ours)', 'attention (ours)', ...ORT, 'tfjs-wasm', '@ruvector/attention MultiHeadAttention', '@ruvector/attention DotProductAttention ×heads'];

describe('attention suite, quick run', () => {
  let result: SuiteResult;

  beforeAll(async () => {
    result = await attentionSuite.run({ mode: 'quick', budget: budgetFor('quick') });
  });

  it('has every implementation load (or reports why not) and nothing skipped at the quick sizes', () => {
    expect(result.implementations.filter((i) => i.error !== undefined)).toEqual([]);
    expect(result.notes.filter((n) => / not run| not timed/.test(n))).toEqual([]);
  });

  it('is registered after the normalizers suite, with its section', () => {
    const ids = suites.map((s) => s.id);
    expect(ids.indexOf('attention')).toBeGreaterThan(ids.indexOf('normalizers'));
    expect(reportSections.some((s) => s.suite === 'attention')).toBe(true);
    expect(result.suite).toBe('attention');
  });

  it('times the forward cases (causal and not) and the decode cases, every peer validated against ours', () => {
    expect(result.cases.map((c) => c.id)).toEqual(['L=64', 'L=64:causal', 'L=128', 'L=128:causal', 'decode:512', 'decode:1024']);
    for (const c of result.cases) {
      const names = c.timings.map((t) => t.name);
      for (const name of c.params.decode === 1 ? DECODE : FORWARD) expect(names, `${c.id}`).toContain(name);
      for (const t of c.timings) expect(t.medianMs, `${c.id} ${t.name}`).toBeGreaterThan(0);
      // Ours against float64, and every other output against ours.
      expect(c.validation.length).toBeGreaterThanOrEqual(names.length);
      for (const v of c.validation) expect(v, `${c.id} ${v.name} vs ${v.against}`).toMatchObject({ ok: true });
      expect(c.params.flops).toBe(4 * 8 * (c.params.causal === 1 ? (c.params.lq * (c.params.lq + 1)) / 2 : c.params.lq * c.params.lk) * 64);
      for (const t of c.timings) {
        const g = c.metrics.find((m) => m.id === `gflops:${t.name}`);
        expect(g?.value).toBeCloseTo(c.params.flops / (t.medianMs * 1e6), 6);
      }
    }
    // Targets: ≥ 1× the fastest onnxruntime graph at L ≤ 2048, ≥ 2× tfjs-wasm, decode ≥ 2× @ruvector.
    const forward = result.cases.find((c) => c.id === 'L=128')!;
    expect(forward.metrics.find((m) => m.id === 'speedup:best-onnxruntime')?.target).toEqual({ op: '>=', value: 1 });
    expect(forward.metrics.find((m) => m.id === 'speedup:attention (ours):tfjs-wasm')?.target).toEqual({ op: '>=', value: 2 });
    const decode = result.cases.find((c) => c.id === 'decode:1024')!;
    const ruv = decode.metrics.find((m) => m.id === 'speedup:best-ruvector')!;
    expect(ruv.target).toEqual({ op: '>=', value: 2 });
    const fastestRuvector = Math.min(...decode.timings.filter((t) => t.name.startsWith('@ruvector')).map((t) => t.medianMs));
    expect(ruv.value).toBeCloseTo(fastestRuvector / decode.timings.find((t) => t.name === 'attendDecode (ours)')!.medianMs, 9);
    expect(ruv.pass).toBe(ruv.value! >= 2);
  });

  it('measures peak memory per length for ours and the materialising peers', () => {
    for (const c of result.cases.filter((x) => x.params.decode === 0 && x.params.causal === 0)) {
      const names = (c.memory ?? []).map((m) => m.name);
      expect(names).toContain('attention (ours)');
      expect(names).toContain('onnxruntime-node MatMul–Softmax–MatMul');
      // At least the output [1, 8, L, 64] float32 is new memory of our call.
      expect(c.memory!.find((m) => m.name === 'attention (ours)')!.peakExtraBytes).toBeGreaterThanOrEqual(8 * c.params.L * 64 * 4);
    }
    // Two lengths in quick mode: too few for an exponent.
    expect(result.cases.flatMap((c) => c.metrics).some((m) => m.id.startsWith('memory-exponent'))).toBe(false);
    const linear = [1000, 4000, 16000].map((l) => ({ l, bytes: 4096 * l }));
    expect(growthExponent(linear)).toBeCloseTo(1, 12);
    expect(growthExponent(linear.map((p) => ({ l: p.l, bytes: p.l * p.l })))).toBeCloseTo(2, 12);
    // Least squares: a noisy middle point moves the slope less than a two-point ratio would.
    expect(growthExponent([{ l: 1, bytes: 1 }, { l: 4, bytes: 8 }, { l: 16, bytes: 16 }])).toBeCloseTo(1, 12);
  });

  it('carries the six weight maps of the example, with sparse maps sparse and the gate below one', () => {
    const ill = result.illustration;
    if (ill?.kind !== 'attention') throw new Error('no attention illustration');
    const byName = new Map(ill.maps.map((m) => [m.name, m]));
    expect([...byName.keys()]).toEqual(['softmax', 'sparsemax', 'entmax α=1.5', 'softpick', 'sigmoid', 'gated (softmax × output gate)']);
    const n = ill.tokens.length;
    expect(n).toBe(24);
    for (const m of ill.maps) {
      expect(m.weights).toHaveLength(n);
      // Causal: nothing above the diagonal.
      m.weights.forEach((row, i) => row.forEach((w, j) => (j > i ? expect(w, `${m.name} ${i},${j}`).toBe(0) : expect(w).toBeGreaterThanOrEqual(0))));
    }
    for (const name of ['softmax', 'sparsemax', 'entmax α=1.5']) {
      expect(byName.get(name)!.rowSum[0]).toBeCloseTo(1, 12);
      expect(byName.get(name)!.rowSum[1]).toBeCloseTo(1, 12);
    }
    expect(byName.get('softmax')!.zeroFraction).toBe(0);
    expect(byName.get('sparsemax')!.zeroFraction).toBeGreaterThan(byName.get('entmax α=1.5')!.zeroFraction);
    expect(byName.get('entmax α=1.5')!.zeroFraction).toBeGreaterThan(0);
    expect(byName.get('gated (softmax × output gate)')!.rowSum[1]).toBeLessThan(1);
    expect(byName.get('sigmoid')!.rowSum[0]).not.toBeCloseTo(1, 3);
  });

  it('renders its section: targets, speed and memory charts, and one heatmap per map', () => {
    const html = attentionSection.render(result);
    expect(html).toContain('cases meeting it');
    expect(html).toContain('GFLOP/s');
    expect(html).toContain('Peak extra memory of one forward call');
    expect((html.match(/<figure class="heatmap"><svg/g) ?? []).length).toBe(6);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(6 + 5);
    const page = renderReport([result]);
    expect(page).toContain('attention: speed and memory against length');
    expect(page).not.toMatch(/<script|src="http/);
  });
});

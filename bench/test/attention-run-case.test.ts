import { describe, expect, it } from 'vitest';
import { budgetFor } from '../src/harness/budget.js';
import type { AttentionPeer, AttentionProblem } from '../src/peers/attention-peer.js';
import { attentionFlops, makeProblem } from '../src/suites/attention/problems.js';
import { runAttentionCase } from '../src/suites/attention/run-case.js';
import type { CallRecord } from '../src/suites/attention/run-case.js';

/** Exact softmax attention in float64, written into float32: a correct "implementation" for the harness. */
function exact(p: AttentionProblem): Float32Array {
  const out = new Float32Array(p.batch * p.heads * p.lq * p.d);
  const s = new Float64Array(p.lk);
  for (let bh = 0; bh < p.batch * p.heads; bh++) {
    for (let i = 0; i < p.lq; i++) {
      const end = p.causal ? i + (p.lk - p.lq) + 1 : p.lk;
      let max = -Infinity;
      for (let j = 0; j < end; j++) {
        let dot = 0;
        for (let c = 0; c < p.d; c++) dot += p.q[(bh * p.lq + i) * p.d + c] * p.k[(bh * p.lk + j) * p.d + c];
        s[j] = dot * p.scale;
        max = Math.max(max, s[j]);
      }
      let sum = 0;
      for (let j = 0; j < end; j++) sum += s[j] = Math.exp(s[j] - max);
      for (let c = 0; c < p.d; c++) {
        let acc = 0;
        for (let j = 0; j < end; j++) acc += s[j] * p.v[(bh * p.lk + j) * p.d + c];
        out[(bh * p.lq + i) * p.d + c] = acc / sum;
      }
    }
  }
  return out;
}

function peer(name: string, run: (p: AttentionProblem) => Float32Array, setup: () => Promise<void> = async () => {}): AttentionPeer {
  return { name, packageName: 'test', setup, run, dispose: async () => {} };
}

const budget = budgetFor('quick', { minRounds: 2, maxRounds: 2, budgetMs: 0, warmupMs: 0 });

describe('one attention case: validation, failures and the time limit', () => {
  const problem = makeProblem(16, 16, true);

  it('validates every output against the baseline and the baseline against float64, then times them', async () => {
    const shifted = (p: AttentionProblem) => exact(p).map((x) => x + 1e-3);
    const outcome = await runAttentionCase({
      label: 't', problem, baseline: 'ours', budget, maxCallMs: 5000, baselineMaxCallMs: 5000, tolerance: 1e-5, referenceTolerance: 1e-5,
      peers: [peer('ours', exact), peer('same', exact), peer('off', shifted), peer('broken', exact, async () => { throw new Error('no such op'); })],
      history: new Map(), materialising: new Set(), measureMemory: true,
    });
    expect(outcome.validation.map((v) => [v.name, v.against, v.ok])).toEqual([
      ['ours', 'float64 reference (8 rows per head)', true],
      ['same', 'ours', true],
      ['off', 'ours', false],
    ]);
    expect(outcome.validation[2].maxAbsDiff).toBeCloseTo(1e-3, 6);
    expect(outcome.failures.get('broken')).toBe('did not load: no such op');
    expect(outcome.timings.map((t) => t.name)).toEqual(['ours', 'same', 'off']);
    expect(outcome.memory.map((m) => m.name)).toEqual(['ours', 'same', 'off']);
  });

  it('skips a peer whose predicted call exceeds the limit, and everything when the baseline is not timed', async () => {
    const flops = attentionFlops(problem);
    const history = new Map<string, CallRecord>([['slow', { ms: 100, flops: flops / 100 }]]);
    let slowCalls = 0;
    const outcome = await runAttentionCase({
      label: 't', problem, baseline: 'ours', budget, maxCallMs: 5000, baselineMaxCallMs: 5000, tolerance: 1e-5, referenceTolerance: 1e-5,
      peers: [peer('ours', exact), peer('slow', (p) => (slowCalls++, exact(p)))],
      history, materialising: new Set(), measureMemory: false,
    });
    expect(slowCalls).toBe(0);
    expect(outcome.skipped.get('slow')).toMatch(/^not run: one call would take about 10\.0 s .* over the 5\.0 s limit/);
    expect(outcome.timings.map((t) => t.name)).toEqual(['ours']);
    // The history now holds ours' warm median at this size, for the next one.
    expect(history.get('ours')?.flops).toBe(flops);

    const noBaseline = await runAttentionCase({
      label: 't', problem, baseline: 'ours', budget, maxCallMs: 5000, baselineMaxCallMs: 1, tolerance: 1e-5, referenceTolerance: 1e-5,
      peers: [peer('ours', exact), peer('other', exact)],
      history: new Map([['ours', { ms: 10, flops }]]), materialising: new Set(), measureMemory: false,
    });
    expect(noBaseline.timings).toEqual([]);
    expect(noBaseline.skipped.get('other')).toMatch(/baseline\) was not timed/);
  });
});

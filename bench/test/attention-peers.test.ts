import { describe, expect, it } from 'vitest';
import { ORT_ATTENTION, ORT_MHA, onnxRuntimeAttentionPeer } from '../src/peers/attention-onnxruntime.js';
import type { AttentionPeer, AttentionProblem } from '../src/peers/attention-peer.js';
import { causalAdditiveMask, headsToSequence, sequenceToHeads } from '../src/peers/attention-peer.js';
import { ruvectorDotProductPeer, ruvectorMultiHeadPeer } from '../src/peers/attention-ruvector.js';
import { tfjsAttentionPeer } from '../src/peers/attention-tfjs.js';
import { attentionFlops, makeProblem } from '../src/suites/attention/problems.js';
import { maxDiffOnSampledRows } from '../src/suites/attention/reference.js';
import { formatMetricValue, formatTarget } from '../src/results/format.js';

/** Runs a peer once and returns its output in [batch, heads, lq, d] order. */
async function runOnce(peer: AttentionPeer, p: AttentionProblem): Promise<Float32Array> {
  await peer.setup(p);
  try {
    await peer.beforeRun?.();
    const out = await peer.run(p);
    return peer.toStandard?.(out, p) ?? out;
  } finally {
    await peer.dispose();
  }
}

describe('attention peers agree with a float64 reference', () => {
  for (const causal of [false, true]) {
    it(`onnxruntime MatMul–Softmax–MatMul and tfjs-wasm, L = 48${causal ? ', causal' : ''}`, async () => {
      const p = makeProblem(48, 48, causal);
      for (const peer of [onnxRuntimeAttentionPeer('sdpa'), tfjsAttentionPeer()]) {
        const out = await runOnce(peer, p);
        expect(out).toHaveLength(p.q.length);
        // Every row of every head is checked (48 rows ≤ the sampled-row count per head).
        expect(maxDiffOnSampledRows(p, out, 48), peer.name).toBeLessThan(1e-5);
      }
    });

    it(`onnxruntime MultiHeadAttention (contrib, com.microsoft opset) and Attention (opset 23) load and agree${causal ? ', causal' : ''}`, async () => {
      const p = makeProblem(40, 40, causal);
      for (const peer of [onnxRuntimeAttentionPeer('mha'), onnxRuntimeAttentionPeer('attention23')]) {
        expect([ORT_MHA, ORT_ATTENTION]).toContain(peer.name);
        // MultiHeadAttention's output is [B, L, H·d]; toStandard re-lays it out (checked by the reference).
        expect(maxDiffOnSampledRows(p, await runOnce(peer, p), 40), peer.name).toBeLessThan(1e-5);
      }
    });
  }

  it('@ruvector/attention single-query calls match the reference on a decode problem', async () => {
    const p = makeProblem(1, 300, false);
    for (const peer of [ruvectorMultiHeadPeer(), ruvectorDotProductPeer(), onnxRuntimeAttentionPeer('sdpa'), tfjsAttentionPeer()]) {
      const out = await runOnce(peer, p);
      expect(maxDiffOnSampledRows(p, out), peer.name).toBeLessThan(1e-5);
    }
  });

  it('@ruvector/attention refuses forward (multi-query, causal) problems', async () => {
    await expect(ruvectorMultiHeadPeer().setup(makeProblem(4, 4, true))).rejects.toThrow(/decode cases only/);
  });
});

describe('attention peer helpers', () => {
  it('re-lays [B, H, L, d] out as [B, L, H·d] and back', () => {
    const x = Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i);
    const s = headsToSequence(x, 2, 3, 4, 5);
    // Element (b=1, h=2, i=3, c=4) moves to ((1·4 + 3)·3 + 2)·5 + 4.
    expect(s[((1 * 4 + 3) * 3 + 2) * 5 + 4]).toBe(x[((1 * 3 + 2) * 4 + 3) * 5 + 4]);
    expect(sequenceToHeads(s, 2, 3, 4, 5)).toEqual(x);
  });

  it('builds the causal mask bottom-right aligned, and counts causal flops as half the pairs', () => {
    expect([...causalAdditiveMask(2, 3)]).toEqual([0, 0, -Infinity, 0, 0, 0]);
    expect(attentionFlops({ batch: 1, heads: 8, lq: 128, lk: 128, d: 64, causal: false })).toBe(4 * 8 * 128 * 128 * 64);
    expect(attentionFlops({ batch: 1, heads: 1, lq: 4, lk: 4, d: 1, causal: true })).toBe(4 * 10);
  });

  it('formats throughput and plain-number metrics and their targets', () => {
    expect(formatMetricValue(12.345, 'GFLOP/s')).toBe('12.3 GFLOP/s');
    expect(formatMetricValue(1.0123, 'number')).toBe('1.01');
    expect(formatTarget({ op: '<=', value: 1.2 }, 'number')).toBe('≤ 1.2');
    expect(formatTarget({ op: '>=', value: 10 }, 'GFLOP/s')).toBe('≥ 10 GFLOP/s');
  });
});

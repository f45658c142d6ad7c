import type { AttentionProblem } from '../../peers/attention-peer.js';

/**
 * Float64 softmax attention of a few query rows of every head, the reference our output is checked
 * against (all rows at L = 8192 would take a minute of scalar JavaScript). Returns the checked rows'
 * largest |ours − reference| over `output` laid out [batch, heads, lq, d].
 */
export function maxDiffOnSampledRows(p: AttentionProblem, output: ArrayLike<number>, rowsPerHead = 8): number {
  const { lq, lk, d } = p;
  const rows = new Set<number>();
  for (let r = 0; r < Math.min(rowsPerHead, lq); r++) rows.add(Math.round((r * (lq - 1)) / Math.max(1, rowsPerHead - 1)));
  const scores = new Float64Array(lk);
  let worst = 0;
  for (let bh = 0; bh < p.batch * p.heads; bh++) {
    for (const i of rows) {
      const qo = (bh * lq + i) * d;
      const end = p.causal ? Math.min(lk, i + (lk - lq) + 1) : lk;
      let max = -Infinity;
      for (let j = 0; j < end; j++) {
        let dot = 0;
        const ko = (bh * lk + j) * d;
        for (let c = 0; c < d; c++) dot += p.q[qo + c] * p.k[ko + c];
        scores[j] = dot * p.scale;
        if (scores[j] > max) max = scores[j];
      }
      let sum = 0;
      for (let j = 0; j < end; j++) sum += scores[j] = Math.exp(scores[j] - max);
      for (let c = 0; c < d; c++) {
        let acc = 0;
        for (let j = 0; j < end; j++) acc += scores[j] * p.v[(bh * lk + j) * d + c];
        const diff = Math.abs(acc / sum - output[qo + c]);
        if (!(diff <= worst)) worst = Number.isNaN(diff) ? Infinity : diff;
      }
    }
  }
  return worst;
}

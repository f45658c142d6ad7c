import { TransformerLM } from 'softmax';
import { QuaternionTransformerLM } from 'softmax';
import type { ParameterRow } from './illustration-types.js';

/** Width of the comparison: the speed set-up (d_model 64, 4 heads, 2 layers), vocabulary 32, context 64. */
const CONFIG = { vocab: 32, dModel: 64, heads: 4, layers: 2, maxLength: 64, mlpHidden: 256 } as const;

type Part = 'attention projections' | 'MLP' | 'norms' | 'embeddings + read-out (real in both)';

function partOf(name: string): Part {
  if (/^(tokens|positions|head)\./.test(name)) return 'embeddings + read-out (real in both)';
  if (/norm/i.test(name)) return 'norms';
  if (/\.attention\./.test(name)) return 'attention projections';
  return 'MLP';
}

function countByPart(params: Map<string, { size: number }>): Map<Part, number> {
  const out = new Map<Part, number>();
  for (const [name, p] of params) out.set(partOf(name), (out.get(partOf(name)) ?? 0) + p.size);
  return out;
}

/**
 * Parameters of the quaternion LM vs the library's real `TransformerLM` of the same width (same
 * vocabulary, context, layers, heads, MLP width), by part. The quaternion linear maps hold exactly 1/4.
 */
export function parameterTable(): ParameterRow[] {
  const quaternion = new QuaternionTransformerLM({ ...CONFIG });
  const real = new TransformerLM({ ...CONFIG, bias: false });
  const q = countByPart(quaternion.namedParameters());
  const r = countByPart(real.namedParameters());
  const parts: Part[] = ['attention projections', 'MLP', 'norms', 'embeddings + read-out (real in both)'];
  const rows: ParameterRow[] = parts.map((part) => ({ part, quaternion: q.get(part) ?? 0, real: r.get(part) ?? 0, ratio: (q.get(part) ?? 0) / Math.max(1, r.get(part) ?? 0) }));
  const blocks = (m: Map<Part, number>): number => (m.get('attention projections') ?? 0) + (m.get('MLP') ?? 0) + (m.get('norms') ?? 0);
  rows.push({ part: `transformer blocks (${CONFIG.layers} layers, d_model ${CONFIG.dModel})`, quaternion: blocks(q), real: blocks(r), ratio: blocks(q) / blocks(r) });
  rows.push({ part: 'whole model', quaternion: quaternion.parameterCount(), real: real.parameterCount(), ratio: quaternion.parameterCount() / real.parameterCount() });
  return rows;
}

export const PARAMETER_CONFIG = CONFIG;

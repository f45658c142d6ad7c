import { crossEntropy, type CrossEntropyOptions, type Labels } from '../../ops/crossEntropy.js';
import type { FloatArray } from '../../tensor/types.js';
import { record, type Variable } from '../autograd/variable.js';
import { asVariable, type Operand } from './operand.js';

/**
 * Cross-entropy of logits [..., classes] against integer labels (one per row; `ignoreIndex` rows are
 * skipped) on the tape, using the library's fused `crossEntropy` forward and its `vjp` (the
 * probability matrix is never stored). `'mean'`/`'sum'` give a scalar variable, `'none'` one per row.
 */
export function crossEntropyLoss(logits: Operand, labels: Labels, options: CrossEntropyOptions = {}): Variable {
  const x = asVariable(logits, 'logits');
  const value = crossEntropy(x, labels, options);
  const perRow = typeof value !== 'number';
  const data: FloatArray = perRow ? value : Float64Array.of(value);
  const dims = perRow ? x.dims.slice(0, -1) : [];
  return record('crossEntropy', data, dims, [x], (g) => {
    const grad = crossEntropy.vjp(value, perRow ? g : g[0], { ...options, x, labels });
    return [ArrayBuffer.isView(grad) ? grad : grad.data];
  });
}

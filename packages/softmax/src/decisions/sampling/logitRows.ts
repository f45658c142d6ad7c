import { fail } from '../../tensor/errors.js';
import type { FloatArray, Input } from '../../tensor/types.js';
import { toView } from '../../tensor/view.js';

/** Validated logits for token selection: rows of length `vocab` along the last axis. */
export interface LogitRows {
  data: FloatArray;
  rows: number;
  vocab: number;
  /** The caller passed one bare row: return a number, not an Int32Array. */
  isRow: boolean;
}

/** Validates logits `{ data, dims: [..., vocab] }` or one row; the vocabulary must be non-empty. */
export function parseLogitRows(logits: Input, name = 'logits'): LogitRows {
  const view = toView(logits, name);
  if (view.dims.length === 0) fail('E_SHAPE', `${name}.dims`, 'at least one dimension (the vocabulary)', '[]');
  const vocab = view.dims[view.dims.length - 1];
  if (vocab === 0) fail('E_SHAPE', `${name}.dims`, 'a non-empty last dimension (the vocabulary)', `[${view.dims.join(', ')}]`);
  return { data: view.data, rows: view.data.length / vocab, vocab, isRow: view.isRow };
}

/** The error for a row nothing can be chosen from (every logit −∞, or a NaN/+∞ logit). */
export function failRow(name: string, row: number): never {
  return fail('E_INPUT', `${name} row ${row}`, 'at least one finite logit and no NaN or +∞');
}

/** Wraps per-row token ids in the caller's form: a number for a bare row, else the Int32Array. */
export function tokensOut(rows: LogitRows, ids: Int32Array): number | Int32Array {
  return rows.isRow ? ids[0] : ids;
}

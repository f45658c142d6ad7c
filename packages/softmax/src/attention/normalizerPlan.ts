/**
 * Resolves attention's `normalizer` option: softmax runs on the flash path; score maps and every
 * other normaliser (registry names or `Normalizer` objects) run row-wise on materialised score blocks.
 */
import { normalizers, resolveNormalizer, type Normalizer } from '../normalizers/registry.js';
import { fail } from '../tensor/errors.js';
import { isFloatArray } from '../tensor/view.js';
import type { AttentionOptions, AttentionScoreMapName } from './attentionTypes.js';
import { isTensorObject, type AttentionShape } from './layout.js';
import { rowMasked, type RowOp } from './rowOp.js';
import { SCORE_MAPS, scoreMap } from './scoreMaps.js';

export type NormalizerPlan = { kind: 'flash'; name: 'softmax' } | { kind: 'rows'; name: string; op: RowOp };

/** Options attention sets itself; a normaliser must not receive them from the caller. */
const RESERVED = ['axis', 'mask', 'out', 'x'];

function resultData(r: unknown, n: number, name: string): ArrayLike<number> {
  const t = isTensorObject(r) ? r : typeof r === 'object' && r !== null && 'dx' in r ? (r as { dx: unknown }).dx : r;
  const data = isTensorObject(t) ? t.data : t;
  if (!isFloatArray(data) || data.length !== n) fail('E_INPUT', 'normalizer', `a normaliser ('${name}') returning ${n} values for a [rows, Lk] tensor`, data);
  return data;
}

/** A registry normaliser (or user `Normalizer`) applied along the key axis of a block of scores. */
function registryOp(norm: Normalizer, options: Record<string, unknown>): RowOp {
  for (const key of RESERVED) {
    if (key in options) fail('E_PARAM', `normalizerOptions.${key}`, `no '${key}' (attention sets it: use the attention options)`, options[key]);
  }
  const clean = (a: Float64Array, s: Float64Array, rows: number, n: number) => {
    for (let r = 0; r < rows; r++) {
      if (rowMasked(s, r, n)) a.fill(0, r * n, (r + 1) * n);
      else for (let j = r * n; j < (r + 1) * n; j++) if (s[j] === -Infinity) a[j] = 0;
    }
  };
  return {
    name: norm.name,
    forward(s, a, rows, n) {
      if (rows === 0 || n === 0) return;
      const x = { data: s.subarray(0, rows * n), dims: [rows, n] };
      a.set(resultData(norm.forward(x, { ...options }), rows * n, norm.name));
      clean(a, s, rows, n);
    },
    vjp(s, a, dA, dS, rows, n) {
      if (rows === 0 || n === 0) return;
      const dims = [rows, n];
      const x = { data: s.subarray(0, rows * n), dims };
      const r = norm.vjp({ data: a.subarray(0, rows * n), dims }, { data: dA.subarray(0, rows * n), dims }, { ...options, x });
      dS.set(resultData(r, rows * n, norm.name));
      clean(dS, s, rows, n);
    },
  };
}

/** Validates `normalizer` / `normalizerOptions`. */
export function planNormalizer(opts: AttentionOptions, s: AttentionShape): NormalizerPlan {
  const spec = opts.normalizer;
  const raw = opts.normalizerOptions as unknown;
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    fail('E_PARAM', 'normalizerOptions', 'an options object', raw);
  }
  const options = (raw ?? {}) as Record<string, unknown>;
  if (spec === undefined || spec === 'softmax' || spec === normalizers.softmax) {
    if (Object.keys(options).length > 0) {
      fail('E_PARAM', 'normalizerOptions', "no options for softmax (use 'scale', 'temperature' or 'mask')", Object.keys(options)[0]);
    }
    return { kind: 'flash', name: 'softmax' };
  }
  if (typeof spec === 'string' && (SCORE_MAPS as readonly string[]).includes(spec)) {
    return { kind: 'rows', name: spec, op: scoreMap(spec as AttentionScoreMapName, options, s.lk) };
  }
  if (spec === 'sinkhorn' || spec === normalizers.sinkhorn) {
    fail('E_PARAM', 'normalizer', 'a row-wise normaliser (sinkhorn normalises whole square matrices, not query rows)', 'sinkhorn');
  }
  if (typeof spec === 'string' && !Object.prototype.hasOwnProperty.call(normalizers, spec)) {
    const names = ['softmax', ...SCORE_MAPS, ...Object.keys(normalizers).filter((k) => k !== 'softmax' && k !== 'sinkhorn')];
    fail('E_PARAM', 'normalizer', `one of ${names.map((k) => `'${k}'`).join(', ')}, or a Normalizer object`, spec);
  }
  const norm = resolveNormalizer(spec as string | Normalizer, 'normalizer');
  return { kind: 'rows', name: norm.name, op: registryOp(norm, options) };
}

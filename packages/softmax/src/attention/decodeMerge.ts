import { fail } from '../tensor/errors.js';
import type { FloatArray } from '../tensor/types.js';
import { allocLike, checkDims, isFloatArray, sizeOf } from '../tensor/view.js';

/**
 * Merges `parts` partial attention results of `rows` rows (each over a disjoint set of keys) by their
 * log-sum-exp, exactly as FlashDecoding's reduction step:
 *
 *   m = max_c lse_c,  w_c = e^(lse_c − m),  o = Σ_c w_c·o_c / Σ_c w_c,  lse = m + ln Σ_c w_c.
 *
 * Part c's row r is `os[c][oOffs[c] + r·dv ..)` with lse `lses[c][lOffs[c] + r]`. Accumulates in
 * float64 and rounds once into `out` (rows × dv at `oo`) and `lse` (at `lo`). A row whose parts all
 * have lse = −∞ (no kept key anywhere) gets o = 0 and lse = −∞; a NaN lse gives a NaN row (as does
 * +∞, from +∞ scores). Parts with w_c = 0 are skipped. O(parts·rows·dv) time, O(dv) extra memory.
 */
export function mergeByLse(parts: number, rows: number, dv: number,
  os: readonly FloatArray[], oOffs: readonly number[], lses: readonly FloatArray[], lOffs: readonly number[],
  out: FloatArray, oo: number, lse: FloatArray, lo: number): void {
  const acc = new Float64Array(dv);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let c = 0; c < parts; c++) {
      const x = lses[c][lOffs[c] + r];
      if (x !== x) m = NaN;
      else if (x > m) m = x;
    }
    const orow = oo + r * dv;
    if (m === -Infinity) {
      out.fill(0, orow, orow + dv);
      lse[lo + r] = -Infinity;
      continue;
    }
    if (m !== m || m === Infinity) {
      out.fill(NaN, orow, orow + dv);
      lse[lo + r] = NaN;
      continue;
    }
    acc.fill(0);
    let w = 0;
    for (let c = 0; c < parts; c++) {
      const wc = Math.exp(lses[c][lOffs[c] + r] - m);
      if (wc === 0) continue;
      w += wc;
      const src = os[c];
      const base = oOffs[c] + r * dv;
      for (let t = 0; t < dv; t++) acc[t] += wc * src[base + t];
    }
    for (let t = 0; t < dv; t++) out[orow + t] = acc[t] / w;
    lse[lo + r] = m + Math.log(w);
  }
}

/** One partial attention result: the output [..., dv] and its per-row log-sum-exp [...]. */
export interface DecodePart<T extends FloatArray = FloatArray> {
  data: T;
  dims: readonly number[];
  lse: { data: T; dims: readonly number[] };
}

/** The merged result: output [..., dv] with its per-row log-sum-exp. */
export interface DecodeMerged<T extends FloatArray = FloatArray> {
  data: T;
  dims: number[];
  lse: { data: T; dims: number[] };
}

/**
 * Merges attention results computed over disjoint parts of the keys (e.g. `attendDecode(…,
 * { returnLse: true })` over two halves of a cache, or over a cache and the new tokens) into the
 * attention over all of them, by log-sum-exp (the FlashDecoding reduction, Dao, Haziza, Massa & Sizov
 * 2023, "Flash-Decoding for long-context inference"):
 *
 *   m = max_c lse_c,  o = Σ_c e^(lse_c − m)·o_c / Σ_c e^(lse_c − m),  lse = m + ln Σ_c e^(lse_c − m).
 *
 * Exact: merging softmax attention over key sets A and B gives the attention over A ∪ B, because
 * e^(lse_A) and e^(lse_B) are the two partial normalisers. Every part must have the same dims
 * (output [..., dv], lse [...]) and float type; the result has that type (float64 accumulation,
 * rounded once). A row with lse = −∞ in every part gives o = 0, lse = −∞; NaN or +∞ in an lse gives
 * NaN. Inputs are not mutated. O(parts·size) time.
 *
 * @example decodeMerge([attendDecode(q, k1, v1, { returnLse: true }), attendDecode(q, k2, v2, { returnLse: true })])
 */
export function decodeMerge<T extends FloatArray>(parts: readonly DecodePart<T>[]): DecodeMerged<T> {
  if (!Array.isArray(parts) || parts.length === 0) fail('E_INPUT', 'parts', 'a non-empty array of { data, dims, lse }', parts);
  let dims: readonly number[] = [];
  let like: FloatArray | null = null;
  let rows = 0;
  let dv = 0;
  for (let c = 0; c < parts.length; c++) {
    const p = parts[c] as unknown;
    const name = `parts[${c}]`;
    if (typeof p !== 'object' || p === null || !('data' in p) || !('dims' in p) || !('lse' in p)) {
      fail('E_INPUT', name, '{ data, dims, lse: { data, dims } } (attendDecode with returnLse: true)', p);
    }
    const part = p as DecodePart;
    if (!isFloatArray(part.data)) fail('E_DTYPE', `${name}.data`, 'a Float32Array or Float64Array', part.data);
    const pd = checkDims(part.dims, `${name}.dims`);
    if (pd.length < 1 || sizeOf(pd) !== part.data.length) {
      fail('E_SHAPE', `${name}.dims`, `at least one axis, with product equal to ${name}.data.length (${part.data.length})`, `[${pd.join(', ')}]`);
    }
    if (c > 0 && (pd.length !== dims.length || pd.some((d, i) => d !== dims[i]))) {
      fail('E_SHAPE', `${name}.dims`, `[${dims.join(', ')}] (the dims of parts[0])`, `[${pd.join(', ')}]`);
    }
    const l = part.lse as unknown;
    if (typeof l !== 'object' || l === null || !('data' in l) || !('dims' in l)) fail('E_INPUT', `${name}.lse`, 'a tensor { data, dims }', l);
    const lt = l as { data: unknown; dims: unknown };
    if (!isFloatArray(lt.data)) fail('E_DTYPE', `${name}.lse.data`, 'a Float32Array or Float64Array', lt.data);
    const ld = checkDims(lt.dims, `${name}.lse.dims`);
    const leading = pd.slice(0, -1);
    if (ld.length !== leading.length || ld.some((d, i) => d !== leading[i]) || sizeOf(ld) !== lt.data.length) {
      fail('E_SHAPE', `${name}.lse.dims`, `[${leading.join(', ')}] (the output dims without the last axis)`, `[${ld.join(', ')}]`);
    }
    if (c === 0) {
      dims = pd;
      like = part.data;
      rows = sizeOf(leading);
      dv = pd[pd.length - 1];
    }
    if (part.data.constructor !== like!.constructor || lt.data.constructor !== like!.constructor) {
      fail('E_DTYPE', name, `data and lse of one float type (${like!.constructor.name}, as parts[0].data)`, part.data.constructor !== like!.constructor ? part.data : lt.data);
    }
  }
  const out = allocLike(like!, rows * dv);
  const lse = allocLike(like!, rows);
  mergeByLse(parts.length, rows, dv, parts.map((p) => p.data), parts.map(() => 0), parts.map((p) => p.lse.data), parts.map(() => 0), out, 0, lse, 0);
  return { data: out as T, dims: [...dims], lse: { data: lse as T, dims: dims.slice(0, -1) } };
}

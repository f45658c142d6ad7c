/**
 * Rotary position embedding (RoPE; Su, Lu, Pan, Murtadha, Wen & Liu, "RoFormer: Enhanced transformer
 * with rotary position embedding", 2021), in the half-split convention of GPT-NeoX and Llama.
 */
import { fail } from '../tensor/errors.js';
import type { FloatArray, TensorLike } from '../tensor/types.js';
import { resolveOut } from '../tensor/view.js';
import { checkTensor, dimsText } from './layout.js';

export interface RopeOptions {
  /** Frequency base b of θ_i = b^(−2i/d) (default 10000). */
  base?: number;
  /** Position of the first row along the length axis (default 0): the cache length when decoding. */
  offset?: number;
  /** Output array (may be `x.data` itself: in place). */
  out?: FloatArray;
}

interface RopePlan {
  rows: number;
  length: number;
  half: number;
  cos: Float64Array;
  sin: Float64Array;
}

const tableCache = new Map<string, { cos: Float64Array; sin: Float64Array }>();

function plan(x: { data: FloatArray; dims: number[] }, name: string, options: RopeOptions): RopePlan {
  const dims = x.dims;
  if (dims.length < 2) fail('E_SHAPE', `${name}.dims`, '[…, length, headDim] (rank ≥ 2)', dimsText(dims));
  const d = dims[dims.length - 1];
  const length = dims[dims.length - 2];
  if (d % 2 !== 0) fail('E_SHAPE', `${name}.dims`, 'an even last (head) dimension', dimsText(dims));
  const base = options.base ?? 10000;
  if (typeof base !== 'number' || !Number.isFinite(base) || base <= 1) fail('E_PARAM', 'base', 'a finite number > 1', base);
  const offset = options.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0) fail('E_PARAM', 'offset', 'an integer ≥ 0', offset);
  const half = d / 2;
  const key = `${base}:${offset}:${length}:${half}`;
  let table = tableCache.get(key);
  if (table === undefined) {
    // Angles in float64: (offset + t)·θ_i, θ_i = base^(−i/half).
    const cos = new Float64Array(length * half);
    const sin = new Float64Array(length * half);
    for (let i = 0; i < half; i++) {
      const theta = Math.pow(base, -i / half);
      for (let t = 0; t < length; t++) {
        const angle = (offset + t) * theta;
        cos[t * half + i] = Math.cos(angle);
        sin[t * half + i] = Math.sin(angle);
      }
    }
    table = { cos, sin };
    if (tableCache.size > 64) tableCache.clear();
    tableCache.set(key, table);
  }
  const rows = d === 0 || length === 0 ? 0 : x.data.length / (length * d);
  return { rows, length, half, ...table };
}

/** The rank to validate against: the tensor's own when it has ≥ 2 dims, else 2 (so the error says so). */
function rankOf(x: unknown): number {
  const dims = (x as { dims?: unknown } | null)?.dims;
  return Array.isArray(dims) && dims.length >= 2 ? dims.length : 2;
}

/** y = R(±θ)·x on every (row, position): sign +1 rotates forward (rope), −1 backward (its vjp). */
function rotate(x: FloatArray, p: RopePlan, sign: 1 | -1, y: FloatArray): void {
  const { rows, length, half, cos, sin } = p;
  const d = 2 * half;
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < length; t++) {
      const o = (r * length + t) * d;
      const a = t * half;
      for (let i = 0; i < half; i++) {
        const c = cos[a + i];
        const s = sign * sin[a + i];
        const x1 = x[o + i];
        const x2 = x[o + half + i];
        y[o + i] = x1 * c - x2 * s;
        y[o + half + i] = x2 * c + x1 * s;
      }
    }
  }
}

/**
 * Rotary position embedding of a query or key tensor `x` [..., length, headDim] (headDim even): the
 * entry pair (x_i, x_{i+d/2}) at position p = offset + t is rotated by the angle p·θ_i,
 *
 *   y_i = x_i cos(pθ_i) − x_{i+d/2} sin(pθ_i),   y_{i+d/2} = x_{i+d/2} cos(pθ_i) + x_i sin(pθ_i),
 *   θ_i = base^(−2i/d),
 *
 * so that ⟨rope(q)_m, rope(k)_n⟩ depends on positions only through m − n (Su et al. 2021, eq. 34; the
 * half-split pairing of GPT-NeoX/Llama, not RoFormer's interleaved one). Apply it to q and k (not v)
 * before {@link attention}; when decoding, pass the cache length as `offset` for the new query and rotate
 * each key once, at its own position. The angle tables are computed in float64 and cached.
 *
 * O(size) time. Float32 in → float32 out. `E_SHAPE` for rank < 2 or an odd last dimension; `E_PARAM` for
 * base ≤ 1 or a negative/non-integer offset. The input is not mutated unless passed as `out`.
 */
export function rope(x: TensorLike, options: RopeOptions = {}): { data: FloatArray; dims: number[] } {
  const t = checkTensor(x, 'x', rankOf(x), '[…, length, headDim]');
  const p = plan(t, 'x', options);
  const out = resolveOut(t.data, t.data.length, options.out);
  rotate(t.data, p, 1, out);
  return { data: out, dims: t.dims };
}

/**
 * Vector–Jacobian product of {@link rope}: the rotation is orthogonal, so ∂L/∂x = R(−pθ)·∂L/∂y. Takes the
 * same options (base, offset) as the forward; `out` may be `grad.data`.
 */
rope.vjp = function ropeVjp(grad: TensorLike, options: RopeOptions = {}): { data: FloatArray; dims: number[] } {
  const g = checkTensor(grad, 'grad', rankOf(grad), '[…, length, headDim]');
  const p = plan(g, 'grad', options);
  const out = resolveOut(g.data, g.data.length, options.out);
  rotate(g.data, p, -1, out);
  return { data: out, dims: g.dims };
};

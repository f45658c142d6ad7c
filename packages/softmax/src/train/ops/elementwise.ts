import type { FloatArray } from '../../tensor/types.js';
import { allocLike, sizeOf } from '../../tensor/view.js';
import { record, Variable } from '../autograd/variable.js';
import { broadcastDims, broadcastStrides, forEachBroadcast, isTrailing, sumToShape } from './broadcast.js';
import { asVariable, sameDtype, type Operand } from './operand.js';

/**
 * Elementwise a ∘ b over the broadcast shape. `same` handles equal shapes (the common case: residual
 * additions, gating products) with a loop written per operation; broadcasting goes through `f`.
 */
function combine(
  a: Variable,
  b: Variable,
  f: (x: number, y: number) => number,
  same: (a: FloatArray, b: FloatArray, out: FloatArray) => void,
): { data: FloatArray; dims: number[] } {
  const dims = broadcastDims(a.dims, b.dims, 'a', 'b');
  const data = allocLike(a.data, sizeOf(dims));
  const ad = a.data;
  const bd = b.data;
  if (ad.length === data.length && bd.length === data.length) {
    same(ad, bd, data);
  } else if (ad.length === data.length && bd.length > 0 && isTrailing(b.dims, dims)) {
    // x + bias: b repeats along the leading axes.
    const n = bd.length;
    for (let o = 0; o < data.length; o += n) for (let i = 0; i < n; i++) data[o + i] = f(ad[o + i], bd[i]);
  } else {
    forEachBroadcast(dims, broadcastStrides(a.dims, dims), broadcastStrides(b.dims, dims), (o, ia, ib) => {
      data[o] = f(ad[ia], bd[ib]);
    });
  }
  return { data, dims };
}

/** `g ⊙ other` read at the broadcast positions, then summed back to `self`'s shape. */
function productGrad(g: FloatArray, outDims: readonly number[], self: Variable, other: Variable, f: (g: number, o: number, s: number) => number): FloatArray {
  const full = allocLike(g, g.length);
  const od = other.data;
  const sd = self.data;
  if (od.length === g.length && sd.length === g.length) {
    for (let i = 0; i < g.length; i++) full[i] = f(g[i], od[i], sd[i]);
    return full;
  }
  forEachBroadcast(outDims, broadcastStrides(other.dims, outDims), broadcastStrides(self.dims, outDims), (o, io, is) => {
    full[o] = f(g[o], od[io], sd[is]);
  });
  return sumToShape(full, outDims, self.dims);
}

function operands(a: Operand, b: Operand): [Variable, Variable] {
  const va = asVariable(a, 'a', b instanceof Variable ? b.data : undefined);
  const vb = asVariable(b, 'b', va.data);
  sameDtype(va, vb, 'a', 'b');
  return [va, vb];
}

/** a + b with NumPy broadcasting. ∂/∂a = g summed over a's broadcast axes (same for b). */
export function add(a: Operand, b: Operand): Variable {
  const [va, vb] = operands(a, b);
  const { data, dims } = combine(va, vb, (x, y) => x + y, (p, q, o) => {
    for (let i = 0; i < o.length; i++) o[i] = p[i] + q[i];
  });
  return record('add', data, dims, [va, vb], (g) => [sumToShape(g, dims, va.dims), sumToShape(g, dims, vb.dims)]);
}

/** a − b with broadcasting. */
export function sub(a: Operand, b: Operand): Variable {
  const [va, vb] = operands(a, b);
  const { data, dims } = combine(va, vb, (x, y) => x - y, (p, q, o) => {
    for (let i = 0; i < o.length; i++) o[i] = p[i] - q[i];
  });
  return record('sub', data, dims, [va, vb], (g) => {
    const neg = allocLike(g, g.length);
    for (let i = 0; i < g.length; i++) neg[i] = -g[i];
    return [sumToShape(g, dims, va.dims), sumToShape(neg, dims, vb.dims)];
  });
}

/** a ⊙ b with broadcasting. ∂/∂a = g ⊙ b, ∂/∂b = g ⊙ a (summed to each shape). */
export function mul(a: Operand, b: Operand): Variable {
  const [va, vb] = operands(a, b);
  const { data, dims } = combine(va, vb, (x, y) => x * y, (p, q, o) => {
    for (let i = 0; i < o.length; i++) o[i] = p[i] * q[i];
  });
  return record('mul', data, dims, [va, vb], (g) => [
    va.requiresGrad ? productGrad(g, dims, va, vb, (gi, o) => gi * o) : null,
    vb.requiresGrad ? productGrad(g, dims, vb, va, (gi, o) => gi * o) : null,
  ]);
}

/** a / b with broadcasting. ∂/∂a = g / b, ∂/∂b = −g·a / b². */
export function div(a: Operand, b: Operand): Variable {
  const [va, vb] = operands(a, b);
  const { data, dims } = combine(va, vb, (x, y) => x / y, (p, q, o) => {
    for (let i = 0; i < o.length; i++) o[i] = p[i] / q[i];
  });
  return record('div', data, dims, [va, vb], (g) => [
    va.requiresGrad ? productGrad(g, dims, va, vb, (gi, bv) => gi / bv) : null,
    vb.requiresGrad ? productGrad(g, dims, vb, va, (gi, av, bv) => (-gi * av) / (bv * bv)) : null,
  ]);
}

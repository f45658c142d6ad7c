import type { FloatArray } from '../../tensor/types.js';
import { allocLike } from '../../tensor/view.js';
import { record, type Variable } from '../autograd/variable.js';
import { erf } from './erf.js';
import { asVariable, type Operand } from './operand.js';

/**
 * An elementwise op y = f(x) whose derivative is written from x and y: ∂L/∂x = g · f′(x, y).
 * One definition per function: the forward and its derivative side by side.
 */
function unary(op: string, f: (x: number) => number, derivative: (x: number, y: number) => number) {
  return (input: Operand): Variable => {
    const x = asVariable(input, 'x');
    const xd = x.data;
    const y = allocLike(xd, xd.length);
    for (let i = 0; i < xd.length; i++) y[i] = f(xd[i]);
    return record(op, y, x.dims, [x], (g: FloatArray) => {
      const dx = allocLike(g, g.length);
      for (let i = 0; i < g.length; i++) dx[i] = g[i] * derivative(xd[i], y[i]);
      return [dx];
    });
  };
}

const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;
const SQRT_2_OVER_PI = 0.7978845608028654;

const sigmoidOf = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** eˣ; derivative eˣ = y. */
export const exp = unary('exp', Math.exp, (_x, y) => y);
/** ln x; derivative 1/x. */
export const log = unary('log', Math.log, (x) => 1 / x);
/** tanh x; derivative 1 − y². */
export const tanh = unary('tanh', Math.tanh, (_x, y) => 1 - y * y);
/** σ(x) = 1/(1 + e^{−x}) (evaluated without overflow); derivative y(1 − y). */
export const sigmoid = unary('sigmoid', sigmoidOf, (_x, y) => y * (1 - y));
/** max(x, 0); derivative 1 for x > 0, else 0. */
export const relu = unary('relu', (x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0));
/** SiLU / swish x·σ(x) (Elfwing et al. 2018); derivative σ(x)(1 + x(1 − σ(x))). */
export const silu = unary('silu', (x) => x * sigmoidOf(x), (x) => {
  const s = sigmoidOf(x);
  return s * (1 + x * (1 - s));
});
/** −x. */
export const neg = unary('neg', (x) => -x, () => -1);
/** x². */
export const square = unary('square', (x) => x * x, (x) => 2 * x);
/** √x; derivative 1/(2√x). */
export const sqrt = unary('sqrt', Math.sqrt, (_x, y) => 0.5 / y);

/** GELU, exact: x·Φ(x) with Φ(x) = ½(1 + erf(x/√2)) (Hendrycks & Gimpel 2016); derivative Φ(x) + x·φ(x). */
const geluErf = unary(
  'gelu',
  (x) => 0.5 * x * (1 + erf(x * SQRT_HALF)),
  (x) => 0.5 * (1 + erf(x * SQRT_HALF)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
);

/** GELU, tanh form (GPT-2): ½x(1 + tanh(√(2/π)(x + 0.044715x³))), differentiated exactly. */
const geluTanh = unary(
  'gelu-tanh',
  (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
  (x) => {
    const t = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
  },
);

/** GELU: `approximate: 'none'` (default, erf form, as PyTorch) or `'tanh'` (GPT-2's form, cheaper). */
export function gelu(x: Operand, options: { approximate?: 'none' | 'tanh' } = {}): Variable {
  return options.approximate === 'tanh' ? geluTanh(x) : geluErf(x);
}

/** c·x for a constant c (no broadcast bookkeeping). */
export function scale(input: Operand, c: number): Variable {
  const x = asVariable(input, 'x');
  const y = allocLike(x.data, x.size);
  for (let i = 0; i < y.length; i++) y[i] = c * x.data[i];
  return record('scale', y, x.dims, [x], (g) => {
    const dx = allocLike(g, g.length);
    for (let i = 0; i < g.length; i++) dx[i] = c * g[i];
    return [dx];
  });
}

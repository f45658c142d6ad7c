import { referenceBackend } from '../kernels/reference/backend.js';
import { moveAxisLast, restoreAxis } from '../tensor/axis.js';
import { fail } from '../tensor/errors.js';
import { optionsObject } from '../tensor/options.js';
import { checkRng, gumbelFrom, type RngLike } from '../tensor/rng.js';
import type { FloatArray, Input, OutputOf, TensorLike } from '../tensor/types.js';
import { resolveOut, toView, wrapOutput } from '../tensor/view.js';
import { parseRowwise, type RowwiseOptions } from './rowwise.js';
import { softmax } from './softmax.js';

export interface GumbelSoftmaxOptions extends RowwiseOptions {
  /** The generator the Gumbel noise is drawn from (required), e.g. `createRng(seed)`. */
  rng: RngLike;
  /** Return the one-hot arg-max of the soft sample (straight-through estimator). Default false. */
  hard?: boolean;
  /** Write the result here (the input's float type and size). */
  out?: FloatArray | TensorLike;
}

export interface GumbelSoftmaxVjpOptions extends RowwiseOptions {
  /**
   * The soft sample of the same forward call (from `gumbelSoftmax.withSoft`). Required when `hard` is
   * true; when absent the vjp uses `y` itself, which is right only for soft samples.
   */
  soft?: Input;
  /** The forward pass returned hard samples (then `soft` is required). Default false. */
  hard?: boolean;
  out?: FloatArray | TensorLike;
}

/** Both samples of one forward call, in the input's form and float type. */
export interface GumbelSoftmaxSample<I> {
  /** The returned sample: one-hot when `hard`, else equal to `soft`. */
  y: OutputOf<I>;
  /** The soft sample softmax((x + g)/τ) the straight-through gradient is taken at. */
  soft: OutputOf<I>;
}

function sample<I extends Input>(x: I, opts: GumbelSoftmaxOptions, wantSoft: boolean): { y: FloatArray; soft: FloatArray | null; call: ReturnType<typeof parseRowwise> } {
  const call = parseRowwise(x, opts);
  const o = optionsObject(opts) as Partial<GumbelSoftmaxOptions>;
  const rng = checkRng(o.rng);
  if (o.hard !== undefined && typeof o.hard !== 'boolean') fail('E_PARAM', 'hard', 'a boolean', o.hard);
  const hard = o.hard === true;
  const { view, layout, mask, s } = call;
  const data = view.data;
  const total = data.length;
  // One Gumbel draw per element in C order of the input, masked entries included: the stream position
  // of every element depends only on the shape, not on the axis or the mask.
  const noisy = new Float64Array(total);
  for (let k = 0; k < total; k++) {
    const g = gumbelFrom(rng);
    noisy[k] = mask && !mask[k] ? -Infinity : data[k] + g;
  }
  const rows = layout.outer * layout.inner;
  const n = layout.n;
  const moved = layout.inner === 1 ? noisy : moveAxisLast(noisy, new Float64Array(total), layout);
  const softRows = new Float64Array(total);
  // softmax((x + g)/τ) row by row, in float64 (PyTorch special values: −∞ → 0, all −∞ / +∞ / NaN → NaN).
  if (n > 0) referenceBackend.softmaxRows(moved, softRows, rows, n, s, 'three-pass');
  let hardRows: Float64Array | null = null;
  if (hard) {
    hardRows = new Float64Array(total);
    for (let r = 0; r < rows; r++) {
      const off = r * n;
      let best = -1;
      let nan = false;
      for (let i = 0; i < n; i++) {
        const v = softRows[off + i];
        if (Number.isNaN(v)) nan = true;
        else if (best < 0 || v > softRows[off + best]) best = i;
      }
      if (nan) hardRows.fill(NaN, off, off + n);
      else if (best >= 0) hardRows[off + best] = 1;
    }
  }
  const restore = (rowsData: Float64Array): Float64Array => (layout.inner === 1 ? rowsData : restoreAxis(rowsData, new Float64Array(total), layout));
  const out = resolveOut(data, total, o.out);
  out.set(restore(hardRows ?? softRows));
  let soft: FloatArray | null = null;
  if (wantSoft) {
    soft = hardRows ? (data instanceof Float32Array ? new Float32Array(total) : new Float64Array(total)) : out;
    if (hardRows) soft.set(restore(softRows));
  }
  return { y: out, soft, call };
}

function gumbelSoftmaxForward<I extends Input>(x: I, opts: GumbelSoftmaxOptions): OutputOf<I> {
  const { y, call } = sample(x, opts, false);
  return wrapOutput(call.view, y) as OutputOf<I>;
}

/** One draw, returning both the (possibly hard) sample and the soft sample it came from. */
function withSoft<I extends Input>(x: I, opts: GumbelSoftmaxOptions): GumbelSoftmaxSample<I> {
  const { y, soft, call } = sample(x, opts, true);
  return { y: wrapOutput(call.view, y) as OutputOf<I>, soft: wrapOutput(call.view, soft!) as OutputOf<I> };
}

/**
 * Backward of Gumbel-softmax: the softmax backward at the soft sample, dx = y_s ⊙ (dy − ⟨dy, y_s⟩)/τ,
 * y_s = `opts.soft` (required with `hard: true`: the straight-through estimator) or `y` (soft samples).
 * The noise g does not depend on x, so this is the exact gradient of the soft sample.
 */
function gumbelSoftmaxVjp<I extends Input>(y: I, dy: Input, opts?: GumbelSoftmaxVjpOptions): OutputOf<I> {
  const o = optionsObject(opts);
  if (o.hard !== undefined && typeof o.hard !== 'boolean') fail('E_PARAM', 'hard', 'a boolean', o.hard);
  if (o.hard === true && o.soft === undefined) {
    fail('E_PARAM', 'soft', 'the soft sample as opts.soft (hard samples carry no gradient: use gumbelSoftmax.withSoft)');
  }
  const at = o.soft ?? y;
  if (o.soft !== undefined) {
    const a = toView(o.soft, 'soft');
    const b = toView(y, 'y');
    if (a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i])) {
      fail('E_SHAPE', 'soft', `dims [${b.dims.join(', ')}] (the shape of y)`, `[${a.dims.join(', ')}]`);
    }
  }
  const { axis, temperature, out } = o;
  return softmax.vjp(at as I, dy, { axis, temperature, out }) as OutputOf<I>;
}

/**
 * Gumbel-softmax (concrete) sample: y = softmax((x + g)/τ), g_i = −log(−log U_i), U_i uniform from the
 * seeded `rng`; with `hard: true`, y = one-hot(arg-max) of that soft sample (ties: lowest index).
 *
 * Jang, Gu, Poole, "Categorical Reparameterization with Gumbel-Softmax" (ICLR 2017); Maddison, Mnih, Teh,
 * "The Concrete Distribution" (ICLR 2017). τ is the shared `temperature` option (default 1): the noise is
 * added to the raw scores before dividing, so τ → 0 approaches a one-hot sample of softmax(x), and the
 * arg-max (hence every hard sample) is distributed as softmax(x) for every τ (the Gumbel-max trick).
 *
 * - `rng` is required (`E_PARAM` otherwise): one Gumbel draw per element, in C order of the input,
 *   masked entries included, so a seed and a shape fix the noise whatever the axis or mask. Same seed,
 *   same input → same sample.
 * - Special values: −∞ (masked) entries give 0 (never selected by `hard`). A fully masked row, or +∞ /
 *   NaN in a row, gives NaN for the row (also for `hard`). Length 1: y = [1].
 * - O(n) per row plus one generator draw per element; float64 inside, output in the input's float type.
 *
 * Backward: `gumbelSoftmax.vjp(y, dy, { soft, hard, temperature, axis })` is the softmax vjp at the soft
 * sample. Hard samples have no gradient of their own, so the straight-through estimator needs the soft
 * sample of the same draw: take both from `gumbelSoftmax.withSoft(x, opts)` → `{ y, soft }`, and pass
 * `{ soft, hard: true }` to the vjp (it throws `E_PARAM` without `soft` when `hard` is set).
 *
 * @example
 * const rng = createRng(7);
 * const { y, soft } = gumbelSoftmax.withSoft([1, 2, 3], { rng, hard: true, temperature: 0.5 });
 * const dx = gumbelSoftmax.vjp(y, [0, 0, 1], { soft, hard: true, temperature: 0.5 });
 */
export const gumbelSoftmax = Object.assign(gumbelSoftmaxForward, { vjp: gumbelSoftmaxVjp, withSoft });

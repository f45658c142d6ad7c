import { fail } from '../tensor/errors.js';
import { optionsObject } from '../tensor/options.js';
import type { FloatArray, Input, OutputOf, TensorLike } from '../tensor/types.js';
import { resolveOut, wrapOutput } from '../tensor/view.js';
import { mapRows, parseRowwise, vjpRows, type RowwiseCall, type RowwiseOptions } from './rowwise.js';

/** Options every mapping made by `defineMapping` accepts, besides its own. */
export interface MappingOptions extends RowwiseOptions {
  /** Write the result here (the input's float type and size; may be the input's data). */
  out?: FloatArray | TensorLike;
}

/** Options of a mapping's backward pass. */
export interface MappingVjpOptions extends MappingOptions {
  /** The forward input: required by mappings whose output does not determine the gradient. */
  x?: Input;
}

/** What a row kernel sees besides its data. */
export interface RowContext<P> {
  /** The mapping's validated parameters. */
  params: P;
  /** Row length. */
  n: number;
  /** Row index within the call (rows in C order of the other axes). */
  row: number;
}

/**
 * The definition of a row-wise mapping y = f(z), z = x/τ, computed in float64 one row at a time. The
 * wrapper `defineMapping` does everything else once, for every mapping: input forms, axis, mask (−∞),
 * temperature, `out`, float32 in/out, the backward pass's shapes and the chain rule through 1/τ.
 */
export interface MappingSpec<P> {
  name: string;
  /** Validates and defaults the mapping's own options (throw SoftmaxError `E_PARAM`). */
  params(opts: Record<string, unknown>, call: RowwiseCall): P;
  /** y = f(z) for one row (z is scratch the kernel may overwrite; y has the same length). */
  forward(z: Float64Array, y: Float64Array, ctx: RowContext<P>): void;
  /**
   * dz = J_f(z)ᵀ dy for one row. `z` is the row's forward input (only when `needsX`, else null).
   * May return the gradient of the row's output w.r.t. the mapping's parameter (see `paramGradient`).
   */
  vjp(y: Float64Array, dy: Float64Array, dz: Float64Array, z: Float64Array | null, ctx: RowContext<P>): number | void;
  /**
   * Optional fast path for the forward pass: y[yo, yo+n) = f(s·x[xo, xo+n)) directly on the caller's
   * float32/float64 arrays (y may alias x), skipping the float64 row copies (which cost ~3 ns/element).
   */
  forwardRow?(x: FloatArray, xo: number, y: FloatArray, yo: number, n: number, s: number, ctx: RowContext<P>): void;
  /** True when the output alone does not determine the gradient: `vjp` then requires `opts.x`. */
  needsX: boolean;
  /** Per-row parameter gradient: returned as `{ dx, [key] }` when `opts[flag]` is true. */
  paramGradient?: { flag: string; key: string };
}

/** A mapping: `f(x, opts)` plus `f.vjp(y, dy, opts)`, and its spec for registries. */
export type Mapping<O> = (<I extends Input>(x: I, opts?: O & MappingOptions) => OutputOf<I>) & {
  vjp: (y: Input, dy: Input, opts?: O & MappingVjpOptions & Record<string, unknown>) => unknown;
  spec: MappingSpec<unknown>;
};

/** Builds the public function of a row-wise mapping from its spec (see MappingSpec). */
export function defineMapping<O extends object, P>(spec: MappingSpec<P>): Mapping<O> {
  function forward<I extends Input>(x: I, opts?: O & MappingOptions): OutputOf<I> {
    const call = parseRowwise(x, opts);
    const o = optionsObject(opts) as Record<string, unknown>;
    const params = spec.params(o, call);
    const out = resolveOut(call.view.data, call.view.data.length, o.out);
    mapRows(call, out, (src, dst, rows, n) => {
      if (spec.forwardRow) {
        const ctx: RowContext<P> = { params, n, row: 0 };
        for (let r = 0; r < rows; r++) {
          ctx.row = r;
          spec.forwardRow(src, r * n, dst, r * n, n, call.s, ctx);
        }
        return;
      }
      const z = new Float64Array(n);
      const y = new Float64Array(n);
      const ctx: RowContext<P> = { params, n, row: 0 };
      for (let r = 0; r < rows; r++) {
        const off = r * n;
        for (let i = 0; i < n; i++) z[i] = call.s * src[off + i];
        ctx.row = r;
        spec.forward(z, y, ctx);
        for (let i = 0; i < n; i++) dst[off + i] = y[i];
      }
    });
    return wrapOutput(call.view, out) as OutputOf<I>;
  }

  function vjp(y: Input, dy: Input, opts?: O & MappingVjpOptions & Record<string, unknown>): unknown {
    const o = optionsObject(opts) as Record<string, unknown>;
    if (spec.needsX && o.x === undefined) {
      fail('E_PARAM', 'x', `the forward input as opts.x (${spec.name}.vjp needs it: its output alone does not determine the gradient)`);
    }
    const wantParam = spec.paramGradient !== undefined && o[spec.paramGradient.flag] === true;
    let paramGrads = new Float64Array(0);
    const extra = o.x === undefined ? [] : [o.x as Input];
    const { call, dx } = vjpRows(y, dy, opts, (yd, g, out, rows, n, s, extras, parsed) => {
      const params = spec.params(o, parsed);
      const yr = new Float64Array(n);
      const gr = new Float64Array(n);
      const dz = new Float64Array(n);
      const zr = extras.length > 0 ? new Float64Array(n) : null;
      const ctx: RowContext<P> = { params, n, row: 0 };
      paramGrads = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        const off = r * n;
        for (let i = 0; i < n; i++) {
          yr[i] = yd[off + i];
          gr[i] = g[off + i];
        }
        if (zr) for (let i = 0; i < n; i++) zr[i] = s * extras[0][off + i];
        ctx.row = r;
        const pg = spec.vjp(yr, gr, dz, zr, ctx);
        if (typeof pg === 'number') paramGrads[r] = pg;
        // Chain rule through z = s·x.
        for (let i = 0; i < n; i++) out[off + i] = s * dz[i];
      }
    }, extra, ['x']);
    const dxOut = wrapOutput(call.view, dx);
    if (!wantParam) return dxOut;
    const key = spec.paramGradient!.key;
    return { dx: dxOut, [key]: call.view.isRow ? paramGrads[0] : paramGrads };
  }

  return Object.assign(forward, { vjp, spec: spec as MappingSpec<unknown> }) as Mapping<O>;
}

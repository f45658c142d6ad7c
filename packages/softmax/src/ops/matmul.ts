import { backendFor } from '../kernels/dispatch.js';
import { fail } from '../tensor/errors.js';
import { optionsObject } from '../tensor/options.js';
import type { FloatArray, TensorLike } from '../tensor/types.js';
import { allocLike, isFloatArray, resolveOut, sizeOf, toView } from '../tensor/view.js';

/** Options of `matmul`. */
export interface MatmulOptions {
  /** `a` is stored as [..., k, m] and multiplied as its transpose (last two dims). Default false. */
  transposeA?: boolean;
  /** `b` is stored as [..., n, k] and multiplied as its transpose (last two dims). Default false. */
  transposeB?: boolean;
  /** Output array (or tensor) to write into: same float type, length = product of the output dims. */
  out?: FloatArray | TensorLike;
}

/** A matmul result: `{ data, dims }` in the inputs' float type. */
export interface MatmulResult<T extends FloatArray> {
  data: T;
  dims: number[];
}

/** Validated operands: shapes, batch broadcasting and per-batch offsets. */
interface Plan {
  a: FloatArray;
  b: FloatArray;
  aDims: readonly number[];
  bDims: readonly number[];
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  /** Leading (batch) dims of the output. */
  batch: number[];
  /** Element offsets of a's and b's matrices for each output batch index. */
  aOffsets: Int32Array | number[];
  bOffsets: Int32Array | number[];
  /** b is one matrix for every batch and a is not transposed: a's batches fold into its rows. */
  foldA: boolean;
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') fail('E_PARAM', name, 'a boolean', value);
  return value;
}

function matrixView(x: unknown, name: string): { data: FloatArray; dims: readonly number[] } {
  if (typeof x !== 'object' || x === null || isFloatArray(x) || Array.isArray(x)) {
    fail('E_INPUT', name, 'a tensor { data, dims } with at least 2 dims', x);
  }
  const view = toView(x as TensorLike, name);
  if (view.dims.length < 2) fail('E_SHAPE', `${name}.dims`, 'at least 2 dims ([..., rows, cols])', `[${view.dims.join(', ')}]`);
  return view;
}

/**
 * Offsets of the matrices of `dims` (batch dims = all but the last two) for every index of the
 * broadcast batch `batch` (NumPy rules: a missing or size-1 dim repeats).
 */
function batchOffsets(dims: readonly number[], batch: readonly number[]): number[] {
  const own = dims.slice(0, -2);
  const matrix = dims[dims.length - 2] * dims[dims.length - 1];
  const count = sizeOf(batch);
  const offsets = new Array<number>(count).fill(0);
  // Stride (in matrices) of each output batch dim in this operand; 0 where it broadcasts.
  const strides = batch.map(() => 0);
  let stride = 1;
  for (let i = own.length - 1; i >= 0; i--) {
    const j = batch.length - own.length + i;
    strides[j] = own[i] === 1 ? 0 : stride;
    stride *= own[i];
  }
  const index = batch.map(() => 0);
  for (let t = 0; t < count; t++) {
    let o = 0;
    for (let j = 0; j < batch.length; j++) o += index[j] * strides[j];
    offsets[t] = o * matrix;
    for (let j = batch.length - 1; j >= 0; j--) {
      if (++index[j] < batch[j]) break;
      index[j] = 0;
    }
  }
  return offsets;
}

function plan(a: unknown, b: unknown, opts: MatmulOptions | undefined): Plan & { out: unknown } {
  const o = optionsObject(opts);
  const transA = flag(o.transposeA, 'transposeA');
  const transB = flag(o.transposeB, 'transposeB');
  const A = matrixView(a, 'a');
  const B = matrixView(b, 'b');
  if (A.data.constructor !== B.data.constructor) {
    fail('E_DTYPE', 'b.data', `a ${A.data.constructor.name} (the same float type as a.data)`, B.data);
  }
  const ra = A.dims.length;
  const rb = B.dims.length;
  const [m, k] = transA ? [A.dims[ra - 1], A.dims[ra - 2]] : [A.dims[ra - 2], A.dims[ra - 1]];
  const [kb, n] = transB ? [B.dims[rb - 1], B.dims[rb - 2]] : [B.dims[rb - 2], B.dims[rb - 1]];
  if (kb !== k) {
    fail('E_SHAPE', 'b.dims', `${transB ? 'last' : 'second-to-last'} dim ${k} (the contracted dim of a)`, `[${B.dims.join(', ')}]`);
  }
  const ba = A.dims.slice(0, -2);
  const bb = B.dims.slice(0, -2);
  const rank = Math.max(ba.length, bb.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = ba[i - (rank - ba.length)] ?? 1;
    const db = bb[i - (rank - bb.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      fail('E_SHAPE', 'b.dims', `batch dims broadcastable with a's [${ba.join(', ')}]`, `[${B.dims.join(', ')}]`);
    }
    batch.push(da === 1 ? db : da);
  }
  const foldA = !transA && sizeOf(bb) === 1 && sizeOf(ba) === sizeOf(batch);
  return {
    a: A.data, b: B.data, aDims: A.dims, bDims: B.dims, transA, transB, m, n, k, batch,
    aOffsets: batchOffsets(A.dims, batch), bOffsets: batchOffsets(B.dims, batch), foldA, out: o.out,
  };
}

/**
 * Batched matrix product C = op(A)·op(B) over the last two dims, with NumPy broadcasting of the
 * leading (batch) dims: a is [..., m, k] ([..., k, m] with `transposeA`), b is [..., k, n]
 * ([..., n, k] with `transposeB`); the result is [...broadcast(batchA, batchB), m, n].
 *
 * c_ij = Σ_p op(A)_ip·op(B)_pj per batch. Float32 runs on the WebAssembly SIMD GEMM (cache-blocked,
 * register-tiled; Goto & van de Geijn 2008) when available, float64 on the reference GEMM with float64
 * sums. When b has no batch (or only size-1 batch dims) and a is not transposed, a's batches fold into
 * one m·batch × k product. O(batch·m·n·k) time; no allocation besides the output.
 *
 * Edge cases: any zero dim gives an empty or all-zero result (k = 0 gives zeros); NaN/±∞ propagate as
 * in IEEE sums of products. Inputs are never mutated.
 * @throws SoftmaxError E_INPUT (a or b not a tensor), E_SHAPE (rank < 2, contracted dims differ, batch
 * dims not broadcastable, `out` length), E_DTYPE (a and b of different float types, `out` type),
 * E_PARAM (non-boolean transpose flags).
 */
function matmulForward<T extends FloatArray>(a: TensorLike<T>, b: TensorLike<T>, opts?: MatmulOptions): MatmulResult<T> {
  const p = plan(a, b, opts);
  const dims = [...p.batch, p.m, p.n];
  const c = resolveOut(p.a, sizeOf(dims), p.out);
  const backend = backendFor(p.a);
  const lda = p.transA ? p.m : p.k;
  const ldb = p.transB ? p.k : p.n;
  if (p.foldA) {
    backend.gemm(false, p.transB, p.m * sizeOf(p.batch), p.n, p.k, 1, p.a, 0, lda, p.b, p.bOffsets[0] ?? 0, ldb, 0, c, 0, p.n);
  } else {
    for (let t = 0; t < p.aOffsets.length; t++) {
      backend.gemm(p.transA, p.transB, p.m, p.n, p.k, 1, p.a, p.aOffsets[t], lda, p.b, p.bOffsets[t], ldb, 0, c, t * p.m * p.n, p.n);
    }
  }
  return { data: c as T, dims };
}

/** Gradients of `matmul` with respect to both operands, in their stored layouts and shapes. */
export interface MatmulGradients<T extends FloatArray> {
  da: MatmulResult<T>;
  db: MatmulResult<T>;
}

/**
 * Backward pass of `matmul`: given dy = ∂L/∂C (dims of the output), returns ∂L/∂a and ∂L/∂b.
 * Per batch, d op(A) = dY·op(B)ᵀ and d op(B) = op(A)ᵀ·dY, transposed back when the operand is stored
 * transposed (dA = op(B)·dYᵀ, dB = dYᵀ·op(A)); contributions of broadcast batches are summed into the
 * operand's own batch (the adjoint of broadcasting). Two GEMMs per batch, O(batch·m·n·k).
 * @throws as `matmul`, plus E_SHAPE / E_DTYPE when dy's dims or float type differ from the output's.
 */
function matmulVjp<T extends FloatArray>(a: TensorLike<T>, b: TensorLike<T>, dy: TensorLike<T>, opts?: Omit<MatmulOptions, 'out'>): MatmulGradients<T> {
  const p = plan(a, b, { transposeA: opts?.transposeA, transposeB: opts?.transposeB });
  const dims = [...p.batch, p.m, p.n];
  const DY = matrixView(dy, 'dy');
  if (DY.data.constructor !== p.a.constructor) fail('E_DTYPE', 'dy.data', `a ${p.a.constructor.name} (the float type of a and b)`, DY.data);
  if (DY.dims.length !== dims.length || DY.dims.some((d, i) => d !== dims[i])) {
    fail('E_SHAPE', 'dy.dims', `the output dims [${dims.join(', ')}]`, `[${DY.dims.join(', ')}]`);
  }
  const g = DY.data;
  const { m, n, k, transA, transB } = p;
  const da = allocLike(p.a, p.a.length);
  const db = allocLike(p.b, p.b.length);
  const backend = backendFor(p.a);
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const rows = p.foldA ? m * sizeOf(p.batch) : m;
  const count = p.foldA ? 1 : p.aOffsets.length;
  for (let t = 0; t < count; t++) {
    const ao = p.foldA ? 0 : p.aOffsets[t];
    const bo = p.bOffsets[t] ?? 0;
    const go = p.foldA ? 0 : t * m * n;
    // dA (+)= dY·op(B)ᵀ, or op(B)·dYᵀ when a is stored transposed.
    if (transA) backend.gemm(transB, true, k, rows, n, 1, p.b, bo, ldb, g, go, n, 1, da, ao, lda);
    else backend.gemm(false, !transB, rows, k, n, 1, g, go, n, p.b, bo, ldb, 1, da, ao, lda);
    // dB (+)= op(A)ᵀ·dY, or dYᵀ·op(A) when b is stored transposed.
    if (transB) backend.gemm(true, transA, n, k, rows, 1, g, go, n, p.a, ao, lda, 1, db, bo, ldb);
    else backend.gemm(!transA, false, k, n, rows, 1, p.a, ao, lda, g, go, n, 1, db, bo, ldb);
  }
  return { da: { data: da as T, dims: [...p.aDims] }, db: { data: db as T, dims: [...p.bDims] } };
}

/**
 * `matmul(a, b, opts)`: batched matrix product with NumPy batch broadcasting (see matmulForward);
 * `matmul.vjp(a, b, dy, opts)`: its gradients `{ da, db }`.
 */
export const matmul = Object.assign(matmulForward, { vjp: matmulVjp });

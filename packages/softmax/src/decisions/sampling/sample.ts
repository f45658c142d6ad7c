import { softmax } from '../../normalizers/softmax.js';
import { fail } from '../../tensor/errors.js';
import { optionsObject, positiveFinite } from '../../tensor/options.js';
import { checkRng, gumbelFrom, type RngLike } from '../../tensor/rng.js';
import type { Input, Row, TensorLike } from '../../tensor/types.js';
import { failRow, parseLogitRows, tokensOut } from './logitRows.js';
import { topIndices } from './topIndices.js';

export interface SampleOptions {
  /** The source of randomness (required): `createRng(seed)` or any object with `next()` in [0, 1). */
  rng: RngLike;
  /** Divide the (penalised) logits by this (> 0) before the filters. Default 1. */
  temperature?: number;
  /** Keep only the k most probable tokens (an integer ≥ 1; values above the vocabulary keep all). Default: off. */
  topK?: number;
  /** Nucleus: keep the smallest most-probable set holding at least this mass, p ∈ (0, 1]. Default 1 (off). */
  topP?: number;
  /** Keep tokens with probability ≥ minP · (largest probability), minP ∈ [0, 1). Default 0 (off). */
  minP?: number;
  /** CTRL repetition penalty θ > 0 on `previousTokens` (θ > 1 discourages repeats). Default 1 (off). */
  repetitionPenalty?: number;
  /**
   * Token ids already generated, each an integer in [0, vocab): one list shared by every row, or one list
   * per row (an array of `rows` lists). Only read when `repetitionPenalty` ≠ 1; duplicates count once.
   */
  previousTokens?: ArrayLike<number> | readonly ArrayLike<number>[];
}

export interface GumbelMaxSampleOptions {
  /** The source of randomness (required). One Gumbel draw per vocabulary entry, in C order. */
  rng: RngLike;
  /** Divide the logits by this (> 0) before adding the noise. Default 1. */
  temperature?: number;
}

interface SampleParams {
  rng: RngLike;
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  penalty: number;
}

function parseSampleOptions(opts: SampleOptions | undefined): SampleParams {
  const o = optionsObject(opts);
  const rng = checkRng(o.rng);
  const temperature = positiveFinite(o.temperature, 'temperature', 1);
  let topK = Infinity;
  if (o.topK !== undefined) {
    if (typeof o.topK !== 'number' || !Number.isInteger(o.topK) || o.topK < 1) fail('E_PARAM', 'topK', 'an integer ≥ 1', o.topK);
    topK = o.topK;
  }
  const topP = o.topP ?? 1;
  if (typeof topP !== 'number' || !(topP > 0 && topP <= 1)) fail('E_PARAM', 'topP', 'a number in (0, 1]', topP);
  const minP = o.minP ?? 0;
  if (typeof minP !== 'number' || !(minP >= 0 && minP < 1)) fail('E_PARAM', 'minP', 'a number in [0, 1)', minP);
  const penalty = positiveFinite(o.repetitionPenalty, 'repetitionPenalty', 1);
  return { rng, temperature, topK, topP, minP, penalty };
}

/** One Uint8Array of "seen" flags per row (null when no row has any), validating every id. */
function seenTokens(previous: unknown, rows: number, vocab: number): (Uint8Array | null)[] {
  const seen: (Uint8Array | null)[] = new Array<Uint8Array | null>(rows).fill(null);
  if (previous === undefined) return seen;
  if (previous === null || typeof previous !== 'object' || typeof (previous as ArrayLike<unknown>).length !== 'number') {
    fail('E_INPUT', 'previousTokens', 'an array of token ids, or one array per row', previous);
  }
  const list = previous as ArrayLike<unknown>;
  const perRow = list.length > 0 && typeof list[0] === 'object' && list[0] !== null;
  if (perRow && list.length !== rows) fail('E_SHAPE', 'previousTokens', `${rows} lists (one per row of logits)`, list.length);
  const mark = (ids: unknown, name: string): Uint8Array => {
    if (ids === null || typeof ids !== 'object' || typeof (ids as ArrayLike<unknown>).length !== 'number') {
      fail('E_INPUT', name, 'an array of token ids', ids);
    }
    const arr = ids as ArrayLike<unknown>;
    const flags = new Uint8Array(vocab);
    for (let i = 0; i < arr.length; i++) {
      const t = arr[i];
      if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t >= vocab) {
        fail('E_PARAM', `${name}[${i}]`, `a token id, an integer in [0, ${vocab})`, t);
      }
      flags[t] = 1;
    }
    return flags;
  };
  if (perRow) {
    for (let r = 0; r < rows; r++) seen[r] = mark(list[r], `previousTokens[${r}]`);
  } else {
    const shared = mark(list, 'previousTokens');
    seen.fill(shared);
  }
  return seen;
}

/** Candidates of one row before the filters: token ids and their (unnormalised) probabilities. */
interface Candidates {
  /** Token ids of the candidates; null means the identity (candidate j is token j). */
  ids: Int32Array | null;
  p: Float64Array;
  /** The mass the filters are relative to: all candidates after top-k; the whole row otherwise. */
  mass: number;
  /** `ids` is ordered by logit, descending (ties: lower id first). */
  sorted: boolean;
}

/** Nucleus search without top-k starts from this many of the most probable tokens, growing ×4. */
const NUCLEUS_START = 64;

/** exp(s·(z_i − zMax)) for the given ids: probabilities up to the common factor 1/Σ. */
function weightsOf(z: Float64Array, ids: Int32Array, s: number, zMax: number): Float64Array {
  const w = new Float64Array(ids.length);
  for (let j = 0; j < ids.length; j++) w[j] = Math.exp(s * (z[ids[j]] - zMax));
  return w;
}

function candidatesOf(z: Float64Array, prm: SampleParams, zMax: number): Candidates {
  const vocab = z.length;
  const s = 1 / prm.temperature;
  if (prm.topK < vocab) {
    // The draw is renormalised over the k survivors, so the row's normaliser is never needed: a heap
    // selection plus k exponentials. (Measured faster than the fused softmaxTopK, which also pays V
    // exponentials for the full normaliser: 0.3 vs 0.8 ms per 50k-token row.)
    const ids = topIndices(z, prm.topK);
    const p = weightsOf(z, ids, s, zMax);
    return { ids, p, mass: sum(p), sorted: true };
  }
  if (prm.topP < 1) {
    let total = 0;
    for (let i = 0; i < vocab; i++) total += Math.exp(s * (z[i] - zMax));
    // Rank only as many tokens as the nucleus needs (by logit, as softmaxTopK: probabilities can tie
    // where logits differ by less than an ulp of exp), growing the ranked prefix until it holds p.
    for (let m = Math.min(NUCLEUS_START, vocab); ; m = Math.min(4 * m, vocab)) {
      const ids = topIndices(z, m);
      const p = weightsOf(z, ids, s, zMax);
      if (m === vocab || sum(p) >= prm.topP * total) return { ids, p, mass: total, sorted: true };
    }
  }
  const p = softmax(z, { temperature: prm.temperature });
  return { ids: null, p, mass: sum(p), sorted: false };
}

function sum(a: ArrayLike<number>): number {
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i];
  return t;
}

function sampleRow(z: Float64Array, prm: SampleParams, row: number): number {
  let zMax = -Infinity;
  for (let i = 0; i < z.length; i++) {
    const v = z[i];
    if (Number.isNaN(v) || v === Infinity) failRow('logits', row);
    if (v > zMax) zMax = v;
  }
  if (zMax === -Infinity) failRow('logits', row);
  const c = candidatesOf(z, prm, zMax);
  const { p, mass } = c;
  let count = p.length;
  if (c.sorted) {
    // Zero-probability tokens (−∞ logits) sort last: drop them so "at least one token" means a possible one.
    while (count > 1 && p[count - 1] === 0) count--;
    if (prm.topP < 1) {
      const target = prm.topP * mass;
      let cum = 0;
      for (let j = 0; j < count; j++) {
        cum += p[j];
        if (cum >= target) {
          count = j + 1;
          break;
        }
      }
    }
  }
  if (prm.minP > 0) {
    let pMax = 0;
    for (let j = 0; j < count; j++) if (p[j] > pMax) pMax = p[j];
    const threshold = prm.minP * pMax;
    // Zero a dropped token's probability: the draw below then never selects it.
    for (let j = 0; j < count; j++) if (p[j] < threshold) p[j] = 0;
  }
  let kept = 0;
  for (let j = 0; j < count; j++) kept += p[j];
  const u = prm.rng.next() * kept;
  let cum = 0;
  let last = -1;
  for (let j = 0; j < count; j++) {
    if (p[j] === 0) continue;
    cum += p[j];
    last = j;
    if (u < cum) return c.ids ? c.ids[j] : j;
  }
  // Only reached when rounding leaves u ≥ the accumulated sum: the last possible token.
  return c.ids ? c.ids[last] : last;
}

function sampleImpl(logits: Input, opts: SampleOptions): number | Int32Array {
  const prm = parseSampleOptions(opts);
  const rows = parseLogitRows(logits);
  const { data, vocab } = rows;
  const seen = prm.penalty === 1 ? [] : seenTokens(optionsObject(opts).previousTokens, rows.rows, vocab);
  const out = new Int32Array(rows.rows);
  const z = new Float64Array(vocab);
  for (let r = 0; r < rows.rows; r++) {
    const o = r * vocab;
    for (let i = 0; i < vocab; i++) z[i] = data[o + i];
    const flags = seen[r];
    if (flags) {
      const theta = prm.penalty;
      for (let i = 0; i < vocab; i++) if (flags[i]) z[i] = z[i] < 0 ? z[i] * theta : z[i] / theta;
    }
    out[r] = sampleRow(z, prm, r);
  }
  return tokensOut(rows, out);
}

/**
 * Draws one token id per row from softmax of processed logits, with the decoding filters of language
 * models applied in the order of Hugging Face transformers' logits processors:
 *
 * 1. repetition penalty θ (Keskar et al. 2019, "CTRL", §4.1): for every id in `previousTokens`, a logit
 *    z > 0 becomes z/θ and z < 0 becomes z·θ (transformers' `RepetitionPenaltyLogitsProcessor`);
 * 2. temperature τ: z/τ;
 * 3. top-k: keep the k largest (ties: lower id first, as `softmaxTopK`);
 * 4. top-p / nucleus (Holtzman et al. 2020): on the distribution renormalised over the survivors, sorted
 *    descending, keep the smallest prefix whose cumulative probability is ≥ p (always ≥ 1 token);
 * 5. min-p (Nguyen et al. 2024): keep tokens with probability ≥ minP · (largest probability);
 * 6. draw from the survivors, renormalised, by inverse CDF with one `rng.next()` per row.
 *
 * - `logits`: one row (returns a number) or `{ data, dims: [..., vocab] }` (returns an Int32Array with
 *   one id per row, rows = product of the leading dims, C order). Computed in float64 on a row copy; the
 *   input is never modified. −∞ logits have probability 0 and are never drawn.
 * - Reproducible: the same seed gives the same ids (exactly one `next()` per row, in row order).
 * - Cost per row: O(V) without filters or with min-p (one `softmax`); top-k selects the k largest logits
 *   with a bounded heap, O(V log k) worst case and ~O(V) typically, then needs only k exponentials
 *   (top-p/min-p then act on the k survivors); top-p without top-k ranks only a growing prefix
 *   (64, 256, … tokens) until it holds mass p, so peaked rows cost ~O(V) and flat ones up to O(V log V).
 * - Errors: `E_PARAM` for a missing `rng`, temperature ≤ 0, topK not an integer ≥ 1, topP ∉ (0, 1],
 *   minP ∉ [0, 1), repetitionPenalty ≤ 0 or a token id out of range; `E_INPUT` for a row with no finite
 *   logit or with NaN/+∞ (nothing can be drawn).
 *
 * @example
 * sample([2, 1, 0.5], { rng: createRng(7), temperature: 0.7, topP: 0.9 }); // → 0, 1 or 2
 */
export function sample(logits: Row, opts: SampleOptions): number;
export function sample(logits: TensorLike, opts: SampleOptions): Int32Array;
export function sample(logits: Input, opts: SampleOptions): number | Int32Array;
export function sample(logits: Input, opts: SampleOptions): number | Int32Array {
  return sampleImpl(logits, opts);
}

/**
 * The Gumbel-max trick (Gumbel 1954; Maddison et al. 2014): argmax_i (z_i/τ + g_i) with g_i i.i.d.
 * standard Gumbel is distributed exactly as softmax(z/τ). One draw per vocabulary entry in C order (so
 * V draws per row against `sample`'s one); useful when the noise must be replayable per entry, e.g. to
 * couple samples across temperatures. No filters. O(V) per row, no exponentials of the logits.
 *
 * Same input/output forms and errors as `sample`; −∞ logits are never chosen.
 */
export function gumbelMaxSample(logits: Row, opts: GumbelMaxSampleOptions): number;
export function gumbelMaxSample(logits: TensorLike, opts: GumbelMaxSampleOptions): Int32Array;
export function gumbelMaxSample(logits: Input, opts: GumbelMaxSampleOptions): number | Int32Array;
export function gumbelMaxSample(logits: Input, opts: GumbelMaxSampleOptions): number | Int32Array {
  const o = optionsObject(opts);
  const rng = checkRng(o.rng);
  const s = 1 / positiveFinite(o.temperature, 'temperature', 1);
  const rows = parseLogitRows(logits);
  const { data, vocab } = rows;
  const out = new Int32Array(rows.rows);
  for (let r = 0; r < rows.rows; r++) {
    let best = -Infinity;
    let arg = -1;
    let bad = false;
    for (let i = r * vocab; i < (r + 1) * vocab; i++) {
      const z = data[i];
      const v = z * s + gumbelFrom(rng);
      if (Number.isNaN(z) || z === Infinity) bad = true;
      if (v > best) {
        best = v;
        arg = i - r * vocab;
      }
    }
    if (bad || arg < 0) failRow('logits', r);
    out[r] = arg;
  }
  return tokensOut(rows, out);
}

/**
 * Greedy decoding: the argmax of each row (ties: lowest id). The τ → 0 limit of `sample`. O(V) per row.
 * Same forms as `sample`; `E_INPUT` for a row with no finite logit or with NaN/+∞.
 */
export function greedy(logits: Row): number;
export function greedy(logits: TensorLike): Int32Array;
export function greedy(logits: Input): number | Int32Array;
export function greedy(logits: Input): number | Int32Array {
  const rows = parseLogitRows(logits);
  const { data, vocab } = rows;
  const out = new Int32Array(rows.rows);
  for (let r = 0; r < rows.rows; r++) {
    let best = -Infinity;
    let arg = -1;
    for (let i = 0; i < vocab; i++) {
      const z = data[r * vocab + i];
      if (Number.isNaN(z) || z === Infinity) failRow('logits', r);
      if (z > best) {
        best = z;
        arg = i;
      }
    }
    if (arg < 0) failRow('logits', r);
    out[r] = arg;
  }
  return tokensOut(rows, out);
}

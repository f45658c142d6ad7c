import { fail } from './errors.js';

/**
 * A seedable pseudo-random generator. Every source of randomness in the library takes one of these
 * explicitly (an `rng` option); nothing reads `Math.random`.
 */
export interface Rng {
  /** Uniform in [0, 1) with 53 random bits (two 32-bit draws). */
  next(): number;
  /** Uniform integer in [0, 2³²). */
  nextUint32(): number;
  /** Uniform in the open interval (0, 1), never 0 or 1 (safe under `log`); 53 bits, two draws. */
  nextOpen(): number;
  /** Uniform integer in [0, n) without modulo bias, 1 ≤ n ≤ 2³² (rejection sampling). */
  nextInt(n: number): number;
  /** Standard Gumbel sample −log(−log U), U = `nextOpen()`: in about (−3.6, 36.7). */
  gumbel(): number;
  /** Standard normal sample (Box–Muller from two `nextOpen()` values; one normal per call). */
  normal(): number;
  /** An independent generator at the same position of the same stream. */
  clone(): Rng;
  /** The 128-bit state as four uint32 words (restore with `rngFromState`). */
  state(): [number, number, number, number];
}

/** The smallest thing the library accepts as an `rng` option: an object with `next(): number` in [0, 1). */
export type RngLike = Pick<Rng, 'next'> & Partial<Rng>;

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/**
 * splitmix32 (a 32-bit variant of Steele, Lea & Flood's SplitMix): used only to spread a seed over the
 * 128-bit xoshiro state, as Blackman & Vigna recommend.
 */
function splitmix32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

function makeRng(s0: number, s1: number, s2: number, s3: number): Rng {
  let a = s0 >>> 0;
  let b = s1 >>> 0;
  let c = s2 >>> 0;
  let d = s3 >>> 0;

  /** xoshiro128** 1.1 (Blackman & Vigna 2018): result = rotl(s1·5, 7)·9, then the xorshift state step. */
  function nextUint32(): number {
    const m = Math.imul(b, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    return result;
  }

  function next(): number {
    const hi = nextUint32() >>> 5; // 27 bits
    const lo = nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_53;
  }

  function nextOpen(): number {
    const hi = nextUint32() >>> 5;
    const lo = nextUint32() >>> 6;
    return (hi * 67108864 + lo + 0.5) / TWO_53;
  }

  function nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_32) fail('E_PARAM', 'n', `an integer in [1, ${TWO_32}]`, n);
    // Accept only draws below the largest multiple of n: every residue is then equally likely.
    const limit = TWO_32 - (TWO_32 % n);
    for (;;) {
      const u = nextUint32();
      if (u < limit) return u % n;
    }
  }

  const rng: Rng = {
    next,
    nextUint32,
    nextOpen,
    nextInt,
    gumbel: () => -Math.log(-Math.log(nextOpen())),
    normal: () => {
      const u1 = nextOpen();
      const u2 = nextOpen();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    clone: () => makeRng(a, b, c, d),
    state: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
  };
  return rng;
}

/**
 * A seeded generator: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", 2018/2021), period 2¹²⁸ − 1, its 128-bit state filled from `seed` by splitmix32.
 *
 * - `seed`: any safe integer (negative allowed); both its low and high 32 bits affect the stream.
 * - Determinism: `nextUint32`, `next`, `nextOpen` and `nextInt` use only 32-bit integer arithmetic
 *   (`Math.imul`, shifts) and exact float64 scaling, so a seed gives the same stream on every platform
 *   and engine. `gumbel` and `normal` also call `Math.log`/`Math.cos`, which ECMAScript leaves
 *   implementation-approximated: they can differ in the last bit between engines (not between runs).
 * - Not cryptographically secure. O(1) per draw, 16 bytes of state.
 *
 * @example
 * const rng = createRng(42);
 * rng.next();    // uniform in [0, 1)
 * rng.gumbel();  // a standard Gumbel sample
 */
export function createRng(seed: number): Rng {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) fail('E_PARAM', 'seed', 'a safe integer', seed);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_32) >>> 0;
  const sm = splitmix32(lo);
  const s = [sm(), sm(), sm(), sm()];
  if (hi !== 0) {
    const sh = splitmix32(hi ^ 0x5bd1e995);
    for (let i = 0; i < 4; i++) s[i] = (s[i] ^ sh()) >>> 0;
  }
  // xoshiro's one forbidden state; splitmix32 cannot produce it from one seed in practice, but guard.
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return makeRng(s[0], s[1], s[2], s[3]);
}

/**
 * A generator from a raw xoshiro128** state (four uint32 words, not all zero), e.g. one saved with
 * `rng.state()`. Also what the reference test vectors of xoshiro128** are stated against.
 */
export function rngFromState(state: ArrayLike<number>): Rng {
  if (state === null || typeof state !== 'object' || state.length !== 4) fail('E_PARAM', 'state', 'four uint32 words', state);
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    const w = state[i];
    if (!Number.isInteger(w) || w < 0 || w >= TWO_32) fail('E_PARAM', `state[${i}]`, 'an integer in [0, 2^32)', w);
    words.push(w);
  }
  if (words.every((w) => w === 0)) fail('E_PARAM', 'state', 'not all zero (the one state xoshiro never leaves)', '[0, 0, 0, 0]');
  return makeRng(words[0], words[1], words[2], words[3]);
}

/**
 * Validates an `rng` option: a generator from `createRng`, or any object with `next()` returning a
 * number in [0, 1). Throws `E_PARAM` naming `name` otherwise (including when it is missing).
 */
export function checkRng(value: unknown, name = 'rng'): RngLike {
  if (value === null || typeof value !== 'object' || typeof (value as { next?: unknown }).next !== 'function') {
    fail('E_PARAM', name, 'a seeded generator such as createRng(seed) (an object with next())', value);
  }
  return value as RngLike;
}

/** A standard Gumbel draw from any accepted generator: its own `gumbel()` if it has one. */
export function gumbelFrom(rng: RngLike): number {
  if (typeof rng.gumbel === 'function') return rng.gumbel();
  // −log(−log U) needs U in (0, 1): redraw the (rare) endpoints a plain next() can return.
  for (let tries = 0; tries < 64; tries++) {
    const u = rng.next();
    if (u > 0 && u < 1) return -Math.log(-Math.log(u));
  }
  return fail('E_PARAM', 'rng', 'a generator whose next() returns values in (0, 1)');
}

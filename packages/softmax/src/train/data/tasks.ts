import { fail } from '../../tensor/errors.js';
import { createRng, type Rng } from '../../tensor/rng.js';
import { emptyBatch, type BatchSource, type TokenBatch } from './batch.js';

function integer(value: unknown, name: string, lo: number, fallback?: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo) fail('E_PARAM', name, `an integer ≥ ${lo}`, v);
  return v;
}

function seeded(seed: unknown): Rng {
  return createRng(integer(seed, 'seed', 0, 0));
}

/** Distinct values from [lo, lo + range): a partial Fisher–Yates shuffle. */
function distinct(rng: Rng, count: number, lo: number, range: number): number[] {
  const pool = Array.from({ length: range }, (_, i) => lo + i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.nextInt(range - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

export interface AssociativeRecallOptions {
  /** Key–value pairs per sequence (default 32). */
  pairs?: number;
  /** Vocabulary: keys are drawn from [0, vocab/2), values from [vocab/2, vocab) (default 64). */
  vocab?: number;
  /** Queries after the pairs (default = pairs: every key asked once, in random order). */
  queries?: number;
  seed?: number;
}

/**
 * Multi-query associative recall (MQAR; Arora et al. 2023, "Zoology"): a sequence k₁ v₁ … k_n v_n
 * followed by queries q₁ … q_m (keys seen before, distinct); the target at each query position is
 * the value paired with that key. Keys are distinct within a sequence. Length 2·pairs + queries.
 */
export function associativeRecall(options: AssociativeRecallOptions = {}): BatchSource {
  const pairs = integer(options.pairs, 'pairs', 1, 32);
  const vocab = integer(options.vocab, 'vocab', 4, 64);
  const half = Math.floor(vocab / 2);
  if (pairs > half) fail('E_PARAM', 'pairs', `at most vocab/2 (${half}) so keys are distinct`, pairs);
  const queries = integer(options.queries, 'queries', 1, pairs);
  if (queries > pairs) fail('E_PARAM', 'queries', `at most pairs (${pairs})`, queries);
  const rng = seeded(options.seed);
  const length = 2 * pairs + queries;
  return {
    vocab,
    length,
    next(batchSize: number): TokenBatch {
      const batch = emptyBatch(batchSize, length);
      const { inputs, targets } = batch;
      for (let b = 0; b < batchSize; b++) {
        const row = b * length;
        const keys = distinct(rng, pairs, 0, half);
        const values = keys.map(() => half + rng.nextInt(vocab - half));
        keys.forEach((k, i) => {
          inputs.data[row + 2 * i] = k;
          inputs.data[row + 2 * i + 1] = values[i];
        });
        const asked = distinct(rng, queries, 0, pairs);
        asked.forEach((which, i) => {
          const at = row + 2 * pairs + i;
          inputs.data[at] = keys[which];
          targets.data[at] = values[which];
        });
      }
      return batch;
    },
  };
}

export interface SequenceTaskOptions {
  /** Tokens to copy or sort (default 16). */
  items?: number;
  /** Symbols drawn from [0, vocab − 1); token vocab − 1 is the separator (default 32). */
  vocab?: number;
  seed?: number;
}

/**
 * Sequence-to-sequence tasks in the decoder-only form: x₁ … x_n SEP y₁ … y_n, where the model reads
 * the input shifted by one and is scored on the y positions only (next-token targets).
 */
function seq2seq(options: SequenceTaskOptions, transform: (xs: number[]) => number[]): BatchSource {
  const items = integer(options.items, 'items', 1, 16);
  const vocab = integer(options.vocab, 'vocab', 3, 32);
  const rng = seeded(options.seed);
  const sep = vocab - 1;
  const length = 2 * items; // inputs: x₁…x_n SEP y₁…y_{n−1}; targets: y₁…y_n at positions n…2n−1
  return {
    vocab,
    length,
    next(batchSize: number): TokenBatch {
      const batch = emptyBatch(batchSize, length);
      for (let b = 0; b < batchSize; b++) {
        const row = b * length;
        const xs = Array.from({ length: items }, () => rng.nextInt(sep));
        const ys = transform(xs);
        const full = [...xs, sep, ...ys];
        for (let t = 0; t < length; t++) {
          batch.inputs.data[row + t] = full[t];
          if (t >= items) batch.targets.data[row + t] = full[t + 1];
        }
      }
      return batch;
    },
  };
}

/** Copy: the model must reproduce the sequence after the separator. */
export function copyTask(options: SequenceTaskOptions = {}): BatchSource {
  return seq2seq(options, (xs) => xs);
}

/** Sorting: the model must output the input symbols in ascending order. */
export function sortTask(options: SequenceTaskOptions = {}): BatchSource {
  return seq2seq(options, (xs) => [...xs].sort((a, b) => a - b));
}

export interface ModularArithmeticOptions {
  /** The modulus p (default 97, as in the grokking experiments of Power et al. 2022). */
  modulus?: number;
  /** The operation (default '+'). */
  operation?: '+' | '-' | '*';
  seed?: number;
}

/**
 * Modular arithmetic (Power et al. 2022): sequences `a op b =` with target (a op b) mod p at the `=`
 * position. Tokens: 0…p−1 the numbers, p the operator, p+1 '='. Vocab p + 2, length 4.
 */
export function modularArithmetic(options: ModularArithmeticOptions = {}): BatchSource {
  const p = integer(options.modulus, 'modulus', 2, 97);
  const op = options.operation ?? '+';
  if (op !== '+' && op !== '-' && op !== '*') fail('E_PARAM', 'operation', "'+', '-' or '*'", op);
  const rng = seeded(options.seed);
  const apply = (a: number, b: number): number => (op === '+' ? (a + b) % p : op === '-' ? (((a - b) % p) + p) % p : (a * b) % p);
  return {
    vocab: p + 2,
    length: 4,
    next(batchSize: number): TokenBatch {
      const batch = emptyBatch(batchSize, 4);
      for (let b = 0; b < batchSize; b++) {
        const a = rng.nextInt(p);
        const c = rng.nextInt(p);
        batch.inputs.data.set([a, p, c, p + 1], 4 * b);
        batch.targets.data[4 * b + 3] = apply(a, c);
      }
      return batch;
    },
  };
}

import { fail } from '../../tensor/errors.js';
import { createRng } from '../../tensor/rng.js';
import { emptyBatch, type BatchSource, type TokenBatch } from './batch.js';

/** A character vocabulary: the distinct characters of a text, sorted by code point. */
export interface CharacterVocabulary {
  readonly characters: readonly string[];
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
}

/** Builds the vocabulary of a text (characters by code point, so it is the same on every platform). */
export function characterVocabulary(text: string): CharacterVocabulary {
  const characters = [...new Set(Array.from(text))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  const index = new Map(characters.map((c, i) => [c, i]));
  return {
    characters,
    encode(s: string): Int32Array {
      return Int32Array.from(Array.from(s), (c, i) => {
        const id = index.get(c);
        if (id === undefined) fail('E_PARAM', `text[${i}]`, 'a character of the vocabulary', c);
        return id;
      });
    },
    decode: (ids) => Array.from(ids, (id) => characters[id] ?? '\uFFFD').join(''),
  };
}

export interface CharacterCorpusOptions {
  /** Sequence length (context) of every sample (default 128). */
  length?: number;
  /** Fraction of the text held out at the end for validation (default 0.1). */
  validation?: number;
  seed?: number;
}

/** Training and validation batch sources over one text, plus its vocabulary. */
export interface CharacterCorpus {
  vocabulary: CharacterVocabulary;
  train: BatchSource;
  validation: BatchSource;
}

/**
 * Character-level language modelling over any text (Karpathy's char-rnn / nanoGPT set-up): random
 * windows of `length + 1` characters; inputs are the first `length`, targets the next character at
 * every position. The last `validation` fraction of the text is held out.
 */
export function characterCorpus(text: string, options: CharacterCorpusOptions = {}): CharacterCorpus {
  if (typeof text !== 'string') fail('E_INPUT', 'text', 'a string', text);
  const length = options.length ?? 128;
  if (!Number.isInteger(length) || length < 1) fail('E_PARAM', 'length', 'an integer ≥ 1', length);
  const fraction = options.validation ?? 0.1;
  if (!(fraction >= 0 && fraction < 1)) fail('E_PARAM', 'validation', 'a number in [0, 1)', fraction);
  const vocabulary = characterVocabulary(text);
  const ids = vocabulary.encode(text);
  const split = Math.floor(ids.length * (1 - fraction));
  const trainIds = ids.subarray(0, split);
  const validIds = fraction > 0 ? ids.subarray(split) : trainIds;
  for (const [part, name] of [[trainIds, 'training'], [validIds, 'validation']] as const) {
    if (part.length < length + 1) fail('E_PARAM', 'length', `at most ${part.length - 1} (the ${name} part's characters − 1)`, length);
  }
  const source = (part: Int32Array, seed: number): BatchSource => {
    const rng = createRng(seed);
    return {
      vocab: vocabulary.characters.length,
      length,
      next(batchSize: number): TokenBatch {
        const batch = emptyBatch(batchSize, length);
        for (let b = 0; b < batchSize; b++) {
          const start = rng.nextInt(part.length - length);
          batch.inputs.data.set(part.subarray(start, start + length), b * length);
          batch.targets.data.set(part.subarray(start + 1, start + length + 1), b * length);
        }
        return batch;
      },
    };
  };
  const seed = options.seed ?? 0;
  return { vocabulary, train: source(trainIds, seed), validation: source(validIds, seed + 1) };
}

import { describe, expect, it } from 'vitest';
import { IGNORE } from '../../src/train/data/batch.js';
import { associativeRecall, copyTask, modularArithmetic, sortTask } from '../../src/train/data/tasks.js';
import { characterCorpus } from '../../src/train/data/characters.js';
import { expectSoftmaxError } from '../ops/helpers.js';

describe('synthetic tasks', () => {
  it('associative recall: every query’s target is the value paired with its key', () => {
    const task = associativeRecall({ pairs: 8, vocab: 32, seed: 3 });
    expect(task.length).toBe(24);
    const { inputs, targets } = task.next(5);
    for (let b = 0; b < 5; b++) {
      const row = Array.from(inputs.data.subarray(b * 24, (b + 1) * 24));
      const pairs = new Map<number, number>();
      for (let i = 0; i < 8; i++) pairs.set(row[2 * i], row[2 * i + 1]);
      expect(pairs.size).toBe(8);
      for (let i = 16; i < 24; i++) expect(targets.data[b * 24 + i]).toBe(pairs.get(row[i]));
      for (let i = 0; i < 16; i++) expect(targets.data[b * 24 + i]).toBe(IGNORE);
      for (const [k, v] of pairs) {
        expect(k).toBeLessThan(16);
        expect(v).toBeGreaterThanOrEqual(16);
      }
    }
  });

  it('is deterministic under a seed', () => {
    const a = associativeRecall({ seed: 9 }).next(3);
    const b = associativeRecall({ seed: 9 }).next(3);
    expect(a).toEqual(b);
    expect(associativeRecall({ seed: 10 }).next(3)).not.toEqual(a);
  });

  it('copy and sort score the answer positions with next-token targets', () => {
    const { inputs, targets } = sortTask({ items: 5, vocab: 10, seed: 1 }).next(1);
    const xs = Array.from(inputs.data.subarray(0, 5));
    expect(inputs.data[5]).toBe(9);
    const answer = Array.from(targets.data.subarray(5, 10));
    expect(answer).toEqual([...xs].sort((a, b) => a - b));
    expect(Array.from(inputs.data.subarray(6, 10))).toEqual(answer.slice(0, 4));
    const copy = copyTask({ items: 4, vocab: 6, seed: 2 }).next(1);
    expect(Array.from(copy.targets.data.subarray(4))).toEqual(Array.from(copy.inputs.data.subarray(0, 4)));
  });

  it('modular arithmetic targets (a op b) mod p', () => {
    const { inputs, targets } = modularArithmetic({ modulus: 7, operation: '*', seed: 4 }).next(20);
    for (let b = 0; b < 20; b++) {
      expect(targets.data[4 * b + 3]).toBe((inputs.data[4 * b] * inputs.data[4 * b + 2]) % 7);
      expect(inputs.data[4 * b + 1]).toBe(7);
    }
  });

  it('rejects impossible settings by name', () => {
    expectSoftmaxError(() => associativeRecall({ pairs: 40, vocab: 64 }), 'E_PARAM', 'pairs');
    expectSoftmaxError(() => modularArithmetic({ modulus: 1 }), 'E_PARAM', 'modulus');
  });
});

describe('character corpus', () => {
  it('windows of the text with next-character targets, a sorted vocabulary and a held-out tail', () => {
    const text = 'abcabcabdabcabcabd'.repeat(4);
    const corpus = characterCorpus(text, { length: 5, validation: 0.25, seed: 1 });
    expect(corpus.vocabulary.characters).toEqual(['a', 'b', 'c', 'd']);
    const { inputs, targets } = corpus.train.next(3);
    for (let b = 0; b < 3; b++) {
      const window = corpus.vocabulary.decode(inputs.data.subarray(b * 5, b * 5 + 5)) + corpus.vocabulary.decode(targets.data.subarray(b * 5 + 4, b * 5 + 5));
      expect(text).toContain(window);
      expect(Array.from(targets.data.subarray(b * 5, b * 5 + 4))).toEqual(Array.from(inputs.data.subarray(b * 5 + 1, b * 5 + 5)));
    }
    expect(corpus.vocabulary.decode(corpus.vocabulary.encode('dcba'))).toBe('dcba');
    expectSoftmaxError(() => characterCorpus('abc', { length: 5 }), 'E_PARAM', 'length');
  });
});

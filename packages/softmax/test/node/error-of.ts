import { expect } from 'vitest';
import { SoftmaxError } from '../../src/tensor/errors.js';

/** Runs `run`, asserts it throws a SoftmaxError, and returns it for checks of code and message. */
export function errorOf(run: () => unknown): SoftmaxError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(SoftmaxError);
    return e as SoftmaxError;
  }
  throw new Error('expected a SoftmaxError');
}

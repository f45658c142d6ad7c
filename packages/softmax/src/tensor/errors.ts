/**
 * Stable error codes. Code that handles errors should switch on `code`, never on the message.
 *
 * - `E_INPUT`: an argument has the wrong kind (not an array, not a tensor, …).
 * - `E_DTYPE`: an array has the wrong element type.
 * - `E_SHAPE`: lengths or dims disagree.
 * - `E_AXIS`: an axis is not an integer in [−rank, rank).
 * - `E_PARAM`: an option is out of range or non-finite.
 * - `E_STATE`: the call is not valid in the current state (e.g. a freed WebAssembly array).
 */
export type SoftmaxErrorCode = 'E_INPUT' | 'E_DTYPE' | 'E_SHAPE' | 'E_AXIS' | 'E_PARAM' | 'E_STATE';

/** The one error class of the library. `argument` names the offending argument or option. */
export class SoftmaxError extends Error {
  readonly code: SoftmaxErrorCode;
  readonly argument: string | undefined;

  constructor(code: SoftmaxErrorCode, message: string, argument?: string) {
    super(message);
    this.name = 'SoftmaxError';
    this.code = code;
    this.argument = argument;
  }
}

/** Shorthand used by validators: `fail('E_PARAM', 'temperature', 'a finite number > 0', value)`. */
export function fail(code: SoftmaxErrorCode, argument: string, expected: string, got?: unknown): never {
  const gotText = got === undefined ? '' : `, got ${describe(got)}`;
  throw new SoftmaxError(code, `${argument}: expected ${expected}${gotText}`, argument);
}

/** A short, safe description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const len = (value as unknown as { length?: number }).length;
    return `${value.constructor.name}(${len ?? value.byteLength})`;
  }
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

import { describe, expect, it } from 'vitest';
import { parsePythonLiteral, PyTuple } from '../../src/node/python-literal.js';

describe('parsePythonLiteral', () => {
  it('parses the dict NumPy writes', () => {
    const v = parsePythonLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }   \n");
    expect(v).toEqual(new Map<string, unknown>([['descr', '<f4'], ['fortran_order', false], ['shape', new PyTuple([2, 3])]]));
  });

  it('tells (n,) and () tuples from a parenthesised number, and lists from tuples', () => {
    expect(parsePythonLiteral('(5,)')).toEqual(new PyTuple([5]));
    expect(parsePythonLiteral('()')).toEqual(new PyTuple([]));
    expect(parsePythonLiteral('(5)')).toBe(5);
    expect(parsePythonLiteral("[('x', '<f4')]")).toEqual([new PyTuple(['x', '<f4'])]);
  });

  it('reads True, False, None, signed and Python 2 long integers, escapes in strings', () => {
    expect(parsePythonLiteral('[True, False, None, -3, 7L]')).toEqual([true, false, null, -3, 7]);
    expect(parsePythonLiteral(String.raw`'a\'b\\c'`)).toBe("a'b\\c");
  });

  it('throws SyntaxError on anything else', () => {
    for (const text of ['', '{', "{'a' 1}", "{1: 2}", 'nan', '(1 2)', "'open", '1 2', '1.5']) {
      expect(() => parsePythonLiteral(text), text).toThrow(SyntaxError);
    }
  });
});

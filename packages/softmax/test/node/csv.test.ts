import { describe, expect, it } from 'vitest';
import { formatCsv, parseCsv } from '../../src/node/index.js';
import { errorOf } from './error-of.js';
import { formatFloat32, formatFloat64, parseNumberCell } from '../../src/node/number-text.js';

describe('parseCsv', () => {
  it('reads rows of comma-separated numbers into a [rows, cols] float64 matrix', () => {
    const m = parseCsv('1,2,3\n4,5,6\n');
    expect(m.dims).toEqual([2, 3]);
    expect(m.data).toBeInstanceOf(Float64Array);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.header).toBeUndefined();
  });

  it('skips and reports a header row of names', () => {
    const m = parseCsv('a, "b" ,c\n1,2,3\n');
    expect(m.header).toEqual(['a', 'b', 'c']);
    expect(m.dims).toEqual([1, 3]);
    expect(Array.from(m.data)).toEqual([1, 2, 3]);
  });

  it('treats the empty first cell of a pandas index header as part of the header', () => {
    const m = parseCsv(',x,y\n0,1.5,2.5\n1,3.5,4.5\n');
    expect(m.header).toEqual(['', 'x', 'y']);
    expect(m.dims).toEqual([2, 3]);
  });

  it('ignores blank and whitespace-only lines, CRLF and CR line ends, a byte-order mark and no final newline', () => {
    const m = parseCsv('\uFEFF\n  1 , 2\r\n\r\n   \n3,4\r5,6');
    expect(m.dims).toEqual([3, 2]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('accepts inf, -inf, nan, Infinity, exponents and quoted numbers', () => {
    const m = parseCsv('inf,-inf,nan,Infinity,-Infinity,NaN,+INF,1e-3,-.5,"2.5",1E+2\n');
    expect(Array.from(m.data)).toEqual([Infinity, -Infinity, NaN, Infinity, -Infinity, NaN, Infinity, 0.001, -0.5, 2.5, 100]);
  });

  it('gives [0, 0] for an empty file and [0, cols] for a header alone', () => {
    expect(parseCsv('').dims).toEqual([0, 0]);
    expect(parseCsv('\n \n').dims).toEqual([0, 0]);
    const h = parseCsv('p,q\n');
    expect(h.dims).toEqual([0, 2]);
    expect(h.header).toEqual(['p', 'q']);
  });

  it('reads a single column', () => {
    const m = parseCsv('1\n2\n3\n');
    expect(m.dims).toEqual([3, 1]);
  });

  it('rejects ragged rows naming both lines (E_INPUT)', () => {
    const err = errorOf(() => parseCsv('1,2,3\n\n4,5\n', 'x.csv'));
    expect(err.code).toBe('E_INPUT');
    expect(err.argument).toBe('x.csv');
    expect(err.message).toBe('x.csv: line 3 has 2 values, expected 3 (as on line 1)');
  });

  it('checks rows against the header width', () => {
    expect(errorOf(() => parseCsv('a,b\n1,2,3\n', 'x.csv')).message).toBe('x.csv: line 2 has 3 values, expected 2 (as on line 1)');
  });

  it('rejects non-numeric cells naming line and column (E_INPUT)', () => {
    const err = errorOf(() => parseCsv('1,2\n3,abc\n', 'x.csv'));
    expect(err.code).toBe('E_INPUT');
    expect(err.message).toBe('x.csv: line 2, column 2: expected a number, got "abc"');
  });

  it('rejects empty cells and hexadecimal, which Number() would accept', () => {
    expect(errorOf(() => parseCsv('1,2\n3,\n', 'x.csv')).message).toBe('x.csv: line 2, column 2: expected a number, got an empty cell');
    expect(errorOf(() => parseCsv('1,2\n0x10,1\n', 'x.csv')).message).toBe('x.csv: line 2, column 1: expected a number, got "0x10"');
  });

  it('rejects a first row that mixes names and numbers instead of guessing', () => {
    expect(errorOf(() => parseCsv('a,1\n2,3\n', 'x.csv')).message).toBe('x.csv: line 1, column 1: expected a number, got "a"');
  });
});

describe('formatCsv', () => {
  it('writes 2-D as one line per row and 1-D as one row', () => {
    expect(formatCsv({ data: Float64Array.of(1, 2, 3, 4, 5, 6), dims: [2, 3] })).toBe('1,2,3\n4,5,6\n');
    expect(formatCsv({ data: Float64Array.of(1, 2, 3), dims: [3] })).toBe('1,2,3\n');
  });

  it('writes a scalar as one cell and empty tensors as nothing', () => {
    expect(formatCsv({ data: Float64Array.of(0.25), dims: [] })).toBe('0.25\n');
    expect(formatCsv({ data: new Float64Array(0), dims: [0] })).toBe('');
    expect(formatCsv({ data: new Float64Array(0), dims: [0, 3] })).toBe('');
  });

  it('prints float32 with the fewest digits that read back to the same float32', () => {
    expect(formatCsv({ data: Float32Array.of(0.1, 1 / 3, 16777217, 1e-45), dims: [4] })).toBe('0.1,0.33333334,16777216,1e-45\n');
  });

  it('prints float64 with String(x) and non-finite values as inf/-inf/nan', () => {
    expect(formatCsv({ data: Float64Array.of(0.1, 1 / 3, Infinity, -Infinity, NaN, -0), dims: [6] })).toBe(
      '0.1,0.3333333333333333,inf,-inf,nan,-0\n',
    );
  });

  it('prints integer arrays as integers', () => {
    expect(formatCsv({ data: Int32Array.of(-3, 0, 7), dims: [3] })).toBe('-3,0,7\n');
  });

  it('rejects rank 3 and mismatched dims (E_SHAPE)', () => {
    const rank = errorOf(() => formatCsv({ data: new Float32Array(8), dims: [2, 2, 2] }));
    expect(rank.code).toBe('E_SHAPE');
    expect(rank.message).toContain('rank 3');
    expect(rank.message).toContain('.npy');
    expect(errorOf(() => formatCsv({ data: new Float32Array(5), dims: [2, 3] })).code).toBe('E_SHAPE');
  });

  it('round-trips float64 and float32 values bit-exactly through parseCsv', () => {
    const values = [0, -0, 1, -1, 0.1, 1 / 3, Math.PI, 1e-300, 5e-324, 1.7976931348623157e308, 123456789.12345679, -2.5e-8, Infinity, -Infinity, NaN];
    const f64 = Float64Array.from(values);
    const back64 = parseCsv(formatCsv({ data: f64, dims: [3, 5] }));
    expect(back64.dims).toEqual([3, 5]);
    expect(Array.from(back64.data).map((x) => Object.is(x, -0) ? '-0' : x)).toEqual(values.map((x) => Object.is(x, -0) ? '-0' : x));

    const f32 = Float32Array.from(values.map(Math.fround));
    const back32 = Float32Array.from(parseCsv(formatCsv({ data: f32, dims: [15] })).data);
    expect(new Uint8Array(back32.buffer)).toEqual(new Uint8Array(f32.buffer));
  });
});

describe('number text', () => {
  it('formatFloat32 round-trips every float32 in a sweep of exponents and mantissas', () => {
    const bits = new Uint32Array(1);
    const f = new Float32Array(bits.buffer);
    for (let exp = 0; exp < 255; exp += 3) {
      for (const mantissa of [0, 1, 0x2aaaab, 0x400000, 0x7fffff, 0x123457]) {
        bits[0] = (exp << 23) | mantissa;
        const text = formatFloat32(f[0]);
        expect(Math.fround(parseNumberCell(text) as number)).toBe(f[0]);
        const significant = text.replace(/^-|e.*$|\./g, '').replace(/^0+|0+$/g, '');
        expect(significant.length).toBeLessThanOrEqual(9);
      }
    }
  });

  it('formatFloat64 is String(x) for finite non-zero values', () => {
    expect(formatFloat64(1e21)).toBe('1e+21');
    expect(parseNumberCell('1e+21')).toBe(1e21);
  });

  it('parseNumberCell rejects words, blanks, and partial numbers', () => {
    for (const cell of ['', ' ', 'abc', '1.2.3', '1e', 'e5', '--1', '0x1f', '0b1', 'infinit', '1,5']) {
      expect(parseNumberCell(cell)).toBeUndefined();
    }
  });
});

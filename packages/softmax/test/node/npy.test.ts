import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy, type NpyData } from '../../src/node/index.js';
import { errorOf } from './error-of.js';

/**
 * Builds an NPY file by hand from the spec (numpy.lib.format): magic `\x93NUMPY`, version bytes, a
 * little-endian header length (u16 for 1.0, u32 for 2.0/3.0), the header text, then the data bytes.
 * No padding is added: the reader must not depend on it.
 */
function npyFile(header: string, data: ArrayLike<number>, version = 1): Uint8Array {
  const text = version === 3 ? new TextEncoder().encode(header) : Uint8Array.from(header, (c) => c.charCodeAt(0));
  const lengthBytes = version === 1 ? [text.length & 0xff, text.length >> 8] : [text.length & 0xff, (text.length >> 8) & 0xff, text.length >> 16, 0];
  return Uint8Array.from([0x93, ...'NUMPY'.split('').map((c) => c.charCodeAt(0)), version, 0, ...lengthBytes, ...text, ...Array.from(data)]);
}

function bytesOf(data: NpyData): number[] {
  return Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

describe('encodeNpy: known bytes', () => {
  it('writes a 2x3 float32 array exactly as the NPY 1.0 spec lays it out', () => {
    // Expected bytes constructed by hand from the spec: 6-byte magic, version 1.0, u16 LE header length,
    // the dict text space-padded so magic+version+length+header = 128 (a multiple of 64), a final '\n',
    // then six little-endian IEEE-754 float32 values 0..5. (numpy.save writes the same 152 bytes.)
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    const headerLength = 128 - 10; // 118 = 0x76
    const header = dict + ' '.repeat(headerLength - dict.length - 1) + '\n';
    const expected = [
      0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, // \x93NUMPY
      0x01, 0x00, // version 1.0
      0x76, 0x00, // header length 118, little-endian
      ...Array.from(header, (c) => c.charCodeAt(0)),
      0x00, 0x00, 0x00, 0x00, // 0.0f
      0x00, 0x00, 0x80, 0x3f, // 1.0f
      0x00, 0x00, 0x00, 0x40, // 2.0f
      0x00, 0x00, 0x40, 0x40, // 3.0f
      0x00, 0x00, 0x80, 0x40, // 4.0f
      0x00, 0x00, 0xa0, 0x40, // 5.0f
    ];
    const out = encodeNpy({ data: Float32Array.of(0, 1, 2, 3, 4, 5), dims: [2, 3] });
    expect(Array.from(out)).toEqual(expected);
    expect(out.length).toBe(152);
  });

  it('writes shape reprs the way Python does: () for scalars and (n,) for 1-D', () => {
    const text = (bytes: Uint8Array) => String.fromCharCode(...bytes.subarray(10, 10 + (bytes[8] | (bytes[9] << 8))));
    expect(text(encodeNpy({ data: Float64Array.of(3.5), dims: [] }))).toMatch(/^\{'descr': '<f8', 'fortran_order': False, 'shape': \(\), \} +\n$/);
    expect(text(encodeNpy({ data: new Int32Array(3), dims: [3] }))).toMatch(/'descr': '<i4', 'fortran_order': False, 'shape': \(3,\), \}/);
    expect(text(encodeNpy({ data: new Uint8Array(0), dims: [0, 4] }))).toMatch(/'descr': '\|u1', 'fortran_order': False, 'shape': \(0, 4\), \}/);
  });

  it('pads every header so the data starts at a multiple of 64 bytes', () => {
    for (let rank = 0; rank < 12; rank++) {
      const out = encodeNpy({ data: new Float64Array(1), dims: new Array<number>(rank).fill(1) });
      expect((out.length - 8) % 64).toBe(0);
      expect(out[out.length - 9]).toBe(0x0a); // the header ends with '\n' just before the 8 data bytes
    }
  });

  it('switches to version 2.0 when the header does not fit a 16-bit length', () => {
    const dims = new Array<number>(30000).fill(1);
    const out = encodeNpy({ data: Float32Array.of(7), dims });
    expect(out[6]).toBe(2);
    const headerLength = new DataView(out.buffer).getUint32(8, true);
    expect(headerLength).toBeGreaterThan(0xffff);
    expect((12 + headerLength) % 64).toBe(0);
    const back = parseNpy(out);
    expect(back.dims).toEqual(dims);
    expect(Array.from(back.data)).toEqual([7]);
  });

  it('rejects arrays without an NPY form (E_DTYPE) and dims that do not match (E_SHAPE)', () => {
    expect(errorOf(() => encodeNpy({ data: [1, 2] as unknown as Float64Array, dims: [2] })).code).toBe('E_DTYPE');
    expect(errorOf(() => encodeNpy({ data: new BigInt64Array(2) as unknown as Float64Array, dims: [2] })).code).toBe('E_DTYPE');
    const shape = errorOf(() => encodeNpy({ data: new Float32Array(6), dims: [2, 2] }));
    expect(shape.code).toBe('E_SHAPE');
    expect(shape.message).toContain('data.length (6)');
    expect(errorOf(() => encodeNpy({ data: new Float32Array(2), dims: [-2, -1] })).code).toBe('E_SHAPE');
  });
});

describe('NPY round trips', () => {
  const shapes: number[][] = [[], [0], [1], [5], [2, 3], [2, 0, 3], [1, 1, 1, 4], [3, 2, 2]];
  const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
  const cases: Array<[string, (n: number) => NpyData, string]> = [
    ['float32', (n) => Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i + 1) * 1e3)), 'float32'],
    ['float64', (n) => Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 1e300), 'float64'],
    ['int32', (n) => Int32Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * (2 ** 31 - 1 - i)), 'int32'],
    ['int16', (n) => Int16Array.from({ length: n }, (_, i) => -32768 + i), 'int16'],
    ['int8', (n) => Int8Array.from({ length: n }, (_, i) => 127 - i), 'int8'],
    ['uint8', (n) => Uint8Array.from({ length: n }, (_, i) => 255 - i), 'uint8'],
    ['uint16', (n) => Uint16Array.from({ length: n }, (_, i) => 65535 - i), 'uint16'],
    ['uint32', (n) => Uint32Array.from({ length: n }, (_, i) => 2 ** 32 - 1 - i), 'uint32'],
  ];
  for (const [label, make, dtype] of cases) {
    it(`${label} keeps values, dims and type for shapes ${shapes.map((s) => `[${s}]`).join(' ')}`, () => {
      for (const dims of shapes) {
        const data = make(size(dims));
        const back = parseNpy(encodeNpy({ data, dims }));
        expect(back.dtype).toBe(dtype);
        expect(back.data.constructor).toBe(data.constructor);
        expect(back.dims).toEqual(dims);
        expect(bytesOf(back.data)).toEqual(bytesOf(data));
      }
    });
  }

  it('keeps NaN, ±Infinity and -0 bit-exactly', () => {
    const data = Float64Array.of(NaN, Infinity, -Infinity, -0, 5e-324, Number.MAX_VALUE);
    expect(bytesOf(parseNpy(encodeNpy({ data, dims: [6] })).data)).toEqual(bytesOf(data));
  });

  it('encodes a subarray view, not its whole buffer', () => {
    const whole = Float32Array.of(9, 1, 2, 9);
    const back = parseNpy(encodeNpy({ data: whole.subarray(1, 3), dims: [2] }));
    expect(Array.from(back.data)).toEqual([1, 2]);
  });

  it('returns data that does not alias the input bytes, even when they sit at an odd offset', () => {
    const file = encodeNpy({ data: Float64Array.of(1.5, -2.5), dims: [2] });
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    const back = parseNpy(shifted.subarray(1));
    expect(Array.from(back.data)).toEqual([1.5, -2.5]);
    shifted.fill(0);
    expect(Array.from(back.data)).toEqual([1.5, -2.5]);
  });
});

describe('parseNpy: headers written by other tools', () => {
  const f64le = (...xs: number[]) => bytesOf(Float64Array.from(xs));

  it('reads version 2.0 (u32 header length) and 3.0 (UTF-8 header)', () => {
    const v2 = parseNpy(npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}\n", f64le(1, 2), 2));
    expect(Array.from(v2.data)).toEqual([1, 2]);
    // Version 3.0 exists for non-Latin-1 header text, e.g. a UTF-8 field name in a (here ignored) extra key.
    const v3 = parseNpy(npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'note': 'π'}\n", f64le(3), 3));
    expect(Array.from(v3.data)).toEqual([3]);
  });

  it('accepts unpadded headers, double quotes, any key order, Python 2 long shapes', () => {
    const a = parseNpy(npyFile('{"shape": (2L, 1L), "fortran_order": False, "descr": "<f8"}', f64le(4, 5)));
    expect(a.dims).toEqual([2, 1]);
    expect(Array.from(a.data)).toEqual([4, 5]);
  });

  it('byte-swaps big-endian files', () => {
    // 1.0 as a big-endian float64 is 3F F0 00 00 00 00 00 00; -2 as big-endian int16 is FF FE.
    const f = parseNpy(npyFile("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", [0x3f, 0xf0, 0, 0, 0, 0, 0, 0]));
    expect(f.data).toBeInstanceOf(Float64Array);
    expect(Array.from(f.data)).toEqual([1]);
    const i = parseNpy(npyFile("{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }", [0xff, 0xfe, 0x01, 0x00]));
    expect(Array.from(i.data)).toEqual([-2, 256]);
  });

  it('narrows int64 to Int32Array when every value fits', () => {
    const wide = BigInt64Array.of(0n, -1n, 2147483647n, -2147483648n);
    const out = parseNpy(npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }", new Uint8Array(wide.buffer)));
    expect(out.dtype).toBe('int64');
    expect(out.data).toBeInstanceOf(Int32Array);
    expect(Array.from(out.data)).toEqual([0, -1, 2147483647, -2147483648]);
  });

  it('reads bool as 0/1 bytes', () => {
    const out = parseNpy(npyFile("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", [1, 0, 1]));
    expect(out.dtype).toBe('bool');
    expect(out.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(out.data)).toEqual([1, 0, 1]);
  });

  it('accepts fortran_order True when it is the same layout as C order (at most one axis > 1)', () => {
    const out = parseNpy(npyFile("{'descr': '<f8', 'fortran_order': True, 'shape': (1, 3), }", f64le(1, 2, 3)));
    expect(Array.from(out.data)).toEqual([1, 2, 3]);
  });
});

describe('parseNpy: errors', () => {
  const ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  const two = [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40];
  const cases: Array<[string, () => Uint8Array, string, RegExp]> = [
    ['bad magic', () => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 0, 0, 0]), 'E_INPUT', /not an NPY file/],
    ['an empty file', () => new Uint8Array(0), 'E_INPUT', /not an NPY file/],
    ['a file cut inside the preamble', () => npyFile(ok, two).subarray(0, 8), 'E_INPUT', /truncated NPY file \(the preamble/],
    ['a file cut inside the header', () => npyFile(ok, two).subarray(0, 30), 'E_INPUT', /truncated NPY file \(the header should be/],
    ['a file cut inside the data', () => npyFile(ok, two).subarray(0, 10 + ok.length + 5), 'E_INPUT', /truncated NPY file .* needs 8 data bytes, the file has 5/],
    ['trailing bytes', () => npyFile(ok, [...two, 1, 2, 3]), 'E_INPUT', /3 unexpected bytes after the NPY data/],
    ['version 4.0', () => { const b = npyFile(ok, two); b[6] = 4; return b; }, 'E_INPUT', /unsupported NPY format version 4\.0/],
    ['a header that is not a literal', () => npyFile("{'descr': '<f4', 'fortran_order': Fals", two), 'E_INPUT', /not a valid Python dict literal/],
    ['a header that is not a dict', () => npyFile('(1, 2)', two), 'E_INPUT', /must be a dict/],
    ['a header without shape', () => npyFile("{'descr': '<f4', 'fortran_order': False}", two), 'E_INPUT', /no 'shape' entry/],
    ['a header without descr', () => npyFile("{'fortran_order': False, 'shape': (2,)}", two), 'E_INPUT', /no 'descr' entry/],
    ['a negative dimension', () => npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", two), 'E_INPUT', /non-negative integers/],
    ['a list shape', () => npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", two), 'E_INPUT', /'shape' must be a tuple/],
    ['a non-boolean fortran_order', () => npyFile("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", two), 'E_INPUT', /'fortran_order' must be True or False/],
    ['Fortran order', () => npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2)}", [...two, ...two]), 'E_INPUT', /Fortran-ordered .* not supported/],
    ['float16', () => npyFile("{'descr': '<f2', 'fortran_order': False, 'shape': (2,)}", [0, 0, 0, 0]), 'E_DTYPE', /unsupported NPY dtype '<f2'/],
    ['complex', () => npyFile("{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}", two), 'E_DTYPE', /unsupported NPY dtype '<c8'/],
    ['unicode strings', () => npyFile("{'descr': '<U3', 'fortran_order': False, 'shape': (1,)}", new Array(12).fill(0)), 'E_DTYPE', /unsupported NPY dtype '<U3'/],
    ['a "|" byte order on a multi-byte type', () => npyFile("{'descr': '|f4', 'fortran_order': False, 'shape': (2,)}", two), 'E_DTYPE', /unsupported NPY dtype '\|f4'/],
    ['a structured dtype', () => npyFile("{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (1,)}", two), 'E_DTYPE', /structured NPY dtypes are not supported/],
    ['int64 values outside int32', () => npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (2,)}", new Uint8Array(BigInt64Array.of(1n, 2147483648n).buffer)), 'E_DTYPE', /int64 value 2147483648 at flat index 1 does not fit in int32/],
  ];
  for (const [label, make, code, message] of cases) {
    it(`rejects ${label} with ${code}`, () => {
      const err = errorOf(() => parseNpy(make(), 'logits.npy'));
      expect(err.code).toBe(code);
      expect(err.argument).toBe('logits.npy');
      expect(err.message.startsWith('logits.npy: ')).toBe(true);
      expect(err.message).toMatch(message);
    });
  }
});

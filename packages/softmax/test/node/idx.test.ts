/** IDX files (MNIST / Fashion-MNIST format): parsing, gzip, errors, on small generated files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIdx, readIdx } from '../../src/node/idx.js';
import { errorOf } from './error-of.js';

/** An IDX file written by hand: magic 00 00 type rank, big-endian dims, big-endian elements. */
function idxBytes(type: number, dims: number[], body: number[], itemSize: number, write: (v: DataView, o: number, x: number) => void): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length * itemSize);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  body.forEach((x, i) => write(view, 4 + 4 * dims.length + i * itemSize, x));
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'softmax-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseIdx', () => {
  it('uint8 images [2, 2, 3] (the MNIST image layout)', () => {
    const body = [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255];
    const a = parseIdx(idxBytes(0x08, [2, 2, 3], body, 1, (v, o, x) => v.setUint8(o, x)));
    expect(a.type).toBe('uint8');
    expect(a.dims).toEqual([2, 2, 3]);
    expect(Array.from(a.data)).toEqual(body);
  });
  it('big-endian int16, int32, float32, float64 and int8 elements', () => {
    const i16 = parseIdx(idxBytes(0x0b, [3], [-2, 300, 7], 2, (v, o, x) => v.setInt16(o, x, false)));
    expect([i16.type, Array.from(i16.data)]).toEqual(['int16', [-2, 300, 7]]);
    const i32 = parseIdx(idxBytes(0x0c, [2], [-70000, 123456789], 4, (v, o, x) => v.setInt32(o, x, false)));
    expect(Array.from(i32.data)).toEqual([-70000, 123456789]);
    const f32 = parseIdx(idxBytes(0x0d, [1, 2], [0.5, -1.25], 4, (v, o, x) => v.setFloat32(o, x, false)));
    expect([f32.type, f32.dims, Array.from(f32.data)]).toEqual(['float32', [1, 2], [0.5, -1.25]]);
    const f64 = parseIdx(idxBytes(0x0e, [2], [Math.PI, -1e300], 8, (v, o, x) => v.setFloat64(o, x, false)));
    expect(Array.from(f64.data)).toEqual([Math.PI, -1e300]);
    const i8 = parseIdx(idxBytes(0x09, [2], [-128, 127], 1, (v, o, x) => v.setInt8(o, x)));
    expect(Array.from(i8.data)).toEqual([-128, 127]);
  });
  it('labels [n] and a zero-length array', () => {
    expect(Array.from(parseIdx(idxBytes(0x08, [4], [9, 0, 3, 1], 1, (v, o, x) => v.setUint8(o, x))).data)).toEqual([9, 0, 3, 1]);
    const empty = parseIdx(idxBytes(0x08, [0, 28, 28], [], 1, () => undefined));
    expect(empty.dims).toEqual([0, 28, 28]);
    expect(empty.data.length).toBe(0);
  });
  it('rejects a bad magic, an unknown type, a truncated header and a wrong length', () => {
    const ok = idxBytes(0x08, [3], [1, 2, 3], 1, (v, o, x) => v.setUint8(o, x));
    const badMagic = ok.slice();
    badMagic[0] = 1;
    expect(errorOf(() => parseIdx(badMagic, 'f.idx')).message).toContain('two zero bytes');
    const badType = ok.slice();
    badType[2] = 0x0a;
    expect(errorOf(() => parseIdx(badType)).message).toContain('unknown element type 0x0a');
    expect(errorOf(() => parseIdx(ok.subarray(0, 6))).message).toContain('truncated header');
    expect(errorOf(() => parseIdx(ok.subarray(0, ok.length - 1))).message).toContain('need 11');
    const extra = new Uint8Array(ok.length + 1);
    extra.set(ok);
    expect(errorOf(() => parseIdx(extra)).code).toBe('E_INPUT');
    expect(errorOf(() => parseIdx(new Uint8Array(2))).message).toContain('shorter than');
  });
});

describe('readIdx', () => {
  const bytes = idxBytes(0x08, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8], 1, (v, o, x) => v.setUint8(o, x));
  it('reads plain and gzipped files alike', () => {
    writeFileSync(join(dir, 'a-idx3-ubyte'), bytes);
    writeFileSync(join(dir, 'a-idx3-ubyte.gz'), gzipSync(bytes));
    const plain = readIdx(join(dir, 'a-idx3-ubyte'));
    const gz = readIdx(join(dir, 'a-idx3-ubyte.gz'));
    expect(gz).toEqual(plain);
    expect(Array.from(gz.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
  it('names the path of a missing file or corrupt gzip', () => {
    const missing = join(dir, 'nope.gz');
    expect(errorOf(() => readIdx(missing)).argument).toBe(missing);
    const corrupt = join(dir, 'corrupt.gz');
    writeFileSync(corrupt, Uint8Array.from([0x1f, 0x8b, 1, 2, 3]));
    expect(errorOf(() => readIdx(corrupt)).message).toContain('corrupt gzip');
  });
});

import { describe, expect, it } from 'vitest';
import { loadSafetensors, saveSafetensors } from '../../src/train/checkpoint/safetensors.js';
import { expectSoftmaxError } from '../ops/helpers.js';

describe('safetensors', () => {
  it('round-trips names, dtypes, shapes and values bit-exactly, with metadata', () => {
    const a = Float32Array.from([1.5, -0, NaN, Infinity, 1e-45, 3.4e38]);
    const b = Float64Array.from([Math.PI, -1e-308, 5e-324]);
    const bytes = saveSafetensors({ 'layer.weight': { data: a, dims: [2, 3] }, bias: { data: b, dims: [3] } }, { format: 'pt' });
    const { tensors, metadata } = loadSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect([...tensors.keys()]).toEqual(['layer.weight', 'bias']);
    const w = tensors.get('layer.weight')!;
    expect(w.dtype).toBe('F32');
    expect(w.dims).toEqual([2, 3]);
    expect(new Uint8Array(w.data.buffer)).toEqual(new Uint8Array(a.buffer));
    expect(new Uint8Array(tensors.get('bias')!.data.buffer)).toEqual(new Uint8Array(b.buffer));
  });

  it('writes the documented layout: u64 header length, 8-byte aligned JSON, data in order', () => {
    const bytes = saveSafetensors({ x: { data: Float32Array.of(1), dims: [1] } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
    expect(header).toEqual({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } });
    expect(new DataView(bytes.buffer).getFloat32(8 + n, true)).toBe(1);
  });

  it('reads F16 and BF16 (widened to float32) and rejects malformed files by name', () => {
    // Hand-made file: F16 [1.0 = 0x3c00, −2.0 = 0xc000], BF16 [1.0 = 0x3f80].
    const header = JSON.stringify({ h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, b: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] } });
    const json = new TextEncoder().encode(header);
    const bytes = new Uint8Array(8 + json.length + 6);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    const data = new DataView(bytes.buffer, 8 + json.length);
    data.setUint16(0, 0x3c00, true);
    data.setUint16(2, 0xc000, true);
    data.setUint16(4, 0x3f80, true);
    const { tensors } = loadSafetensors(bytes);
    expect(Array.from(tensors.get('h')!.data)).toEqual([1, -2]);
    expect(Array.from(tensors.get('b')!.data)).toEqual([1]);
    const broken = bytes.slice(0, bytes.length - 1);
    expectSoftmaxError(() => loadSafetensors(broken), 'E_INPUT', 'b.data_offsets');
    expectSoftmaxError(() => saveSafetensors({ x: { data: Float32Array.of(1, 2), dims: [3] } }), 'E_SHAPE', 'x.dims');
  });
});

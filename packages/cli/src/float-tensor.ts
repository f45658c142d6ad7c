import type { NpyData } from 'softmax/node';
import type { FloatTensor } from './ops.js';

export type FloatDtype = 'float32' | 'float64';

export const FLOAT_DTYPES: readonly FloatDtype[] = ['float32', 'float64'];

/**
 * The float tensor to compute on: float data keeps its type unless `dtype` asks for the other one;
 * integer and bool data (label files) become float64, which holds every int32 exactly.
 */
export function toFloatTensor(tensor: { data: NpyData; dims: readonly number[] }, dtype?: FloatDtype): FloatTensor {
  const { data, dims } = tensor;
  const target = dtype ?? (data instanceof Float32Array ? 'float32' : 'float64');
  if (target === 'float32') return { data: data instanceof Float32Array ? data : Float32Array.from(data), dims };
  return { data: data instanceof Float64Array ? data : Float64Array.from(data), dims };
}

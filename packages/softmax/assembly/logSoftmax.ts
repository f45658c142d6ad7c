// Log-softmax and log-sum-exp of z = s·x (s = inverse temperature), float32 in, float64 accumulation.

import { maxF32 } from './reduce';
import { expSumF32 } from './softmax';

/** True if any of the n floats is NaN. */
function hasNaN(x: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v != v) return true;
  }
  return false;
}

/**
 * log Σ exp(s·x_i) = s·m + log Σ exp(s·(x_i − m)). Empty or all-(−∞) rows give −∞; +∞ gives +∞ unless
 * a NaN is present; NaN gives NaN (torch.logsumexp).
 */
export function logSumExpF32(x: usize, n: i32, s64: f64): f64 {
  const s = <f32>s64;
  const m = maxF32(x, n);
  if (m == -Infinity) return hasNaN(x, n) ? NaN : -Infinity;
  if (m == Infinity) return hasNaN(x, n) ? NaN : Infinity;
  return s64 * <f64>m + Math.log(expSumF32(x, n, m, s));
}

/**
 * y_i = s·(x_i − m) − log Σ exp(s·(x_i − m)). −∞ entries stay −∞; an all-(−∞) row, or one holding +∞ or
 * NaN, gives NaN everywhere (PyTorch). y may equal x.
 */
export function logSoftmaxF32(x: usize, y: usize, n: i32, s64: f64): void {
  if (n <= 0) return;
  const s = <f32>s64;
  const m = maxF32(x, n);
  const c = <f32>Math.log(expSumF32(x, n, m, s));
  const vm = f32x4.splat(m);
  const vs = f32x4.splat(s);
  const vc = f32x4.splat(c);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.sub(f32x4.mul(f32x4.sub(v128.load(x + o), vm), vs), vc));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, (load<f32>(x + o) - m) * s - c);
  }
}

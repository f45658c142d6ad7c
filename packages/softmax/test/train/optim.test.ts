import { describe, expect, it } from 'vitest';
import { Variable } from '../../src/train/autograd/variable.js';
import { Adam, AdamW, SGD } from '../../src/train/optim/optimizers.js';
import { clipGradNorm } from '../../src/train/optim/clip.js';
import { constantSchedule, cosineSchedule, warmupSchedule } from '../../src/train/optim/schedule.js';
import { expectSoftmaxError } from '../ops/helpers.js';

const param = (values: number[]): Variable => new Variable(Float64Array.from(values), [values.length], { requiresGrad: true });

describe('optimizers', () => {
  it('SGD with momentum follows v ← μv + g, p ← p − ηv (PyTorch form)', () => {
    const p = param([1]);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = Float64Array.of(2);
    opt.step(); // v = 2, p = 1 − 0.2
    p.grad = Float64Array.of(2);
    opt.step(); // v = 0.9·2 + 2 = 3.8, p = 0.8 − 0.38
    expect(p.data[0]).toBeCloseTo(0.42, 15);
  });

  it('Adam’s first step moves each coordinate by lr·sign(g) (bias-corrected m̂/√v̂ = ±1)', () => {
    const p = param([1, -2, 3]);
    const opt = new Adam([p], { lr: 0.01, eps: 0 });
    p.grad = Float64Array.of(0.5, -4, 1e-3);
    opt.step();
    const moved = Array.from(p.data, (v, i) => v - [1, -2, 3][i]);
    [-0.01, 0.01, -0.01].forEach((want, i) => expect(moved[i]).toBeCloseTo(want, 15));
  });

  it('AdamW decays weights decoupled from the gradient; Adam adds L2 to it', () => {
    const a = param([2]);
    const optW = new AdamW([a], { lr: 0.1, weightDecay: 0.5, eps: 0 });
    a.grad = Float64Array.of(1);
    optW.step(); // p(1 − ηλ) − η·1 = 2·0.95 − 0.1
    expect(a.data[0]).toBeCloseTo(1.8, 14);
  });

  it('minimise a quadratic to its optimum', () => {
    for (const make of [(p: Variable) => new SGD([p], { lr: 0.1, momentum: 0.5 }), (p: Variable) => new Adam([p], { lr: 0.05 })]) {
      const p = param([5, -3]);
      const opt = make(p);
      for (let t = 0; t < 500; t++) {
        p.grad = Float64Array.from(p.data, (v, i) => 2 * (v - [1, 2][i]));
        opt.step();
      }
      expect(p.data[0]).toBeCloseTo(1, 3);
      expect(p.data[1]).toBeCloseTo(2, 3);
    }
  });

  it('rejects bad options and non-leaf parameters by name', () => {
    const p = param([1]);
    expectSoftmaxError(() => new SGD([p], { lr: -1 }), 'E_PARAM', 'lr');
    expectSoftmaxError(() => new Adam([p], { lr: 0.1, beta1: 1 }), 'E_PARAM', 'beta1');
    expectSoftmaxError(() => new SGD([new Variable(new Float64Array(1), [1])], { lr: 0.1 }), 'E_INPUT', 'parameters[0]');
  });
});

describe('schedules and clipping', () => {
  it('warm-up and cosine decay hit their end points', () => {
    const s = cosineSchedule({ rate: 1, steps: 110, warmup: 10, minRate: 0.1 });
    expect(s(0)).toBeCloseTo(0.1, 15);
    expect(s(9)).toBeCloseTo(1, 15);
    expect(s(10)).toBeCloseTo(1, 15);
    expect(s(60)).toBeCloseTo(0.55, 15); // halfway: min + (max − min)/2
    expect(s(110)).toBe(0.1);
    expect(warmupSchedule(2, 4)(1)).toBe(1);
    expect(constantSchedule(3)(1000)).toBe(3);
    expectSoftmaxError(() => cosineSchedule({ rate: 1, steps: 5, warmup: 6 }), 'E_PARAM', 'warmup');
  });

  it('clipGradNorm scales all gradients together to the max norm and returns the old norm', () => {
    const a = param([0, 0]);
    const b = param([0]);
    a.grad = Float64Array.of(3, 0);
    b.grad = Float64Array.of(4);
    expect(clipGradNorm([a, b], 1)).toBe(5);
    expect(a.grad[0]).toBeCloseTo(0.6, 15);
    expect(a.grad[1]).toBe(0);
    expect(b.grad[0]).toBeCloseTo(0.8, 15);
    expect(clipGradNorm([a, b], 10)).toBeCloseTo(1, 15);
  });
});

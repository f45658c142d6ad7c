/**
 * Output gates of gated attention: Y[b, h, i, c] = O[b, h, i, c]·sigmoid(G), G from the layer input x.
 *
 * - `'input'` (Bondarenko, Nagel, Blankevoort, "Quantizable Transformers", NeurIPS 2023): x `[B, Lq,
 *   dModel]` is split into qHeads chunks x_h of dModel/qHeads; G[b, i, h] = x_h·w_h + b_h with weight
 *   `[qHeads, dModel/qHeads]`, bias `[qHeads]`.
 * - `'query'` (Qiu et al., "Gated Attention for Large Language Models", Qwen 2025): G = x·W + b with W
 *   `[dModel, qHeads]` (headwise) or `[dModel, qHeads·dv]` (elementwise; channel h·dv + c gates
 *   output channel c of head h).
 *
 * G is computed once per call in float64: O(B·Lq·dModel·width) time and O(B·Lq·width) memory, width =
 * qHeads (headwise, input) or qHeads·dv (elementwise).
 */
import { fail } from '../tensor/errors.js';
import type { FloatArray } from '../tensor/types.js';
import { allocLike, isFloatArray } from '../tensor/view.js';
import type { AttentionGate, AttentionGateGradients } from './attentionTypes.js';
import { checkTensor, dimsText, requireDims, sameType, type AttentionShape } from './layout.js';
import { sigmoid } from './scoreMaps.js';

export interface GatePlan {
  mode: 'input' | 'query';
  x: FloatArray;
  xDims: number[];
  weight: FloatArray;
  weightDims: number[];
  bias: FloatArray | null;
  dModel: number;
  /** Gate entries per head: 1 (headwise, input mode) or dv (elementwise). */
  per: number;
  /** sigmoid(G) `[B, Lq, qHeads·per]`. */
  gates: Float64Array;
}

/** Validates the gate option and computes sigmoid(G). */
export function parseGate(gate: AttentionGate, like: FloatArray, s: AttentionShape): GatePlan {
  if (typeof gate !== 'object' || gate === null || Array.isArray(gate)) fail('E_INPUT', 'gate', 'an object { x, weight, bias?, mode }', gate);
  if (gate.mode !== 'input' && gate.mode !== 'query') fail('E_PARAM', 'gate.mode', "'input' or 'query'", gate.mode);
  const x = checkTensor(gate.x, 'gate.x', 3, '[batch, Lq, dModel]');
  sameType(like, x.data, 'gate.x.data');
  const dModel = x.dims[2];
  requireDims(x.dims, [s.batch, s.lq, dModel], 'gate.x.dims', "[batch, Lq, dModel] with q's batch and Lq");
  const w = checkTensor(gate.weight, 'gate.weight', 2, gate.mode === 'input' ? '[qHeads, dModel/qHeads]' : '[dModel, qHeads] or [dModel, qHeads·dv]');
  sameType(like, w.data, 'gate.weight.data');
  let per = 1;
  if (gate.mode === 'input') {
    if (s.qHeads === 0 ? dModel !== 0 : dModel % s.qHeads !== 0) fail('E_SHAPE', 'gate.x.dims', `dModel divisible by qHeads (${s.qHeads}) for mode 'input'`, dimsText(x.dims));
    requireDims(w.dims, [s.qHeads, s.qHeads === 0 ? 0 : dModel / s.qHeads], 'gate.weight.dims', "[qHeads, dModel/qHeads] for mode 'input'");
  } else {
    if (w.dims[0] !== dModel || (w.dims[1] !== s.qHeads && w.dims[1] !== s.qHeads * s.dv)) {
      fail('E_SHAPE', 'gate.weight.dims', `[${dModel}, ${s.qHeads}] (headwise) or [${dModel}, ${s.qHeads * s.dv}] (elementwise) for mode 'query'`, dimsText(w.dims));
    }
    per = w.dims[1] === s.qHeads ? 1 : s.dv;
  }
  const width = s.qHeads * per;
  let bias: FloatArray | null = null;
  if (gate.bias !== undefined) {
    const b = isFloatArray(gate.bias) ? { data: gate.bias, dims: [gate.bias.length] } : checkTensor(gate.bias, 'gate.bias', 1, `[${width}]`);
    sameType(like, b.data, 'gate.bias');
    requireDims(b.dims, [width], 'gate.bias.dims', per === 1 ? '[qHeads]' : '[qHeads·dv]');
    bias = b.data;
  }
  const plan: GatePlan = { mode: gate.mode, x: x.data, xDims: x.dims, weight: w.data, weightDims: w.dims, bias, dModel, per, gates: new Float64Array(s.batch * s.lq * width) };
  const rows = s.batch * s.lq;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < width; c++) plan.gates[r * width + c] = sigmoid(gateLogit(plan, s, r, c));
  }
  return plan;
}

/** G for token row r (= b·Lq + i) and gate channel c. */
function gateLogit(p: GatePlan, s: AttentionShape, r: number, c: number): number {
  let g = p.bias ? p.bias[c] : 0;
  const xo = r * p.dModel;
  if (p.mode === 'input') {
    const dh = p.dModel / s.qHeads;
    for (let t = 0; t < dh; t++) g += p.x[xo + c * dh + t] * p.weight[c * dh + t];
  } else {
    const width = s.qHeads * p.per;
    for (let m = 0; m < p.dModel; m++) g += p.x[xo + m] * p.weight[m * width + c];
  }
  return g;
}

/** Index of the gate of output element (b, h, i, c) in `gates`. */
function gateIndex(p: GatePlan, s: AttentionShape, b: number, h: number, i: number, c: number): number {
  return ((b * s.lq + i) * s.qHeads + h) * p.per + (p.per === 1 ? 0 : c);
}

/** out ← out ⊙ sigmoid(G), in place. */
export function applyGate(p: GatePlan, s: AttentionShape, out: FloatArray): void {
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.qHeads; h++) {
      for (let i = 0; i < s.lq; i++) {
        const o = ((b * s.qHeads + h) * s.lq + i) * s.dv;
        for (let c = 0; c < s.dv; c++) out[o + c] *= p.gates[gateIndex(p, s, b, h, i, c)];
      }
    }
  }
}

/**
 * Backward through the gate from the ungated output O and upstream dY: dO = dY ⊙ g, and
 * dG = (dY ⊙ O) ⊙ g(1 − g) (summed over the head's channels for a headwise gate), then
 * dW, db and dx of the gate's linear map.
 */
export function gateBackward(p: GatePlan, s: AttentionShape, o: FloatArray, dy: FloatArray): { dO: Float64Array; grads: AttentionGateGradients } {
  const width = s.qHeads * p.per;
  const dG = new Float64Array(s.batch * s.lq * width);
  const dO = new Float64Array(dy.length);
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.qHeads; h++) {
      for (let i = 0; i < s.lq; i++) {
        const base = ((b * s.qHeads + h) * s.lq + i) * s.dv;
        for (let c = 0; c < s.dv; c++) {
          const gi = gateIndex(p, s, b, h, i, c);
          const g = p.gates[gi];
          dO[base + c] = dy[base + c] * g;
          dG[gi] += dy[base + c] * o[base + c] * g * (1 - g);
        }
      }
    }
  }
  const dW = new Float64Array(p.weight.length);
  const dB = new Float64Array(width);
  const dX = new Float64Array(p.x.length);
  const rows = s.batch * s.lq;
  const dh = p.mode === 'input' && s.qHeads > 0 ? p.dModel / s.qHeads : 0;
  for (let r = 0; r < rows; r++) {
    const xo = r * p.dModel;
    for (let c = 0; c < width; c++) {
      const g = dG[r * width + c];
      dB[c] += g;
      if (p.mode === 'input') {
        for (let t = 0; t < dh; t++) {
          dW[c * dh + t] += g * p.x[xo + c * dh + t];
          dX[xo + c * dh + t] += g * p.weight[c * dh + t];
        }
      } else {
        for (let m = 0; m < p.dModel; m++) {
          dW[m * width + c] += g * p.x[xo + m];
          dX[xo + m] += g * p.weight[m * width + c];
        }
      }
    }
  }
  const like = p.x;
  const cast = (a: Float64Array): FloatArray => {
    const t = allocLike(like, a.length);
    t.set(a);
    return t;
  };
  const grads: AttentionGateGradients = { weight: { data: cast(dW), dims: [...p.weightDims] }, x: { data: cast(dX), dims: [...p.xDims] } };
  if (p.bias) grads.bias = { data: cast(dB), dims: [width] };
  return { dO, grads };
}

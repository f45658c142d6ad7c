#!/usr/bin/env node
// Measures the kernels' float32 exp against the correctly rounded exp on every float32 in
// [-87.33, 0] (about 1.1e9 values; ~1 minute). Usage: node packages/softmax/scripts/measure-exp-ulp.mjs
// (after `npm run build`). Prints the max ulp error and a histogram; the README quotes its output.
import { kernels } from '../dist/kernels/wasm/module.js';

const wasm = kernels();
if (!wasm) throw new Error('WebAssembly SIMD kernels unavailable');
const CHUNK = 1 << 20;
const p = wasm.alloc(CHUNK * 8);
const f = new Float32Array(1);
const bits = new Int32Array(f.buffer);
f[0] = -87.33;
const first = bits[0] >>> 0; // the most negative value has the largest magnitude bits
const last = 0x80000000; // -0
const histogram = new Map();
let worst = 0;
let worstAt = 0;
let count = 0;
const pair = new Float32Array(2);
const pairBits = new Int32Array(pair.buffer);
for (let start = last; start <= first; start += CHUNK) {
  const n = Math.min(CHUNK, first - start + 1);
  const x = new Float32Array(wasm.memory.buffer, p, n);
  const xb = new Uint32Array(wasm.memory.buffer, p, n);
  for (let i = 0; i < n; i++) xb[i] = start + i;
  wasm.expF32(p, p + CHUNK * 4, n);
  const y = new Float32Array(wasm.memory.buffer, p + CHUNK * 4, n);
  for (let i = 0; i < n; i++) {
    pair[0] = y[i];
    pair[1] = Math.exp(x[i]);
    const d = Math.abs(pairBits[0] - pairBits[1]);
    histogram.set(d, (histogram.get(d) ?? 0) + 1);
    if (d > worst) {
      worst = d;
      worstAt = x[i];
    }
  }
  count += n;
}
console.log(`float32 exp on all ${count} floats in [-87.33, 0]: max error ${worst} ulp (at x = ${worstAt})`);
console.log('histogram (ulp: count):', [...histogram.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}: ${v}`).join(', '));

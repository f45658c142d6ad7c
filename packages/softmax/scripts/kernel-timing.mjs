#!/usr/bin/env node
// Times the WebAssembly kernels on data already in module memory (no staging copies), in cache:
// 4096 floats per call, repeated. Usage (after npm run build): node packages/softmax/scripts/kernel-timing.mjs
// Prints ns per element; the README's in-cache figures come from this script.
import { kernels } from '../dist/kernels/wasm/module.js';

const wasm = kernels();
if (!wasm) throw new Error('WebAssembly SIMD kernels unavailable');
const N = 4096;
const REPS = 20000;
const x = wasm.alloc(N * 4);
const y = wasm.alloc(N * 4);
const buf = wasm.alloc(64);
const view = new Float32Array(wasm.memory.buffer, x, N);
// Softmax-shaped inputs: x − max ≤ 0 keeps the exp in the range the kernels use.
for (let i = 0; i < N; i++) view[i] = -Math.random() * 5;

function time(label, call) {
  for (let i = 0; i < 2000; i++) call();
  const t0 = performance.now();
  for (let i = 0; i < REPS; i++) call();
  console.log(`${label.padEnd(28)} ${(((performance.now() - t0) * 1e6) / (REPS * N)).toFixed(3)} ns/element`);
}

time('exp (expF32)', () => wasm.expF32(x, y, N));
time('softmax three-pass', () => wasm.softmaxRowsF32(x, y, 1, N, 1, 0));
time('softmax three-pass, τ = 0.7', () => wasm.softmaxRowsF32(x, y, 1, N, 1 / 0.7, 0));
time('softmax two-pass', () => wasm.softmaxRowsF32(x, y, 1, N, 1, 1));
time('softmax online', () => wasm.softmaxRowsF32(x, y, 1, N, 1, 2));
time('log-sum-exp', () => wasm.logSumExpRowsF32(x, buf, 1, N, 1));
time('top-5 update', () => {
  wasm.topKBegin(5, buf, buf + 20);
  wasm.topKUpdate(x, N, 1, 0);
});

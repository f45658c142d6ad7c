#!/usr/bin/env node
// Times the GEMM and flash-attention kernels (float32). Usage, after building the package
// (node packages/softmax/scripts/build-wasm.mjs && npx tsc -b packages/softmax):
//   node packages/softmax/scripts/matmul-timing.mjs [--quick]
// Prints medians: GFLOP/s of C = A·B (2·n³ flops) for square sizes on the WebAssembly backend with
// ordinary Float32Arrays (staged copies included), with zero-copy arrays (allocate), and on the
// reference backend; then attentionHead ms and GFLOP/s at 4·lq·lk·d flops (nominal: a causal head does
// about half of that work, so its "effective" rate is also printed).
import { referenceBackend } from '../dist/kernels/reference/backend.js';
import { kernels } from '../dist/kernels/wasm/module.js';
import { createWasmBackend } from '../dist/kernels/wasm/wasmBackend.js';
import { allocate } from '../dist/kernels/wasm/allocate.js';

const exports = kernels();
if (!exports) throw new Error('WebAssembly SIMD kernels unavailable');
const wasm = createWasmBackend(exports);
const quick = process.argv.includes('--quick');

function random(n, seed) {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** The fastest call of the last `median` run (ms): the best-of column, less sensitive to a busy machine. */
let lastBest = 0;

/** Median ms of `reps` calls after `warm` warm-up calls (the fastest call is kept in lastBest). */
function median(call, reps, warm = 2) {
  for (let i = 0; i < warm; i++) call();
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    call();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  lastBest = times[0];
  return times[times.length >> 1];
}

/** Repetitions giving roughly `budget` flops of work (at least 3). */
const repsFor = (flops, budget) => Math.max(3, Math.min(200, Math.round(budget / flops)));

console.log('gemm float32, C = A·B, square n (GFLOP/s of the median call; best call in parentheses)');
console.log('n'.padStart(6), 'wasm'.padStart(16), 'wasm 0-copy'.padStart(16), 'wasm A·Bᵀ'.padStart(16), 'reference'.padStart(16));
for (const n of [64, 256, 512, 1024]) {
  const flops = 2 * n * n * n;
  const a = random(n * n, 1);
  const b = random(n * n, 2);
  const c = new Float32Array(n * n);
  const reps = repsFor(flops, quick ? 2e9 : 8e9);
  const g = (ms, best) => `${(flops / ms / 1e6).toFixed(2)} (${(flops / best / 1e6).toFixed(2)})`.padStart(16);
  const staged = g(median(() => wasm.gemm(false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n), reps), lastBest);
  const bt = g(median(() => wasm.gemm(false, true, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n), reps), lastBest);
  const [ha, hb, hc] = [allocate(n * n), allocate(n * n), allocate(n * n)];
  ha.data.set(a);
  hb.data.set(b);
  const zero = g(median(() => wasm.gemm(false, false, n, n, n, 1, ha.data, 0, n, hb.data, 0, n, 0, hc.data, 0, n), reps), lastBest);
  for (const h of [ha, hb, hc]) h.free();
  const ref = g(median(() => referenceBackend.gemm(false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n), Math.min(reps, n >= 1024 ? 3 : 7), 1), lastBest);
  console.log(String(n).padStart(6), staged, zero, bt, ref);
}

console.log('\nattentionHead float32, lq = lk = L, d = dv = 64, scale 1/8 (median)');
console.log('L'.padStart(6), 'causal'.padStart(7), 'wasm ms'.padStart(10), 'GFLOP/s'.padStart(9), 'effective'.padStart(10), 'best ms'.padStart(9), 'best GFLOP/s'.padStart(13), 'ref ms'.padStart(10));
for (const L of [512, 2048]) {
  const d = 64;
  const q = random(L * d, 3);
  const k = random(L * d, 4);
  const v = random(L * d, 5);
  const o = new Float32Array(L * d);
  const lse = new Float32Array(L);
  for (const causal of [false, true]) {
    const args = {
      q, qo: 0, k, ko: 0, v, vo: 0, o, oo: 0, lse, lo: 0, lq: L, lk: L, d, dv: d, scale: 1 / 8,
      causalOffset: causal ? 0 : Infinity, mask: null, mo: 0, maskRowStride: 0,
    };
    const nominal = 4 * L * L * d;
    const effective = causal ? 2 * L * (L + 1) * d : nominal;
    const reps = repsFor(nominal, quick ? 2e9 : 6e9);
    const t = median(() => wasm.attentionHead(args), reps);
    const best = lastBest;
    const tr = median(() => referenceBackend.attentionHead(args), L >= 2048 ? 1 : 3, L >= 2048 ? 0 : 1);
    console.log(String(L).padStart(6), String(causal).padStart(7), t.toFixed(2).padStart(10), (nominal / t / 1e6).toFixed(2).padStart(9),
      (effective / t / 1e6).toFixed(2).padStart(10), best.toFixed(2).padStart(9), (nominal / best / 1e6).toFixed(2).padStart(13), tr.toFixed(1).padStart(10));
  }
}

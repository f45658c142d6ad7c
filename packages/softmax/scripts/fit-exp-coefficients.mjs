#!/usr/bin/env node
// Derives the coefficients of the kernels' float32 exp (assembly/exp.ts):
//   e^t ≈ 1 + t·(c1 + t·(c2 + t·(c3 + t·(c4 + t·c5)))),  t ∈ [−ln2/2, ln2/2],
// minimising the maximum relative error by Lawson's algorithm (iteratively reweighted least squares,
// which converges to the minimax solution) on 4001 Chebyshev nodes. Prints the coefficients, their
// float32 roundings and the maximum relative error in exact arithmetic.
// Usage: node packages/softmax/scripts/fit-exp-coefficients.mjs
const DEGREE = 5;
const NODES = 4001;
const ITERATIONS = 300;
const half = Math.LN2 / 2;

const t = Array.from({ length: NODES }, (_, i) => Math.cos((Math.PI * i) / (NODES - 1)) * half);
// Relative error of 1 + Σ c_k t^k against e^t is (Σ c_k t^k − (e^t − 1)) / e^t.
const rows = t.map((ti) => Array.from({ length: DEGREE }, (_, k) => ti ** (k + 1) / Math.exp(ti)));
const rhs = t.map((ti) => (Math.exp(ti) - 1) / Math.exp(ti));

/** Solves the square system A c = b by Gaussian elimination with partial pivoting. */
function solve(A, b) {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r][col]) > Math.abs(M[pivot][col])) pivot = r;
    [M[col], M[pivot]] = [M[pivot], M[col]];
    for (let r = col + 1; r < n; r++) {
      const f = M[r][col] / M[col][col];
      for (let c = col; c <= n; c++) M[r][c] -= f * M[col][c];
    }
  }
  const x = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let v = M[r][n];
    for (let c = r + 1; c < n; c++) v -= M[r][c] * x[c];
    x[r] = v / M[r][r];
  }
  return x;
}

let w = new Array(NODES).fill(1 / NODES);
let c = [];
let worst = 0;
for (let it = 0; it < ITERATIONS; it++) {
  const A = Array.from({ length: DEGREE }, () => new Array(DEGREE).fill(0));
  const b = new Array(DEGREE).fill(0);
  for (let i = 0; i < NODES; i++) {
    for (let j = 0; j < DEGREE; j++) {
      b[j] += w[i] * rows[i][j] * rhs[i];
      for (let k = 0; k < DEGREE; k++) A[j][k] += w[i] * rows[i][j] * rows[i][k];
    }
  }
  c = solve(A, b);
  const residual = rows.map((row, i) => Math.abs(row.reduce((s, v, k) => s + v * c[k], 0) - rhs[i]));
  worst = Math.max(...residual);
  // Lawson's update: weight each node by its current error, then renormalise.
  w = w.map((wi, i) => wi * residual[i]);
  const total = w.reduce((s, v) => s + v, 0);
  w = w.map((wi) => wi / total);
}
console.log(`max relative error (exact arithmetic): ${worst.toExponential(3)}`);
c.forEach((ck, k) => console.log(`c${k + 1} = ${ck.toPrecision(12)}  float32: ${Math.fround(ck).toPrecision(9)}`));

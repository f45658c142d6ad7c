import { createRequire } from 'node:module';
import type { AttentionPeer, AttentionProblem } from './attention-peer.js';

export const RUVECTOR_MHA = '@ruvector/attention MultiHeadAttention';
export const RUVECTOR_DOT = '@ruvector/attention DotProductAttention ×heads';

/**
 * The JavaScript-facing calls of @ruvector/attention (napi bindings of a Rust crate). Its shipped
 * index.d.ts declares functions the binary does not export; the binary exports classes:
 * `new MultiHeadAttention(dim, numHeads).compute(query, keys, values)` with query a Float32Array(dim)
 * and keys/values arrays of Float32Array(dim), one per cache position (heads concatenated), scale
 * 1/√headDim and no projections; `new DotProductAttention(headDim).compute(...)` is the one-head form.
 * Single-query only, no mask: the decode cases.
 */
interface RuvectorAttention {
  compute(query: Float32Array, keys: Float32Array[], values: Float32Array[]): Float32Array;
}
interface RuvectorModule {
  MultiHeadAttention: new (dim: number, numHeads: number) => RuvectorAttention;
  DotProductAttention: new (dim: number) => RuvectorAttention;
  version?: () => string;
}

let cached: RuvectorModule | undefined;
/** Loaded with require (it is a CommonJS napi package) on first use; throws with the loader's reason. */
function loadRuvector(): RuvectorModule {
  cached ??= createRequire(import.meta.url)('@ruvector/attention') as RuvectorModule;
  return cached;
}

function checkProblem(p: AttentionProblem): void {
  if (p.lq !== 1 || p.batch !== 1 || p.causal) throw new Error('@ruvector/attention computes one unmasked query: decode cases only');
  if (Math.abs(p.scale - 1 / Math.sqrt(p.d)) > 1e-7) throw new Error('@ruvector/attention scales by 1/√headDim only');
}

/**
 * CPU time over wall time of one call: about 1 on one thread. Its compute runs synchronously on the
 * calling thread as far as we can see; this checks it did not fan out to a pool.
 */
function cpuPerWall(call: () => unknown): number {
  const cpu = process.cpuUsage();
  const start = performance.now();
  call();
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000 / Math.max(performance.now() - start, 1e-3);
}

function threadNote(ratio: number): string {
  return `CPU/wall ${ratio.toFixed(2)} on one call (${ratio < 1.5 ? 'one thread' : 'more than one thread'})`;
}

/** Position j's vector with every head concatenated: [H, L, d] → keys[j] = concat_h x[h, j, :]. */
function perPosition(x: Float32Array, heads: number, length: number, d: number): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let j = 0; j < length; j++) {
    const row = new Float32Array(heads * d);
    for (let h = 0; h < heads; h++) row.set(x.subarray((h * length + j) * d, (h * length + j + 1) * d), h * d);
    rows.push(row);
  }
  return rows;
}

/** One `MultiHeadAttention.compute` call covering every head (its query is our [1, H, 1, d] memory as is). */
export function ruvectorMultiHeadPeer(): AttentionPeer {
  let mha: RuvectorAttention | undefined;
  let keys: Float32Array[] = [];
  let values: Float32Array[] = [];
  let ratio = Number.NaN;
  return {
    name: RUVECTOR_MHA,
    packageName: '@ruvector/attention',
    async setup(p) {
      checkProblem(p);
      const mod = loadRuvector();
      mha = new mod.MultiHeadAttention(p.heads * p.d, p.heads);
      keys = perPosition(p.k, p.heads, p.lk, p.d);
      values = perPosition(p.v, p.heads, p.lk, p.d);
      ratio = cpuPerWall(() => mha!.compute(p.q, keys, values));
    },
    run(p) {
      return mha!.compute(p.q, keys, values);
    },
    async dispose() {
      keys = values = [];
    },
    details: () => `new MultiHeadAttention(heads·d, heads).compute(query, keys[], values[]), cache as one Float32Array per position; ${threadNote(ratio)}`,
  };
}

/** `DotProductAttention(d).compute` once per head, each head's cache as one Float32Array(d) per position. */
export function ruvectorDotProductPeer(): AttentionPeer {
  let dot: RuvectorAttention | undefined;
  let keys: Float32Array[][] = [];
  let values: Float32Array[][] = [];
  let ratio = Number.NaN;
  return {
    name: RUVECTOR_DOT,
    packageName: '@ruvector/attention',
    async setup(p) {
      checkProblem(p);
      dot = new (loadRuvector().DotProductAttention)(p.d);
      const split = (x: Float32Array) =>
        Array.from({ length: p.heads }, (_, h) => Array.from({ length: p.lk }, (_, j) => x.slice((h * p.lk + j) * p.d, (h * p.lk + j + 1) * p.d)));
      keys = split(p.k);
      values = split(p.v);
      ratio = cpuPerWall(() => dot!.compute(p.q.subarray(0, p.d), keys[0], values[0]));
    },
    run(p) {
      const out = new Float32Array(p.heads * p.d);
      for (let h = 0; h < p.heads; h++) out.set(dot!.compute(p.q.subarray(h * p.d, (h + 1) * p.d), keys[h], values[h]), h * p.d);
      return out;
    },
    async dispose() {
      keys = values = [];
    },
    details: () => `new DotProductAttention(d).compute(query, keys[], values[]) per head, outputs gathered into one array; ${threadNote(ratio)}`,
  };
}

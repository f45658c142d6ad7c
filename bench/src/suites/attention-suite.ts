import { scaleBudget } from '../harness/budget.js';
import { speedup } from '../harness/compare.js';
import type { ImplTiming } from '../harness/compare.js';
import type { AttentionPeer } from '../peers/attention-peer.js';
import { ORT_ATTENTION, ORT_MHA, ORT_SDPA, onnxRuntimeAttentionPeer } from '../peers/attention-onnxruntime.js';
import { OURS_ATTENTION, OURS_ATTENTION_ZERO_COPY, OURS_DECODE, oursAttentionPeer, oursAttentionZeroCopyPeer, oursDecodePeer } from '../peers/attention-ours.js';
import { RUVECTOR_DOT, RUVECTOR_MHA, ruvectorDotProductPeer, ruvectorMultiHeadPeer } from '../peers/attention-ruvector.js';
import { TFJS_WASM, tfjsAttentionPeer } from '../peers/attention-tfjs.js';
import { atLeast, atMost, metric, speedupMetric } from '../results/metrics.js';
import type { CaseResult, MemoryMeasurement, Metric } from '../results/result-types.js';
import { computeAttentionIllustration } from './attention/illustration.js';
import { probeOursInWorker } from './attention/memory.js';
import { attentionFlops, attentionSizes, BATCH, HEAD_DIM, HEADS, makeProblem } from './attention/problems.js';
import { runAttentionCase } from './attention/run-case.js';
import type { CallRecord } from './attention/run-case.js';
import { describeImplementations } from './implementations.js';
import type { Suite } from './suite.js';
import { resultHeader } from './suite.js';

/** Forward targets hold up to this length against onnxruntime-node. */
const ORT_TARGET_MAX_L = 2048;
const ORT_PEERS = [ORT_SDPA, ORT_MHA, ORT_ATTENTION];
const RUVECTOR_PEERS = [RUVECTOR_MHA, RUVECTOR_DOT];
/** The peers that hold the whole score matrix: the composed graphs (the fused ORT ops may tile internally). */
const MATERIALISING: ReadonlySet<string> = new Set([ORT_SDPA, TFJS_WASM]);
/** Our output against peers (float32 accumulations over up to 32k keys), and against float64. */
const TOLERANCE = 2e-5;
const REFERENCE_TOLERANCE = 1e-5;
/**
 * Linear memory: the growth exponent of peak extra memory, the least-squares slope of log m against
 * log L over the measured lengths, is 1 for memory ∝ L and 2 for a materialised L×L score matrix. The
 * target asks ours to sit nearer 1 than 2: each figure is a lower bound taken in coarse steps (the
 * WebAssembly memory grows by the allocator's increments from a heap with some free space), so a
 * two-point ratio over one 4× step can swing by ±0.3 either way.
 */
const LINEAR_EXPONENT_MAX = 1.5;
/** The exponent needs at least this many lengths. */
const EXPONENT_MIN_POINTS = 3;

function forwardPeers(zeroCopy: boolean): AttentionPeer[] {
  return [oursAttentionPeer(), ...(zeroCopy ? [oursAttentionZeroCopyPeer()] : []), onnxRuntimeAttentionPeer('sdpa'), onnxRuntimeAttentionPeer('mha'), onnxRuntimeAttentionPeer('attention23'), tfjsAttentionPeer()];
}

function decodePeers(): AttentionPeer[] {
  return [oursDecodePeer(), oursAttentionPeer(), onnxRuntimeAttentionPeer('sdpa'), onnxRuntimeAttentionPeer('mha'), onnxRuntimeAttentionPeer('attention23'), tfjsAttentionPeer(), ruvectorMultiHeadPeer(), ruvectorDotProductPeer()];
}

/** The fastest of `names` that was timed in this case, or undefined. */
function fastest(timings: readonly ImplTiming[], names: readonly string[]): ImplTiming | undefined {
  return timings.filter((t) => names.includes(t.name)).sort((a, b) => a.medianMs - b.medianMs)[0];
}

/** GFLOP/s of every timed implementation (the distance to the machine's peak). */
function throughputMetrics(timings: readonly ImplTiming[], flops: number): Metric[] {
  return timings.map((t) => metric(`gflops:${t.name}`, `${t.name} GFLOP/s`, flops / (t.medianMs * 1e6), 'GFLOP/s'));
}

function forwardMetrics(timings: readonly ImplTiming[], l: number, flops: number): Metric[] {
  const bestOrt = fastest(timings, ORT_PEERS);
  return [
    metric('speedup:best-onnxruntime', 'vs fastest onnxruntime-node graph', bestOrt === undefined ? Number.NaN : speedup(timings, OURS_ATTENTION, bestOrt.name), 'x', l <= ORT_TARGET_MAX_L ? atLeast(1) : undefined),
    speedupMetric(timings, OURS_ATTENTION, TFJS_WASM, 'vs tfjs-wasm', atLeast(2)),
    ...ORT_PEERS.map((name) => speedupMetric(timings, OURS_ATTENTION, name, `vs ${name}`)),
    speedupMetric(timings, OURS_ATTENTION_ZERO_COPY, OURS_ATTENTION, 'zero-copy vs ours'),
    ...throughputMetrics(timings, flops),
  ];
}

function decodeMetrics(timings: readonly ImplTiming[], flops: number): Metric[] {
  const bestRuvector = fastest(timings, RUVECTOR_PEERS);
  return [
    metric('speedup:best-ruvector', 'vs fastest @ruvector/attention call', bestRuvector === undefined ? Number.NaN : speedup(timings, OURS_DECODE, bestRuvector.name), 'x', atLeast(2)),
    ...[...RUVECTOR_PEERS, ...ORT_PEERS, TFJS_WASM, OURS_ATTENTION].map((name) => speedupMetric(timings, OURS_DECODE, name, `decode vs ${name}`)),
    ...throughputMetrics(timings, flops),
  ];
}

/** Growth exponent of memory: least-squares slope of log bytes against log L (1 = linear, 2 = quadratic). */
export function growthExponent(points: readonly { l: number; bytes: number }[]): number {
  const xs = points.map((p) => Math.log(p.l));
  const ys = points.map((p) => Math.log(p.bytes));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i] - my);
    sxx += (x - mx) ** 2;
  });
  return sxy / sxx;
}

export const attentionSuite: Suite = {
  id: 'attention',
  title: 'attention: forward and decode',
  description:
    `Multi-head attention, float32, batch ${BATCH}, ${HEADS} heads, head dimension ${HEAD_DIM}: the forward pass (causal and not) against ` +
    'onnxruntime-node (MatMul–Softmax–MatMul graph, contrib MultiHeadAttention, ONNX Attention) and tfjs-wasm, one decode query against ' +
    'caches of 4k–32k against @ruvector/attention and the same peers; time, GFLOP/s and peak memory against length.',
  async run({ mode, budget, onProgress }) {
    const startedAt = new Date();
    const sizes = attentionSizes(mode);
    const caseBudget = scaleBudget(budget, sizes.budgetScale);
    const errors = new Map<string, string>();
    const details = new Map<string, string>();
    const notes: string[] = [];
    const cases: CaseResult[] = [];
    const names: string[] = [];
    const packages: Record<string, string> = {};
    const remember = (peers: readonly AttentionPeer[]) => {
      for (const peer of peers) {
        if (!names.includes(peer.name)) names.push(peer.name);
        packages[peer.name] = peer.packageName;
        const detail = peer.details?.();
        if (detail !== undefined) details.set(peer.name, detail);
      }
    };
    const total = sizes.forward.length * 2 + sizes.decode.length;
    let done = 0;
    const runCase = async (kind: 'forward' | 'decode', lq: number, lk: number, causal: boolean, history: Map<string, CallRecord>) => {
      const label = kind === 'forward' ? `attention · L=${lk}${causal ? ' causal' : ''} (${++done}/${total})` : `decode · cache ${lk} (${++done}/${total})`;
      const problem = makeProblem(lq, lk, causal);
      const peers = kind === 'forward' ? forwardPeers(lk <= sizes.zeroCopyMaxL) : decodePeers();
      const baseline = kind === 'forward' ? OURS_ATTENTION : OURS_DECODE;
      const outcome = await runAttentionCase({
        label, problem, peers, baseline, budget: caseBudget, maxCallMs: sizes.maxCallMs, baselineMaxCallMs: sizes.baselineMaxCallMs, tolerance: TOLERANCE, referenceTolerance: REFERENCE_TOLERANCE,
        history, materialising: MATERIALISING, measureMemory: kind === 'forward' && !causal, onProgress,
      });
      remember(peers);
      const id = kind === 'forward' ? `L=${lk}${causal ? ':causal' : ''}` : `decode:${lk}`;
      for (const [name, error] of outcome.failures) {
        // The first error stands in the implementation list; a different later one goes to the notes.
        if (!errors.has(name)) errors.set(name, `${id}: ${error}`);
        else if (!errors.get(name)!.endsWith(error)) notes.push(`${id}: ${name} ${error}`);
      }
      for (const [name, reason] of outcome.skipped) notes.push(`${id}: ${name} ${reason}.`);
      for (const v of outcome.validation) {
        if (!v.ok) notes.push(`${id}: ${v.name} differs from ${v.against} by ${v.maxAbsDiff.toExponential(2)} (> ${v.tolerance})`);
      }
      const flops = attentionFlops(problem);
      const result: CaseResult = {
        id,
        label: kind === 'forward' ? `L = ${lk}${causal ? ', causal' : ''}` : `decode, cache ${lk}`,
        params: { L: lk, lq, lk, causal: causal ? 1 : 0, decode: kind === 'decode' ? 1 : 0, flops },
        elements: problem.batch * problem.heads * lq * lk,
        baseline,
        timings: outcome.timings,
        metrics: kind === 'forward' ? forwardMetrics(outcome.timings, lk, flops) : decodeMetrics(outcome.timings, flops),
        validation: outcome.validation,
      };
      if (outcome.memory.length > 0) result.memory = outcome.memory;
      cases.push(result);
    };

    // Predictions come from the same kind of call: causal and non-causal run at different GFLOP/s.
    const forwardHistory = new Map<string, CallRecord>();
    const causalHistory = new Map<string, CallRecord>();
    for (const l of sizes.forward) {
      for (const causal of [false, true]) await runCase('forward', l, l, causal, causal ? causalHistory : forwardHistory);
    }
    const decodeHistory = new Map<string, CallRecord>();
    for (const cache of sizes.decode) await runCase('decode', 1, cache, false, decodeHistory);

    // Our memory per length in a fresh worker each (clean WebAssembly memory), replacing the in-process probe.
    onProgress?.({ phase: 'memory', done: 0, total: sizes.forward.length, label: 'attention · memory of the flash path' });
    for (const [i, l] of sizes.forward.entries()) {
      const c = cases.find((x) => x.id === `L=${l}`)!;
      const memory: MemoryMeasurement[] = c.memory ?? [];
      const inProcess = memory.findIndex((m) => m.name === OURS_ATTENTION);
      const oursRecord = forwardHistory.get(OURS_ATTENTION);
      const predictedMs = oursRecord === undefined ? Infinity : (oursRecord.ms * c.params.flops) / oursRecord.flops;
      if (inProcess < 0 && predictedMs > sizes.maxProbeMs) {
        notes.push(`L=${l}: memory of ${OURS_ATTENTION} not measured: one call would take about ${(predictedMs / 1000).toFixed(1)} s, over the ${sizes.maxProbeMs / 1000} s limit of this mode's memory probe.`);
        continue;
      }
      try {
        const m = await probeOursInWorker(OURS_ATTENTION, { batch: BATCH, heads: HEADS, lq: l, lk: l, d: HEAD_DIM, causal: false });
        if (inProcess >= 0) memory[inProcess] = m;
        else memory.unshift(m);
      } catch (error) {
        if (i === 0) notes.push(`Memory of ${OURS_ATTENTION} measured in this process (the worker probe failed: ${error instanceof Error ? error.message : String(error)}); WebAssembly growth then excludes space earlier cases reserved.`);
      }
      c.memory = memory;
      onProgress?.({ phase: 'memory', done: i + 1, total: sizes.forward.length, label: 'attention · memory of the flash path' });
    }
    // The exponent of every implementation measured at enough lengths, on the largest length's case; a target for ours.
    const measuredCases = cases.filter((c) => c.params.decode === 0 && c.params.causal === 0 && (c.memory ?? []).length > 0);
    const lastCase = measuredCases.at(-1);
    for (const name of names) {
      const points = measuredCases.flatMap((c) => {
        const m = c.memory!.find((x) => x.name === name && !x.theoretical && x.peakExtraBytes > 0);
        return m === undefined ? [] : [{ l: c.params.L, bytes: m.peakExtraBytes }];
      });
      if (points.length < EXPONENT_MIN_POINTS || lastCase === undefined) continue;
      const span = `L ${points[0].l}–${points.at(-1)!.l}`;
      lastCase.metrics.push(
        name === OURS_ATTENTION
          ? metric('memory-exponent', `memory growth exponent of ours, ${span} (1 = linear, 2 = quadratic)`, growthExponent(points), 'number', atMost(LINEAR_EXPONENT_MAX))
          : metric(`memory-exponent:${name}`, `memory growth exponent of ${name}, ${span}`, growthExponent(points), 'number'),
      );
    }
    notes.push(
      'Peak extra memory is measured on the first call of each implementation in a fresh session, non-causal; ours in a fresh worker thread (its own WebAssembly memory). ' +
        'Native peers show in rss. Each figure is a lower bound of the true peak (JavaScript cannot sample inside a call).',
    );

    onProgress?.({ phase: 'illustration', done: 0, total: 1, label: 'attention · weight maps' });
    let illustration;
    try {
      illustration = computeAttentionIllustration();
    } catch (error) {
      notes.push(`attention weight maps failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return {
      ...resultHeader(this, mode, startedAt),
      implementations: describeImplementations(names, packages, errors, details),
      cases,
      notes,
      ...(illustration === undefined ? {} : { illustration }),
    };
  },
};


import type { MeasureBudget } from '../harness/budget.js';
import { summarizeCase } from '../harness/compare.js';
import type { ImplTiming } from '../harness/compare.js';
import { measureInterleaved } from '../harness/measure.js';
import type { Contender } from '../harness/measure.js';
import type { ProgressCallback } from '../harness/progress.js';
import { flattenOutput } from '../peers/peer.js';
import type { SoftmaxPeer } from '../peers/peer.js';
import type { ValidationCheck } from '../results/result-types.js';
import { maxAbsDiff, referenceSoftmax } from './validate.js';

export interface PeerCaseSpec {
  label: string;
  input: Float32Array;
  rows: number;
  n: number;
  peers: readonly SoftmaxPeer[];
  /** Name of the peer every other output is checked against, and the timing baseline. */
  baseline: string;
  tolerance: number;
  budget: MeasureBudget;
  onProgress?: ProgressCallback;
}

export interface PeerCaseOutcome {
  timings: ImplTiming[];
  validation: ValidationCheck[];
  /** Peers whose setup or validation run threw, with the message; they are not measured. */
  failures: Map<string, string>;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One case of a peer comparison: set every peer up, validate each output once against the baseline
 * (and the baseline against a float64 reference), measure all of them interleaved, dispose.
 */
export async function runPeerCase(spec: PeerCaseSpec): Promise<PeerCaseOutcome> {
  const { input, rows, n, label, onProgress } = spec;
  const failures = new Map<string, string>();
  const active: SoftmaxPeer[] = [];
  for (const [i, peer] of spec.peers.entries()) {
    onProgress?.({ phase: 'setup', done: i, total: spec.peers.length, label: `${label} · ${peer.name}` });
    try {
      await peer.setup(input, rows, n);
      active.push(peer);
    } catch (error) {
      failures.set(peer.name, message(error));
    }
  }
  try {
    const baselinePeer = active.find((p) => p.name === spec.baseline);
    if (baselinePeer === undefined) throw new Error(`${spec.baseline} failed: ${failures.get(spec.baseline) ?? 'not set up'}`);

    onProgress?.({ phase: 'validate', done: 0, total: active.length, label });
    await baselinePeer.beforeRun?.();
    const expected = flattenOutput(await baselinePeer.run(input, rows, n)).slice();
    const validation: ValidationCheck[] = [
      check(spec.baseline, 'float64 reference', maxAbsDiff(expected, referenceSoftmax(input, rows, n)), spec.tolerance),
    ];
    for (const peer of active) {
      if (peer === baselinePeer || peer.kind !== 'softmax') continue;
      try {
        await peer.beforeRun?.();
        const got = flattenOutput(await peer.run(input, rows, n));
        validation.push(check(peer.name, spec.baseline, maxAbsDiff(got, expected), spec.tolerance));
      } catch (error) {
        failures.set(peer.name, message(error));
      }
    }

    const measured = active.filter((p) => !failures.has(p.name));
    const contenders: Contender[] = measured.map((peer) => ({
      name: peer.name,
      run: () => peer.run(input, rows, n),
      beforeSample: peer.beforeRun?.bind(peer),
    }));
    const timings = await measureInterleaved(contenders, spec.budget, (done, total) =>
      onProgress?.({ phase: 'measure', done, total, label }),
    );
    return { timings: summarizeCase(timings.samplesMs, rows * n, spec.baseline), validation, failures };
  } finally {
    for (const peer of active) await peer.dispose();
  }
}

function check(name: string, against: string, diff: number, tolerance: number): ValidationCheck {
  return { name, against, maxAbsDiff: diff, tolerance, ok: diff <= tolerance };
}

import os from 'node:os';
import { crossEntropy } from 'softmax';
import { summarizeCase } from '../harness/compare.js';
import type { Contender } from '../harness/measure.js';
import { measureInterleaved } from '../harness/measure.js';
import { fillUniform, randomLabels } from '../harness/random.js';
import { atMost, metric, speedupMetric } from '../results/metrics.js';
import type { MemoryMeasurement, ValidationCheck } from '../results/result-types.js';
import { describeImplementations } from './implementations.js';
import { ourBackendDetails, wasmMemoryBytes } from '../peers/library-info.js';
import { measureCallMemory, theoreticalMemory } from './memory-probe.js';
import { materialisedCrossEntropy } from './naive-cross-entropy.js';
import type { Suite } from './suite.js';
import { resultHeader } from './suite.js';

const FUSED = 'crossEntropy (fused)';
const MATERIALISED = 'softmax then −log p (materialised)';
const FULL_SHAPE = { rows: 4096, classes: 32768 };
const QUICK_SHAPE = { rows: 64, classes: 4096 };
/** Leave this much memory free beyond the probability matrix before running the materialising version. */
const MEMORY_HEADROOM_BYTES = 512 * 1024 * 1024;
const RELATIVE_TOLERANCE = 1e-5;
const ONE_MB = 1_000_000;
const SEED = 0xce;

function fusedMean(logits: Float32Array, labels: Int32Array, rows: number, classes: number): number {
  return crossEntropy({ data: logits, dims: [rows, classes] }, labels, { reduction: 'mean' }) as number;
}

export const crossEntropySuite: Suite = {
  id: 'crossEntropy',
  title: 'cross-entropy over a large vocabulary',
  description:
    'Mean cross-entropy of float32 logits [rows, classes] (4096 × 32768, 512 MiB): the fused crossEntropy, which ' +
    'never materialises probabilities, against softmax followed by −log p[label]. Time and extra memory.',
  async run({ mode, budget, onProgress }) {
    const startedAt = new Date();
    const { rows, classes } = mode === 'quick' ? QUICK_SHAPE : FULL_SHAPE;
    const label = `cross-entropy · ${rows}×${classes}`;
    const elements = rows * classes;
    const matrixBytes = elements * Float32Array.BYTES_PER_ELEMENT;
    const notes: string[] = [];

    onProgress?.({ phase: 'setup', done: 0, total: 1, label: `${label} · filling ${(matrixBytes / 2 ** 20).toFixed(0)} MiB of logits` });
    const logits = fillUniform(new Float32Array(elements), SEED);
    const labels = randomLabels(rows, classes, SEED + 1);
    // Warm the kernels (compilation, scratch) so the probe sees the steady state of a call, not first-use setup.
    fusedMean(logits.subarray(0, classes), labels.subarray(0, 1), 1, classes);

    onProgress?.({ phase: 'memory', done: 0, total: 2, label });
    const wasmBefore = wasmMemoryBytes();
    const fused = measureCallMemory(FUSED, () => fusedMean(logits, labels, rows, classes));
    const memory: MemoryMeasurement[] = [fused.memory];
    const canMaterialise = os.freemem() > matrixBytes + MEMORY_HEADROOM_BYTES;
    let reference: number | undefined;
    onProgress?.({ phase: 'memory', done: 1, total: 2, label });
    if (canMaterialise) {
      const materialised = measureCallMemory(MATERIALISED, () => materialisedCrossEntropy(logits, labels, rows, classes));
      memory.push(materialised.memory);
      reference = materialised.result;
    } else {
      memory.push(theoreticalMemory(MATERIALISED, matrixBytes));
      notes.push(`${MATERIALISED} not run: it needs ${(matrixBytes / 2 ** 20).toFixed(0)} MiB and only ${(os.freemem() / 2 ** 20).toFixed(0)} MiB are free; its memory is the size of the probability matrix.`);
    }
    notes.push(`WebAssembly memory was ${(wasmBefore / 2 ** 20).toFixed(1)} MiB before the fused call; growth beyond it is what the call reserved.`);

    const validation: ValidationCheck[] = [];
    if (reference !== undefined) {
      const diff = Math.abs(fused.result - reference);
      const tolerance = RELATIVE_TOLERANCE * Math.abs(reference);
      validation.push({ name: FUSED, against: MATERIALISED, maxAbsDiff: diff, tolerance, ok: diff <= tolerance });
      if (diff > tolerance) notes.push(`fused loss ${fused.result} differs from materialised ${reference}`);
    }

    const contenders: Contender[] = [{ name: FUSED, run: () => fusedMean(logits, labels, rows, classes) }];
    if (canMaterialise) contenders.push({ name: MATERIALISED, run: () => materialisedCrossEntropy(logits, labels, rows, classes) });
    // Few, long calls: at least three rounds whatever the budget.
    const timings = await measureInterleaved(contenders, { ...budget, minRounds: Math.max(3, Math.min(budget.minRounds, 5)) }, (done, total) =>
      onProgress?.({ phase: 'measure', done, total, label }),
    );
    const summary = summarizeCase(timings.samplesMs, elements, FUSED);
    const ours = ourBackendDetails();
    return {
      ...resultHeader(this, mode, startedAt),
      implementations: describeImplementations([FUSED, MATERIALISED], { [FUSED]: 'softmax', [MATERIALISED]: 'softmax' }, new Map(), new Map([[FUSED, ours], [MATERIALISED, ours]])),
      cases: [
        {
          id: `${rows}x${classes}`,
          label: `${rows} × ${classes}`,
          params: { rows, classes },
          elements,
          baseline: FUSED,
          timings: summary,
          metrics: [
            metric('peak-extra:fused', 'fused peak extra memory', fused.memory.peakExtraBytes, 'bytes', atMost(ONE_MB)),
            metric('peak-extra:materialised', 'materialised peak extra memory', memory[1].peakExtraBytes, 'bytes'),
            speedupMetric(summary, FUSED, MATERIALISED, 'fused speed-up'),
          ],
          validation,
          memory,
        },
      ],
      notes,
    };
  },
};

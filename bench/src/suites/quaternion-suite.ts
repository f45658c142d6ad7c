import { createRng } from 'softmax';
import { describeImplementations } from './implementations.js';
import { interactionSubspaceRanks, quaternionAttention } from 'softmax';
import type { QuaternionIllustration } from './quaternion/illustration-types.js';
import { attentionMaps } from './quaternion/maps.js';
import { parameterTable } from './quaternion/params.js';
import { runFashionQuality } from './quaternion/fashion.js';
import { LEARNING_RATE, MODEL, recallLabel, runQuality, SEEDS, VARIANTS } from './quaternion/quality.js';
import { runSpeed, SPEED_MODEL } from './quaternion/speed.js';
import type { Suite } from './suite.js';
import { resultHeader } from './suite.js';

/** Operation counts of one forward pass at the speed set-up's shape (analytic, `countOps`). */
function opCounts(length: number): QuaternionIllustration['ops'] {
  const rng = createRng(5);
  const x = { data: Float32Array.from({ length: length * SPEED_MODEL.dModel }, () => rng.normal()), dims: [1, length, SPEED_MODEL.dModel] };
  return (['componentwise', 'shared'] as const).map((variant) => {
    const ops = quaternionAttention(x, x, x, { variant, heads: SPEED_MODEL.heads, countOps: true }).ops!;
    return { variant, ...ops, shape: `batch 1, L = ${length}, d_model ${SPEED_MODEL.dModel}, ${SPEED_MODEL.heads} heads (d_h = ${SPEED_MODEL.dModel / 4 / SPEED_MODEL.heads} quaternion units)` };
  });
}

export const quaternionSuite: Suite = {
  id: 'quaternion',
  title: 'quaternion: shared-score vs component-wise quaternion self-attention (Yamauchi et al., ICML 2026)',
  description:
    'Component-wise (Tay et al. 2019: four score maps, four softmaxes) vs shared-score quaternion self-attention (one score ' +
    'Re(Q ⊗ K*), one softmax, on the flash kernel): inference time at d_model 64, 4 heads; quality of a small quaternion LM ' +
    'trained with each; parameters vs a real model; attention maps; operation counts; the interaction-subspace rank check.',
  async run({ mode, budget, onProgress }) {
    const startedAt = new Date();
    const total = 5;
    const progress = (done: number, label: string): void => onProgress?.({ phase: 'measure', done, total, label: `quaternion · ${label}` });
    const speed = await runSpeed(mode, budget, (label) => progress(0, label));
    const quality = runQuality(mode, (label) => progress(1, label));
    const fashion = runFashionQuality(mode, VARIANTS, (label) => progress(2, label));
    progress(3, 'parameters, maps, counts, subspace');
    const illustration: QuaternionIllustration = {
      kind: 'quaternion',
      speed: speed.rows,
      quality: [...quality.rows, ...(fashion.available ? fashion.rows : [])],
      qualityNotes: [
        `Sequence tasks: quaternion LM, d_model ${MODEL.dModel}, ${MODEL.heads} heads, ${MODEL.layers} layers, MLP ${MODEL.mlpHidden}, quaternion RMSNorm on Q and K, causal; ` +
          `AdamW (lr ${LEARNING_RATE}, cosine, 10 % warm-up, weight decay 0.01), gradient clip 1; ${SEEDS} seeds (model init and data stream); evaluation on 8 held-out batches (accuracy over the scored positions).`,
        `Settings (${mode} mode): ${quality.settings}.`,
        `Character-LM text: ${quality.corpusSource}; last 10 % held out.`,
        fashion.available ? fashion.description : `Fashion-MNIST as a patch sequence: skipped — ${fashion.reason}`,
        mode === 'report'
          ? 'Report-mode budgets (≈ 3 minutes for the whole suite): copy is trained to its ceiling and Fashion-MNIST for under one epoch (still learning: the non-saturated comparison); ' +
            'the character LM is an early-training comparison; associative recall stays on its pre-induction plateau at this budget (in trials, 2 pairs / vocab 8, 8 pairs / vocab 32, batch 32 and 600 steps did not leave it either), so its row is not informative about recall quality.'
          : `${mode} mode step counts.`,
      ],
      parameters: parameterTable(),
      maps:
        quality.componentwiseModel && quality.example
          ? attentionMaps(quality.componentwiseModel, quality.example, recallLabel, 'layer 0, head 0 of the component-wise quaternion LM trained on associative recall (seed 0), one held-out sequence')
          : null,
      subspace: interactionSubspaceRanks({ inputUnits: 2, outputUnits: 2, seed: 1 }),
      ops: opCounts(1100),
    };
    progress(4, 'done');
    const notes = [
      'Both variants run on the library\'s flash attention kernel: shared = one call on the concatenated 4·d_h features; component-wise = four calls with signed-permuted queries (one per component map of Q ⊗ K) and V_c.',
      'Speed: float32, batch 1, non-causal, medians of interleaved samples in one process; long calls get 2–3 timed rounds. The 2-block model at L = 8192 is timed in full mode only.',
    ];
    if (mode === 'quick') notes.push('quick mode: tiny lengths and 4 training steps; no targets apply.');
    return {
      ...resultHeader(this, mode, startedAt),
      implementations: describeImplementations(['componentwise', 'shared'], { componentwise: 'softmax', shared: 'softmax' }, new Map(), new Map([
        ['componentwise', "quaternionAttention(q, k, v, { variant: 'componentwise', heads: 4 })"],
        ['shared', "quaternionAttention(q, k, v, { variant: 'shared', heads: 4 })"],
      ])),
      cases: speed.cases,
      notes,
      illustration,
    };
  },
};

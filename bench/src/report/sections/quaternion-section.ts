import { chartBlock, standardTables } from '../blocks.js';
import { heatmapChart, lineChart } from '../charts.js';
import { escapeHtml, htmlTable, num } from '../html.js';
import type { Cell } from '../html.js';
import type { SuiteResult } from '../../results/result-types.js';
import { NOISE_FACTOR, qualityClaims, qualityMaintained } from '../../suites/quaternion/claim.js';
import type { MeanStd, QuaternionIllustration, QuaternionMaps } from '../../suites/quaternion/illustration-types.js';
import type { ReportSection } from '../section.js';
import { leadParagraph } from './text.js';

const COMPONENTS = ['r', 'i', 'j', 'k'] as const;

function isQuaternionIllustration(value: unknown): value is QuaternionIllustration {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'quaternion' && Array.isArray((value as { speed?: unknown }).speed);
}

const pm = (v: MeanStd, digits: number): string => `${v.mean.toFixed(digits)} ± ${v.std.toFixed(digits)}`;
const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const int = (v: number): string => v.toLocaleString('en-US');

function opsTable(ill: QuaternionIllustration): string {
  const byVariant = new Map(ill.ops.map((o) => [o.variant, o]));
  const c = byVariant.get('componentwise');
  const s = byVariant.get('shared');
  const rows: Cell[][] = ill.ops.map((o) => [o.variant, num(int(o.scoreMultiplications)), num(int(o.softmaxCalls))]);
  if (c && s) rows.push(['shared vs component-wise', num(`−${pct(1 - s.scoreMultiplications / c.scoreMultiplications)}`), num(`${c.softmaxCalls} → ${s.softmaxCalls}`)]);
  return htmlTable(['variant', 'real multiplications in the scores', 'softmaxes (score maps normalised)'], rows,
    `One forward pass, ${escapeHtml(ill.ops[0]?.shape ?? '')}; quaternionAttention(…, { countOps: true }), whose analytic counts the tests check against an instrumented implementation.`);
}

function speedBlocks(ill: QuaternionIllustration): string[] {
  const rows = ill.speed.map((r): Cell[] => [
    num(int(r.length)),
    r.scope === 'attention' ? 'attention op (one layer)' : '2 quaternion blocks',
    num(ms(r.componentwiseMs)),
    num(ms(r.sharedMs)),
    num(`${pct(r.reduction)}${r.target === undefined ? '' : r.reduction >= r.target ? ' ✓' : ' ✗'}`),
  ]);
  const table = htmlTable(['L', 'scope', 'component-wise ms', 'shared ms', 'time saved'], rows,
    'Inference, float32, batch 1, d_model 64, 4 heads (d_h = 4 quaternion units), non-causal; medians of interleaved samples. Target: ≥ 58 % saved on the attention op at L ≥ 1000 (the paper: 58.1 % on a CPU).');
  const series = (['componentwise', 'shared'] as const).flatMap((variant) => (['attention', 'model'] as const).map((scope) => ({
    name: `${variant} · ${scope === 'attention' ? 'attention op' : '2 blocks'}`,
    emphasis: variant === 'shared',
    points: ill.speed.filter((r) => r.scope === scope).map((r) => [r.length, variant === 'shared' ? r.sharedMs : r.componentwiseMs] as const),
  }))).filter((s) => s.points.length > 0);
  const chart = lineChart({ title: 'Inference time vs sequence length', xName: 'sequence length L', yName: 'median ms', series, xScale: 'log2', yLog: true });
  return [table, chartBlock(chart)];
}

function qualityTable(ill: QuaternionIllustration): string {
  const rows = ill.quality.map((r): Cell[] => [r.task, r.variant, num(String(r.steps)), num(String(r.seeds)), num(pm(r.evalLoss, 3)), num(pm(r.evalAccuracy, 3)), num(pm(r.msPerStep, 1))]);
  return htmlTable(['task', 'variant', 'steps', 'seeds', 'eval loss', 'eval accuracy', 'ms / step'], rows, 'Mean ± standard deviation over seeds. Eval accuracy: held-out batches (sequence tasks, scored positions) or test images (Fashion-MNIST).');
}

/** The "quality maintained" check, computed from the quality rows (never hard-coded). */
function claimBlocks(ill: QuaternionIllustration): string[] {
  const claims = qualityClaims(ill.quality);
  if (claims.length === 0) return [];
  const byTask = new Map(ill.quality.map((r) => [`${r.task}|${r.variant}`, r]));
  const rows = claims.map((c): Cell[] => {
    const ceiling = byTask.get(`${c.task}|shared`)!.evalAccuracy.mean >= 0.99 && byTask.get(`${c.task}|componentwise`)!.evalAccuracy.mean >= 0.99;
    const mark = c.verdict === 'within noise' ? '✓ within seed noise' : c.verdict === 'shared better' ? '✓ shared better beyond noise' : '✗ shared worse beyond noise';
    return [c.task, num(`${c.difference >= 0 ? '+' : '−'}${(100 * Math.abs(c.difference)).toFixed(1)} pp`), num(`${(100 * NOISE_FACTOR * c.pooledStd).toFixed(1)} pp`), `${mark}${ceiling ? ' (both at ceiling)' : ''}`];
  });
  const ok = qualityMaintained(claims);
  const worse = claims.filter((c) => c.verdict === 'shared worse').map((c) => c.task);
  const sentence = ok
    ? `Claim "quality maintained" (shared vs component-wise): holds on all ${claims.length} tasks — no task has the shared variant below the component-wise one by more than ${NOISE_FACTOR}·pooled std of the per-seed accuracies.`
    : `Claim "quality maintained" (shared vs component-wise): not supported on ${worse.join(', ')} — the shared variant is below the component-wise one by more than ${NOISE_FACTOR}·pooled std there.`;
  return [
    htmlTable(['task', 'Δ accuracy (shared − component-wise)', `noise band ${NOISE_FACTOR}·s_p`, 'verdict'], rows,
      `Within seed noise when |Δ| ≤ ${NOISE_FACTOR}·s_p, s_p = √((s_shared² + s_componentwise²)/2) over the seeds of each row. With 3 seeds this only detects large differences.`),
    leadParagraph(sentence),
  ];
}

function parameterTable(ill: QuaternionIllustration): string {
  const rows = ill.parameters.map((r): Cell[] => [r.part, num(int(r.quaternion)), num(int(r.real)), num(pct(r.ratio))]);
  return htmlTable(['part', 'quaternion LM', 'real TransformerLM', 'quaternion / real'], rows,
    'Same width, layers, heads and MLP width (d_model 64, 4 heads, 2 layers, MLP 256, vocabulary 32, context 64). Every quaternion linear map holds 1/4 of the real weights.');
}

function mapBlocks(maps: QuaternionMaps): string[] {
  const range: [number, number] = [0, Math.max(...[...maps.components.flat(2), ...maps.shared.flat()])];
  const heat = (title: string, values: number[][]): string =>
    heatmapChart({ title, rows: maps.tokens, columns: maps.tokens, values: values.map((row, i) => row.map((v, j) => (j > i ? null : v))), range, xName: 'key', yName: 'query' }, { width: 360, height: 380 });
  const charts = [...maps.components.map((m, c) => heat(`component ${COMPONENTS[c]} map`, m)), heat('shared map Re(Q ⊗ K*)', maps.shared)];
  const js = htmlTable(['', ...COMPONENTS.map((c) => `A_${c}`), 'shared'],
    maps.jsComponents.map((row, c): Cell[] => [`A_${COMPONENTS[c]}`, ...row.map((v) => num(v.toFixed(3))), num(maps.jsShared[c].toFixed(3))]),
    'Mean Jensen–Shannon divergence (bits, 0 … 1) between the rows of the maps (query rows with at least two keys).');
  return [
    leadParagraph(`Attention maps: ${maps.source}. Masked (future) keys grey; one colour scale for all five maps.`),
    `<div class="chart" style="display:flex;flex-wrap:wrap;gap:8px">${charts.map((c) => `<div>${c}</div>`).join('')}</div>`,
    js,
  ];
}

function subspaceTable(ill: QuaternionIllustration): string {
  const s = ill.subspace;
  const rows: Cell[][] = [
    ['quaternion projections (random)', num(String(s.quaternion.shared)), num(String(s.quaternion.withConjugateComponents)), num(String(s.quaternion.withComponents))],
    ['identity projections (no mixing)', num(String(s.identity.shared)), num(String(s.identity.withConjugateComponents)), num(String(s.identity.withComponents))],
  ];
  return htmlTable(['projections', 'rank: shared maps', '+ component maps of Q ⊗ K*', '+ component maps of Q ⊗ K'], rows,
    `Ranks of the bilinear-form matrices of the scores (x_aᵀ M x_b, tokens in R^8, 2 quaternion units per head; ambient dimension ${s.ambient}, quaternion-structured forms ${s.quaternionStructured}). ` +
      `Each Q ⊗ K* component map equals the shared map with rotated query weights ē_c ⊗ W_Q (max deviation ${s.rotationError.toExponential(1)}). The strict span statement holds for Q ⊗ K*, not for the unconjugated Q ⊗ K.`);
}

export const quaternionSection: ReportSection = {
  id: 'quaternion',
  title: 'quaternion: shared-score vs component-wise quaternion self-attention',
  suite: 'quaternion',
  render(result: SuiteResult) {
    const raw: unknown = result.illustration;
    const ill = isQuaternionIllustration(raw) ? raw : undefined;
    const blocks = [
      leadParagraph(
        'Yamauchi, Nitta & Tamori, "Quaternion Self-Attention with Shared Scores" (ICML 2026): one real score Re(Q ⊗ K*)/√(4·d_h) and one ' +
          'softmax shared by the four components, instead of the four score maps and four softmaxes of component-wise quaternion ' +
          'attention (Tay et al. 2019). The shared score is a plain dot product of the concatenated components, so it runs on the ' +
          "library's flash attention kernel; the component-wise maps run on it too (one call per map, signed-permuted queries).",
      ),
    ];
    if (ill) {
      blocks.push('<h3>Operation counts</h3>', opsTable(ill), '<h3>Inference time</h3>', ...speedBlocks(ill));
      blocks.push('<h3>Quality</h3>', qualityTable(ill), ...claimBlocks(ill), `<ul class="notes">${ill.qualityNotes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
      blocks.push('<h3>Parameters</h3>', parameterTable(ill));
      if (ill.maps) blocks.push('<h3>Attention maps</h3>', ...mapBlocks(ill.maps));
      blocks.push('<h3>Interaction subspace</h3>', subspaceTable(ill));
    }
    blocks.push(standardTables(result));
    return blocks.filter((s) => s !== '').join('\n');
  },
};

import { chartBlock, standardTables } from '../blocks.js';
import { barChart, lineChart } from '../charts.js';
import type { LineSeries } from '../charts.js';
import { escapeHtml, htmlTable, num } from '../html.js';
import type { Cell } from '../html.js';
import { targetsOverview } from '../targets-overview.js';
import { formatNumber, formatRatio } from '../../results/format.js';
import type { CaseResult, SuiteResult } from '../../results/result-types.js';
import type { CurvePoint, DemoRun, TrainingIllustration } from '../../suites/training/illustration-types.js';
import type { ReportSection } from '../section.js';
import { leadParagraph } from './text.js';

const CURVE_SIZE = { width: 900, height: 340 };

/** The training suite's illustration, if the result carries one. */
export function trainingIllustration(result: SuiteResult): TrainingIllustration | undefined {
  const value = result.illustration as unknown as Partial<TrainingIllustration> | undefined;
  return value !== undefined && value.kind === 'training' && value.recall !== undefined && value.character !== undefined && Array.isArray(value.normalizers)
    ? (value as TrainingIllustration)
    : undefined;
}

function stepSpeed(c: CaseResult): string {
  const ours = c.timings.find((t) => t.name === c.baseline);
  const rows = c.timings.map((t): Cell[] => [
    t.name,
    num(formatNumber(t.medianMs)),
    num(`${formatNumber(t.p25Ms)} – ${formatNumber(t.p75Ms)}`),
    num(formatNumber(1000 / t.medianMs)),
    num(formatNumber((c.elements * 1000) / t.medianMs)),
    num(ours === undefined ? '—' : formatRatio(t.medianMs / ours.medianMs)),
    num(String(t.samples)),
  ]);
  const table = htmlTable(['implementation', 'median ms/step', 'p25 – p75 ms', 'steps/s', 'tokens/s', 'time vs ours', 'samples'], rows, `Training steps, ${c.label} (${c.params.parameters} parameters)`);
  const chart = barChart(
    {
      title: 'Training steps per second (higher is better)',
      categories: c.timings.map((t) => t.name),
      valueName: 'steps/s',
      series: [{ name: 'steps/s', values: c.timings.map((t) => 1000 / t.medianMs) }],
      labels: [c.timings.map((t) => `${formatNumber(1000 / t.medianMs)} steps/s`)],
    },
    { width: 900, height: 60 + 45 * c.timings.length },
  );
  return [chartBlock(chart), table].join('\n');
}

function matmulTable(cases: readonly CaseResult[]): string {
  const value = (c: CaseResult, id: string): number => c.metrics.find((m) => m.id === id)?.value ?? Number.NaN;
  const rows = cases.map((c): Cell[] => {
    const [forward, both] = c.timings;
    return [
      c.label,
      num(formatNumber(forward?.medianMs ?? Number.NaN)),
      num(formatNumber(value(c, 'gflops:forward'))),
      num(formatNumber(both?.medianMs ?? Number.NaN)),
      num(formatNumber(value(c, 'gflops:forward+backward'))),
      num(formatRatio(both !== undefined && forward !== undefined ? both.medianMs / forward.medianMs : Number.NaN)),
      num(formatRatio(value(c, 'gflops-ratio'))),
    ];
  });
  return htmlTable(
    ['size', 'forward ms', 'forward GFLOP/s', 'forward+backward ms', 'forward+backward GFLOP/s', 'time ratio (3× ideal)', 'GFLOP/s ratio (1× ideal)'],
    rows,
    'Float32 matmul: C = A·B (2n³ flops) against C plus matmul.vjp (dA = dY·Bᵀ, dB = Aᵀ·dY; 6n³ flops)',
  );
}

function settingsTable(run: DemoRun): string {
  const rows = Object.entries(run.settings).map(([k, v]): Cell[] => [k, typeof v === 'number' ? num(String(v)) : v]);
  rows.push(['parameters', num(String(run.parameters))]);
  return htmlTable(['setting', 'value'], rows, 'Settings');
}

function curveSeries(curve: readonly CurvePoint[], pick: (p: CurvePoint) => number | undefined, name: string, emphasis = false): LineSeries {
  return {
    name,
    emphasis,
    points: curve.flatMap((p) => {
      const v = pick(p);
      return v === undefined || !Number.isFinite(v) ? [] : [[p.step, v] as const];
    }),
  };
}

function outcome(run: DemoRun, measure: string): string {
  const stop = run.stoppedBy === 'goal' ? 'goal reached' : run.stoppedBy === 'time' ? 'time cap reached' : 'step limit reached';
  const verdict = run.reached ? '✓ goal met' : '✗ goal not met with these settings';
  return leadParagraph(`Goal: ${run.goal}. Result: ${measure} after ${run.steps} steps in ${formatNumber(run.seconds)} s (${stop}); ${verdict}.`);
}

/** The curriculum's stage boundaries and the comparison run without it. */
function curriculumParagraphs(run: DemoRun): string[] {
  const out: string[] = [];
  if (run.stageStarts && run.stagePairs) {
    const starts = run.stagePairs.map((pairs, i) => {
      const at = run.stageStarts?.[i];
      return at === undefined || !Number.isFinite(at) ? `${pairs} pairs: not reached` : `${pairs} pairs from step ${at}`;
    });
    out.push(
      leadParagraph(
        `Curriculum (curriculum() as train()'s data): ${starts.join('; ')}. Short sequences are cheap and the induction circuit forms on them first; ` +
          'it then carries over to longer ones with rotary positions, which encode only relative offsets.',
      ),
    );
  }
  if (run.baseline) {
    const b = run.baseline;
    const stop = b.stoppedBy === 'goal' ? 'goal reached' : b.stoppedBy === 'time' ? 'time cap reached' : 'step limit reached';
    out.push(
      leadParagraph(
        `Without the curriculum (same model, settings and time cap; ${run.stagePairs?.at(-1) ?? ''} pairs from the first step): held-out accuracy ` +
          `${formatNumber(100 * b.evalAccuracy)}% (eval loss ${formatNumber(b.evalLoss)}) after ${b.steps} steps in ${formatNumber(b.seconds)} s (${stop}).`,
      ),
    );
  }
  return out;
}

function recallBlock(run: DemoRun): string {
  const accuracy = `held-out accuracy ${formatNumber(100 * run.evalAccuracy)}% (eval loss ${formatNumber(run.evalLoss)})`;
  return [
    `<h3>${escapeHtml(run.title)}</h3>`,
    leadParagraph(
      'Multi-query associative recall (Arora et al. 2023, “Zoology”): the sequence lists key–value pairs, then asks for every key again in a new order; ' +
        'only the answers are scored. A transformer solves it with an induction circuit across its two layers. Trained with train(); the curve is its JSON log.',
    ),
    outcome(run, accuracy),
    ...curriculumParagraphs(run),
    chartBlock(lineChart({ title: 'Loss (nats)', xName: 'step', yName: 'loss', series: [curveSeries(run.curve, (p) => p.loss, 'training batch (current stage)'), curveSeries(run.curve, (p) => p.evalLoss, `held-out, ${run.stagePairs?.at(-1) ?? ''} pairs`.replace(/, $/, ''), true)] }, CURVE_SIZE)),
    chartBlock(lineChart({ title: 'Held-out accuracy', xName: 'step', yName: 'accuracy', series: [curveSeries(run.curve, (p) => p.evalAccuracy, 'held-out accuracy', true)] }, CURVE_SIZE)),
    settingsTable(run),
  ].join('\n');
}

function characterBlock(ill: TrainingIllustration): string {
  const run = ill.character;
  const c = run.corpus;
  const loss = `validation loss ${formatNumber(run.evalLoss)} nats/character (${formatNumber(run.evalLoss / Math.LN2)} bits), next-character accuracy ${formatNumber(100 * run.evalAccuracy)}%`;
  const samples = run.samples.map(
    (s) => `<p><strong>${escapeHtml(s.method)}</strong>, prompt “${escapeHtml(s.prompt)}”:</p><pre style="white-space: pre-wrap; background: #f6f8fa; padding: 8px">${escapeHtml(s.prompt)}<strong>${escapeHtml(s.text)}</strong></pre>`,
  );
  return [
    `<h3>${escapeHtml(run.title)}</h3>`,
    leadParagraph(
      `Corpus: ${c.source}, ${c.files.length} files (${c.files.join(', ')}), ${formatNumber(c.bytes / 1024)} KiB, ${c.characters} characters, ` +
        `${c.vocabulary} distinct characters; the last 10% is held out. characterCorpus draws random windows; the model predicts the next character at every position.`,
    ),
    outcome(run, loss),
    chartBlock(lineChart({ title: 'Loss (nats per character)', xName: 'step', yName: 'loss', series: [curveSeries(run.curve, (p) => p.loss, 'training batch'), curveSeries(run.curve, (p) => p.evalLoss, 'validation', true)] }, CURVE_SIZE)),
    settingsTable(run),
    '<p>Samples from the trained model (greedy, then sample at temperature 0.8 with a seeded generator; one forward pass per character; generated text in bold):</p>',
    ...samples,
  ].join('\n');
}

function normalizerBlock(ill: TrainingIllustration): string {
  const runs = ill.normalizers;
  if (runs.length === 0) return '';
  const softmax = runs.find((r) => r.name === 'softmax');
  const rows = runs.map((r): Cell[] => [
    r.name,
    { text: r.options },
    num(String(r.steps)),
    num(formatNumber(r.finalLoss)),
    num(formatNumber(r.evalLoss)),
    num(formatNumber(r.seconds)),
    num(softmax === undefined ? '—' : formatRatio(r.seconds / softmax.seconds)),
  ]);
  return [
    '<h3>Attention normalisers compared</h3>',
    leadParagraph(
      'The character model of the previous demonstration with each attention variant: the same initial seed, the same batches, the same number of steps. ' +
        'Final loss is the mean training loss over the last quarter of the steps; validation loss is measured once at the end; time includes that evaluation.',
    ),
    htmlTable(['attention', 'TransformerLM options', 'steps', 'final training loss', 'validation loss', 'seconds', 'time vs softmax'], rows, 'Same model, five normalisers'),
  ].join('\n');
}

export const trainingSection: ReportSection = {
  id: 'training',
  title: 'training: speed against TensorFlow.js, and demonstrations',
  suite: 'training',
  render(result) {
    const ill = trainingIllustration(result);
    const step = result.cases.find((c) => c.id === 'step');
    const matmul = result.cases.filter((c) => c.id.startsWith('matmul:'));
    const parts: string[] = [
      leadParagraph(
        'Training with the library’s autograd tape, modules and AdamW, on one thread. The speed comparison trains the demonstration transformer and the same ' +
          'architecture written with TensorFlow.js ops (tf.variableGrads, AdamW of tf ops) from identical initial values on the same batches, interleaved in one ' +
          'process; the first batch’s loss and gradients are checked against ours before timing.',
      ),
    ];
    const overview = targetsOverview([result]);
    if (overview !== '') parts.push('<h3>Targets</h3>', overview);
    if (step !== undefined && step.timings.length > 0) parts.push('<h3>Training steps per second</h3>', stepSpeed(step));
    if (matmul.length > 0) parts.push('<h3>Matmul: forward against forward+backward</h3>', matmulTable(matmul));
    if (ill !== undefined) {
      parts.push('<h3>Demonstrations</h3>', leadParagraph(`${ill.settingsNote} Times are wall-clock on this machine, one thread.`));
      parts.push(recallBlock(ill.recall), characterBlock(ill), normalizerBlock(ill));
    }
    parts.push('<h3>All measurements</h3>', standardTables(result));
    return parts.join('\n');
  },
};

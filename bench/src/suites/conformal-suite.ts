import type { ConformalIllustration } from './conformal/illustration-types.js';
import { runFashionMnist } from './conformal/fashion-mnist.js';
import { runReproduction } from './conformal/reproduction.js';
import { CALIBRATE, PREDICT, runTiming } from './conformal/timing.js';
import { describeImplementations } from './implementations.js';
import type { Suite } from './suite.js';
import { resultHeader } from './suite.js';

export const conformalSuite: Suite = {
  id: 'conformal',
  title: 'conformal: clustered conformal timing, the Ding et al. (2023) reproduction and Fashion-MNIST',
  description:
    'Clustered conformal calibration and prediction time (LAC and APS, one timed run each) on synthetic softmax outputs, and a ' +
    'reproduction of Ding et al., "Class-conditional conformal prediction with many classes" (NeurIPS 2023): CovGap, AvgSize and ' +
    'FracUnderCov of standard, class-wise and clustered conformal on synthetic data with class-dependent difficulty; the same ' +
    'comparison on the softmax outputs of a Fashion-MNIST classifier trained with the library (skipped when the dataset is absent).',
  async run({ mode, onProgress }) {
    const startedAt = new Date();
    const { cases, runs } = runTiming(mode, (label) => onProgress?.({ phase: 'measure', done: 0, total: 3, label: `conformal · timing · ${label}` }));
    await Promise.resolve();
    const reproduction = runReproduction(mode, (label) => onProgress?.({ phase: 'measure', done: 1, total: 3, label: `conformal · reproduction · ${label}` }));
    await Promise.resolve();
    const fashionMnist = runFashionMnist({ mode, onStep: (label) => onProgress?.({ phase: 'measure', done: 2, total: 3, label: `conformal · Fashion-MNIST · ${label}` }) });
    const illustration: ConformalIllustration = { kind: 'conformal', timing: runs, reproduction, fashionMnist };
    const notes: string[] = [];
    if (!fashionMnist.available) notes.push(`Fashion-MNIST experiment skipped: ${fashionMnist.reason}`);
    if (mode === 'quick') notes.push('quick mode: 100 classes × 20 calibration points and 5,000 test rows; the timing targets apply to the full sizes only.');
    const details = new Map([
      [CALIBRATE, 'clusteredConformal(calibProbs, calibLabels, { alpha: 0.1, score, seed: 1 })'],
      [PREDICT, 'predictor.predict(probs, { rng }) on chunks of 10,000 rows, times summed'],
    ]);
    return {
      ...resultHeader(this, mode, startedAt),
      implementations: describeImplementations([CALIBRATE, PREDICT], { [CALIBRATE]: 'softmax', [PREDICT]: 'softmax' }, new Map(), details),
      cases,
      notes,
      illustration,
    };
  },
};

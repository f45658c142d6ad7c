/**
 * Untimed results of the training demonstrations for the report section: learning curves, the corpus
 * used, generated samples and the normaliser comparison. JSON-safe (plain numbers and strings).
 */
export interface TrainingIllustration {
  kind: 'training';
  /** Which settings produced the numbers ('quick' for tests, 'reduced' for the default report, 'full'). */
  settings: TrainingSettingsName;
  /** How to get the other settings, for the section. */
  settingsNote: string;
  recall: DemoRun;
  character: CharacterDemoRun;
  normalizers: NormalizerRun[];
}

export type TrainingSettingsName = 'quick' | 'reduced' | 'full';

/** One point of a learning curve (a record of `train()`'s log; eval fields on evaluation steps). */
export interface CurvePoint {
  step: number;
  loss: number;
  elapsed: number;
  evalLoss?: number;
  evalAccuracy?: number;
  /** With a curriculum: the stage of this step (0-based). */
  stage?: number;
}

/** One demonstration training run. */
export interface DemoRun {
  title: string;
  /** The model and optimiser settings, as shown in the section. */
  settings: Record<string, number | string>;
  parameters: number;
  steps: number;
  seconds: number;
  /** Mean training loss over the last evaluation interval. */
  finalLoss: number;
  evalLoss: number;
  evalAccuracy: number;
  /** What the run aimed at, e.g. "eval accuracy ≥ 99% within 300 s". */
  goal: string;
  reached: boolean;
  /** Why the run stopped: the goal, the step limit or the time cap. */
  stoppedBy: 'goal' | 'steps' | 'time';
  curve: CurvePoint[];
  /** With a curriculum: the first step of each stage, and each stage's size (e.g. pairs). */
  stageStarts?: number[];
  stagePairs?: number[];
  /** The same model and limits without the curriculum. */
  baseline?: { steps: number; seconds: number; evalLoss: number; evalAccuracy: number; stoppedBy: 'goal' | 'steps' | 'time' };
}

export interface CorpusInfo {
  /** Where the text came from, e.g. "/usr/share/common-licenses (Debian base-files)". */
  source: string;
  files: string[];
  bytes: number;
  characters: number;
  vocabulary: number;
}

export interface GeneratedSample {
  /** "greedy" or "temperature 0.8". */
  method: string;
  prompt: string;
  /** The generated continuation (without the prompt). */
  text: string;
}

export interface CharacterDemoRun extends DemoRun {
  corpus: CorpusInfo;
  samples: GeneratedSample[];
}

/** One row of the normaliser comparison: the same model, data and steps with another attention normaliser. */
export interface NormalizerRun {
  name: string;
  /** The `TransformerLM` options that select it. */
  options: string;
  steps: number;
  seconds: number;
  finalLoss: number;
  evalLoss: number;
}

/**
 * Untimed data of the conformal suite for its report section: the timing runs in seconds and the
 * reproduction table of Ding et al. (NeurIPS 2023). JSON-safe: plain numbers, no NaN or ±∞.
 */
export type ConformalMethodName = 'standard' | 'classwise' | 'clustered';

export interface ConformalTimingRun {
  score: 'lac' | 'aps';
  classes: number;
  perClass: number;
  testRows: number;
  calibrateS: number;
  predictS: number;
  /** Prediction time scaled to 100,000 rows. */
  predictPer100kS: number;
  meanSetSize: number;
  coverage: number;
  /** Targets in seconds; absent in quick mode (not applicable at the small sizes). */
  calibrateTargetS?: number;
  predictPer100kTargetS?: number;
}

export interface MeanStd {
  mean: number;
  std: number;
}

export interface ReproductionRow {
  classes: number;
  nAvg: number;
  method: ConformalMethodName;
  seeds: number;
  covGap: MeanStd;
  avgSize: MeanStd;
  fracUnderCov: MeanStd;
}

export interface ClaimVerdict {
  classes: number;
  nAvg: number;
  /** Clustered has the lowest mean CovGap and its mean AvgSize is at most `sizeTolerance` × standard's. */
  holds: boolean;
  detail: string;
}

/** Set sizes of one method in one setting: counts[s] = number of test points whose set has s classes. */
export interface SetSizeHistogram {
  method: ConformalMethodName;
  score: 'lac' | 'aps';
  setting: string;
  counts: number[];
}

export interface FashionMnistRow {
  nAvg: number;
  score: 'lac' | 'aps';
  method: ConformalMethodName;
  seeds: number;
  covGap: MeanStd;
  avgSize: MeanStd;
  fracUnderCov: MeanStd;
  coverage: MeanStd;
}

/** The Fashion-MNIST experiment, or why it did not run (dataset absent). */
export type FashionMnistResult =
  | { available: false; reason: string }
  | {
      available: true;
      dir: string;
      model: string;
      trainSeconds: number;
      finalLoss: number;
      testRows: number;
      testAccuracy: number;
      alpha: number;
      rows: FashionMnistRow[];
      histograms: SetSizeHistogram[];
    };

export interface ConformalIllustration {
  kind: 'conformal';
  timing: ConformalTimingRun[];
  /** Fashion-MNIST: a softmax classifier trained with the library, then the three methods on its outputs. */
  fashionMnist?: FashionMnistResult;
  reproduction: {
    alpha: number;
    score: 'lac' | 'aps';
    generator: string;
    testPerClass: number;
    seedsByClasses: { classes: number; seeds: number }[];
    rows: ReproductionRow[];
    claim: string;
    sizeTolerance: number;
    verdicts: ClaimVerdict[];
    summary: string;
    /** Set-size histograms of the three methods in one representative setting (first seed). */
    setSizes?: SetSizeHistogram[];
  };
}

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

export interface ConformalIllustration {
  kind: 'conformal';
  timing: ConformalTimingRun[];
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
  };
}

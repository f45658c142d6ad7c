import type { SuiteResult } from '../results/result-types.js';

/**
 * One part of the HTML report, rendering the result of one suite. New capabilities (normalizers,
 * attention, conformal, …) add a section to `sections/index.ts`; `writeReport` needs no change.
 */
export interface ReportSection {
  /** Anchor in the page. */
  id: string;
  title: string;
  /** The suite whose result this section renders. */
  suite: string;
  render(result: SuiteResult): string;
}

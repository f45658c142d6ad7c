/**
 * Benchmarks of `softmax` against the JavaScript tools a user would otherwise pick, the result files,
 * and the HTML report. The CLI's `softmax bench` and `softmax report` call into this module.
 */
export { runBenchmarks } from './run-benchmarks.js';
export type { RunBenchmarksOptions } from './run-benchmarks.js';

export { suites, findSuites } from './suites/registry.js';
export type { Suite, SuiteRunOptions } from './suites/suite.js';

export { writeResults, readResults, DEFAULT_RESULTS_DIR } from './results/write-results.js';
export { markdownTable } from './results/markdown.js';
export { summaryTable } from './results/summary.js';
export type { SuiteResult, CaseResult, Metric, MetricTarget, ValidationCheck, MemoryMeasurement, ImplementationInfo } from './results/result-types.js';

export { writeReport, renderReport } from './report/write-report.js';
export { reportSections } from './report/sections/index.js';
export type { ReportSection } from './report/section.js';

export { measureInterleaved } from './harness/measure.js';
export type { Contender, InterleavedTimings } from './harness/measure.js';
export { summarizeCase, speedup, timeRatio } from './harness/compare.js';
export type { ImplTiming } from './harness/compare.js';
export { budgetFor } from './harness/budget.js';
export type { BenchMode, MeasureBudget } from './harness/budget.js';
export type { ProgressEvent, ProgressCallback } from './harness/progress.js';
export { machineInfo } from './harness/machine.js';
export type { MachineInfo } from './harness/machine.js';

export { encodeModel, softmaxModel } from './peers/onnx-model.js';
export type { OnnxGraph, OnnxNode, OnnxValueInfo, OnnxInitializer } from './peers/onnx-model.js';

import { attentionSuite } from './attention-suite.js';
import { conformalSuite } from './conformal-suite.js';
import { crossEntropySuite } from './cross-entropy-suite.js';
import { normalizersSuite } from './normalizers-suite.js';
import { quaternionSuite } from './quaternion-suite.js';
import { softmaxSuite } from './softmax-suite.js';
import type { Suite } from './suite.js';
import { trainingSuite } from './training-suite.js';
import { topKSuite } from './top-k-suite.js';

/** Every suite, in run and report order. New capabilities (normalizers, attention, …) append here. */
export const suites: Suite[] = [softmaxSuite, topKSuite, crossEntropySuite, conformalSuite, normalizersSuite, attentionSuite, trainingSuite, quaternionSuite];

export function findSuites(only?: readonly string[]): Suite[] {
  if (only === undefined || only.length === 0) return [...suites];
  const unknown = only.filter((id) => !suites.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown suite(s): ${unknown.join(', ')}; known: ${suites.map((s) => s.id).join(', ')}`);
  return suites.filter((s) => only.includes(s.id));
}

import type { ReportSection } from '../section.js';
import { attentionSection } from './attention-section.js';
import { conformalSection } from './conformal-section.js';
import { crossEntropySection } from './cross-entropy-section.js';
import { normalizersSection } from './normalizers-section.js';
import { quaternionSection } from './quaternion-section.js';
import { softmaxSection } from './softmax-section.js';
import { topKSection } from './top-k-section.js';
import { trainingSection } from './training-section.js';

/** Report sections in page order. A suite without a section is rendered by the generic one. */
export const reportSections: ReportSection[] = [softmaxSection, topKSection, crossEntropySection, conformalSection, normalizersSection, attentionSection, trainingSection, quaternionSection];

import { standardTables } from '../blocks.js';
import type { ReportSection } from '../section.js';
import { leadParagraph } from './text.js';

/** Tables only, for a suite that has no dedicated section yet. */
export function genericSection(suite: string, title: string): ReportSection {
  return {
    id: suite,
    title,
    suite,
    render(result) {
      return [leadParagraph(`Results of the "${suite}" suite.`), standardTables(result)].join('\n');
    },
  };
}
